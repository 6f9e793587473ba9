"""Reaching people in Teams, end to end: activities through the real `POST /api/messages`, sweeps as
`actionbot sweep --now` subprocesses sending to the loopback stand-in. A person the bot cannot reach (no
address, the app not installed for them, 403 blocked) is a delivery problem their action's creator hears
of once; later sweeps stay silent about them; installing the app clears it and the next sweep nudges
them. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from bot.core.addresses import AddressBook  # noqa: E402
from bot.core.grammar import ActionSpec  # noqa: E402
from bot.core.records import Actor  # noqa: E402
from tests.cli.test_cli import SLACK_VARS, actionbot  # noqa: E402
from tests.conftest import WORKSHOP_NOW  # noqa: E402
from tests.teams import teams_runtime  # noqa: E402
from tests.teams.teams_runtime import card_of, say, teams_env, texts  # noqa: E402

bot = teams_runtime.bot  # the fixture
DUE_DAY = "2014-12-05T12:00Z"  # a Friday: Dec 5's due-day nudges are due (owners in UTC and Nairobi)


def sweep(standin, db_url: str, now: str, tmp_path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARS}
    env.update(teams_env(standin), DATABASE_URL=db_url)
    done = actionbot("sweep", "--now", now, cwd=tmp_path, env=env)
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr  # 1: something not sent
    return done.stdout + done.stderr


def sends_to(standin, user: dict, kind: str = "send") -> list:
    conversation = standin.personal_conversation(user)
    return [s for s in standin.sent_of(kind) if s.conversation_id == conversation]


def later(now: str, hours: int) -> str:
    at = dt.datetime.fromisoformat(now.replace("Z", "+00:00")) + dt.timedelta(hours=hours)
    return at.isoformat()


def test_someone_the_app_is_not_installed_for_is_reported_once_until_they_install_it(bot, standin, db_url, tmp_path):
    driver, runtime = bot
    tenant, ana = standin.tenant_id, standin.ana
    omar = standin.add_user("Omar Farouk", tz="UTC", installed=False)  # never opened the bot
    team = standin.add_team("Delivery", ["Ops"], members=[ana, standin.lina, omar])
    book = AddressBook(runtime.platforms["teams"].actions)
    assert book.get(tenant, "user", omar["aadObjectId"]) is None

    # the app added to a team: its roster gives everyone's 29: ID, from which a chat can be opened
    assert driver.post(driver.conversation_update(ana, team, members_added=[driver.bot_member()])).status == 200
    stored = book.get(tenant, "user", omar["aadObjectId"])
    assert stored is not None and stored.reference["user"]["id"] == omar["id"]
    assert "conversation" not in stored.reference

    added = driver.message(ana, "add Ship the field report owner:<at>Omar Farouk</at> due Dec 5", mentions=[omar])
    assert driver.post(added).status == 200
    runtime.settle()  # the new owner is told at once, from the web process: his chat cannot be opened
    refused = [s for s in standin.sent_of("create") if s.status == 403]
    assert len(refused) == 1 and refused[0].body["members"][0]["id"] == omar["id"]
    told = sends_to(standin, ana)
    assert len(told) == 2 and "Added **#1**" in texts(card_of(told[0]))
    said = texts(card_of(told[1]))  # once, naming the action and Teams' refusal (a 403) in words
    assert "Ship the field report" in said and "the app is not installed for them" in said
    assert not sends_to(standin, omar)

    standin.reset()
    sweep(standin, db_url, DUE_DAY, tmp_path)  # his nudge falls due: skipped, nobody re-told
    assert not standin.sent_of("create") and not sends_to(standin, ana) and not sends_to(standin, omar)
    standin.reset()
    sweep(standin, db_url, later(DUE_DAY, 1), tmp_path)
    sweep(standin, db_url, later(DUE_DAY, 2), tmp_path)
    assert standin.sent == [] or all(s.kind == "token" for s in standin.sent)  # nothing retried, nobody re-told

    # Omar installs the app (or an admin installs it for everyone): the next sweep nudges him
    standin.install(omar)
    assert driver.post(driver.installation_update(omar, "add")).status == 200
    standin.reset()
    sweep(standin, db_url, later(DUE_DAY, 3), tmp_path)
    nudged = sends_to(standin, omar)
    assert len(nudged) == 1 and "Ship the field report" in texts(card_of(nudged[0]))
    assert not sends_to(standin, ana)


def test_a_person_who_blocked_the_bot_is_reported_once_and_nudged_again_after_reinstalling(
    bot, standin, db_url, tmp_path
):
    driver, runtime = bot
    ana, lina = standin.ana, standin.lina
    say(driver, standin, lina, "help")  # Lina has her personal chat with the bot
    added = driver.message(ana, "add Send the budget owner:<at>Lina Haddad</at> due Dec 5", mentions=[lina])
    assert driver.post(added).status == 200
    runtime.settle()
    assert "Added **#1**" in texts(card_of(sends_to(standin, ana)[-1]))
    assert len(sends_to(standin, lina)) == 2  # her "help", then the new owner's card: she was reachable
    standin.block(lina)
    standin.reset()

    sweep(standin, db_url, DUE_DAY, tmp_path)
    assert [s.status for s in sends_to(standin, lina, "blocked:send")] == [403]
    assert len(sends_to(standin, ana)) == 1

    standin.reset()
    sweep(standin, db_url, later(DUE_DAY, 1), tmp_path)
    assert not sends_to(standin, lina, "blocked:send") and not sends_to(standin, ana)

    standin.install(lina)  # she unblocked it and added the app again
    assert driver.post(driver.installation_update(lina, "add")).status == 200
    standin.reset()
    sweep(standin, db_url, later(DUE_DAY, 2), tmp_path)
    nudged = sends_to(standin, lina)
    assert len(nudged) == 1 and "Send the budget" in texts(card_of(nudged[0]))
    assert not sends_to(standin, ana)


def test_an_owner_with_no_address_at_all_is_reported_once_and_first_writing_clears_it(bot, standin, db_url, tmp_path):
    """An owner the bot has no way to (never wrote, never in a roster it read): the creator hears once;
    when the owner first writes to the bot, the next sweep nudges them."""
    driver, runtime = bot
    tenant, ana = standin.tenant_id, standin.ana
    nadia = standin.add_user("Nadia Karim", tz="Africa/Nairobi")
    say(driver, standin, ana, "help")
    actions = runtime.platforms["teams"].actions
    actions.add(
        tenant,
        Actor(ana["aadObjectId"]),
        ActionSpec("Book the venue", user_owners=[nadia["aadObjectId"]], due_phrase="Dec 5, 2014"),
        WORKSHOP_NOW,
    )
    standin.reset()

    sweep(standin, db_url, DUE_DAY, tmp_path)
    assert not standin.sent_of("create") and not sends_to(standin, nadia)
    assert len(sends_to(standin, ana)) == 1
    standin.reset()
    sweep(standin, db_url, later(DUE_DAY, 1), tmp_path)
    assert not sends_to(standin, ana)

    say(driver, standin, nadia, "help")  # she opens the bot and writes to it
    standin.reset()
    sweep(standin, db_url, later(DUE_DAY, 2), tmp_path)
    nudged = sends_to(standin, nadia)
    assert len(nudged) == 1 and "Book the venue" in texts(card_of(nudged[0]))
