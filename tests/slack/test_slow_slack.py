"""A slow Slack holds no request thread (issue 14, class 3): with `users.info` hanging in the stand-in's
server thread, `/healthz`, a known user's command and first-time users' commands are answered within a
second, and the first-timers' profiles are learned after the ack; every Web API call the app makes is
bounded, before the ack (a hanging `views.open`) and in the scheduler."""

from __future__ import annotations

import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from bot.runtime import scheduler_services
from handlers.slack.clients import BACKGROUND_TIMEOUT, REQUEST_TIMEOUT
from tests.conftest import TEAM, app_config
from tests.helpers import all_text

NEWCOMERS = ["UTIM", "UJEN", "UPAT", "ULINA", "UOUT"]  # more than the server's four request threads
PROMPT = 1.0  # seconds: what "answered at once" means here


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def healthz(url: str) -> int:
    with urllib.request.urlopen(url + "/healthz", timeout=10) as resp:
        return resp.status


def test_a_hanging_users_info_holds_no_request(app, driver, slack, clock):
    server, runtime = app
    driver.command("UADMIN", "list")
    runtime.ctx.settle()  # UADMIN is known from now on
    slack.reset()
    with slack.hang("users.info"):
        with ThreadPoolExecutor(len(NEWCOMERS)) as pool:
            firsts = list(pool.map(lambda user: timed(lambda: driver.command(user, "list")), NEWCOMERS))
        for reply, took in firsts:
            assert reply.status == 200 and "Nothing here" in all_text(reply.json()) and took < PROMPT
        slack.wait_for("held:users.info")  # their profiles are being asked for, after the answers
        status, took = timed(lambda: healthz(server.url))
        assert status == 200 and took < PROMPT
        known, took = timed(lambda: driver.command("UADMIN", "list"))
        assert known.status == 200 and took < PROMPT
    runtime.ctx.settle()  # the hang is over: the asks still waiting get their answers
    learned = {user: runtime.ctx.people.known(TEAM, user, clock.now)[0] for user in NEWCOMERS}
    assert learned["UJEN"].tz == "America/New_York" and learned["UTIM"].tz == "Europe/Rome"
    assert all(actor is not None for actor in learned.values())


def test_a_first_timer_is_served_from_the_payload(app, driver, slack, clock):
    _, runtime = app
    with slack.hang("users.info"):
        reply = driver.command("UJEN", "add Draft the budget due Nov 24, 2014")
        assert "Added *#1*" in all_text(reply.json())
    runtime.ctx.settle()
    assert runtime.ctx.people.known(TEAM, "UJEN", clock.now)[0].tz == "America/New_York"
    assert len(slack.calls_to("users.info")) == 1  # asked once, after the answer


def test_a_hanging_call_before_the_ack_gives_up_in_time(app, driver, slack):
    with slack.hang("views.open"):  # the add form cannot open; the command is answered anyway
        reply = driver.command("UTIM", "add")  # (the driver itself gives up after 10 s)
    assert reply.status == 200 and "Something went wrong on our side" in all_text(reply.json())


def test_every_client_is_bounded(app, slack, db_url):
    _, runtime = app
    assert runtime.bolt_app.client.timeout == REQUEST_TIMEOUT <= 3  # Slack wants the ack within 3 s
    config = app_config(slack, db_url)
    notifier = scheduler_services(config, runtime.ctx.actions).outlet("slack").notifier
    assert notifier.clients(TEAM).timeout == BACKGROUND_TIMEOUT < 30
