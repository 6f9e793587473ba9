"""Rights do not outlive their grant (issue 14, class 9): an admin-only operation rests on an answer from
Slack at most a few minutes old, refuses when Slack cannot give one in time, and only the request's own
workspace's admins count."""

from __future__ import annotations

import datetime as dt
import json

from handlers.slack.devkit.requests import block_actions_payload, interaction_body, post_signed
from tests.conftest import OTHER_TEAM, SECRET, TEAM
from tests.helpers import all_text

ADD_REGION = "region add Africa tz:Africa/Nairobi"


def regions_shown(driver) -> str:
    return all_text(driver.command("UTIM", "region list").json())


def test_a_demoted_admin_loses_the_rights_within_minutes(app, driver, slack, clock):
    assert "*1 region*" in all_text(driver.command("UADMIN", "region add Global tz:UTC").json())
    slack.add_user("UADMIN", "ana", real_name="Ana Admin", tz="UTC", is_admin=False)  # demoted in Slack
    asked = len(slack.calls_to("users.info"))
    clock.now += dt.timedelta(minutes=2)
    assert "Africa" in all_text(driver.command("UADMIN", ADD_REGION).json())  # a 2-minute-old yes holds
    assert len(slack.calls_to("users.info")) == asked
    clock.now += dt.timedelta(minutes=4)
    refused = all_text(driver.command("UADMIN", "region add Asia tz:Asia/Bangkok").json())
    assert "Only a workspace admin" in refused and "Asia" not in regions_shown(driver)
    refused = all_text(driver.command("UADMIN", "settings nudges:-1").json())
    assert "Only a workspace admin" in refused


def test_an_admin_is_asked_again_and_kept(app, driver, slack, clock):
    driver.command("UADMIN", "region add Global tz:UTC")
    clock.now += dt.timedelta(hours=3)  # well inside the old 12 hours, past the few minutes
    asked = len(slack.calls_to("users.info"))
    assert "Africa" in all_text(driver.command("UADMIN", ADD_REGION).json())
    assert len(slack.calls_to("users.info")) == asked + 1


def test_no_answer_from_slack_refuses_the_admin_operation(app, driver, slack, clock):
    driver.command("UADMIN", "region add Global tz:UTC")
    clock.now += dt.timedelta(minutes=6)
    with slack.hang("users.info"):
        refused = all_text(driver.command("UADMIN", ADD_REGION).json())
        assert "could not confirm just now that you are a workspace admin" in refused
        assert "try again" in refused
    assert "Africa" not in regions_shown(driver)
    assert "Africa" in all_text(driver.command("UADMIN", ADD_REGION).json())  # Slack answers again


def test_an_admin_of_another_workspace_is_not_an_admin_here(app, driver, slack):
    slack.add_user("UFOREIGN", "fred", team_id=OTHER_TEAM, tz="Asia/Bangkok", is_admin=True, is_owner=True)
    refused = all_text(driver.command("UFOREIGN", ADD_REGION).json())
    assert "Only a workspace admin" in refused and "Africa" not in regions_shown(driver)


def test_a_user_whose_own_team_differs_is_not_an_admin_here(app, driver, slack):
    driver.command("UADMIN", "region add Global tz:UTC")  # UADMIN is remembered as this workspace's admin
    payload = block_actions_payload(
        action_id="calendar_reset",
        value=json.dumps({"kind": "region", "subject": "Global"}),
        user_id="UADMIN",
        team_id=TEAM,
        channel_id="C0GENERAL",
        response_url=slack.response_url("reset"),
    )
    payload["user"]["team_id"] = OTHER_TEAM  # the payload says the presser belongs elsewhere
    assert post_signed(driver.events_url, interaction_body(payload), SECRET).status == 200
    posted = [c.params for c in slack.calls_to("response_url") if c.path == "reset"]
    assert "Only a workspace admin" in all_text(posted[-1])
    payload["user"]["team_id"] = TEAM
    post_signed(driver.events_url, interaction_body(payload), SECRET)
    posted = [c.params for c in slack.calls_to("response_url") if c.path == "reset"]
    assert "New address" in all_text(posted[-1])
