"""Teams end to end: signed activities POSTed to the real `POST /api/messages` of `actionbot run`'s
runtime (build_runtime, waitress, the bridge, the SDK App, our listeners, the core) against the loopback
Bot Connector stand-in; answers read from what the stand-in recorded. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from bot.config import Config  # noqa: E402
from bot.runtime import BackgroundServer, build_runtime  # noqa: E402
from handlers.teams.devkit.driver import TeamsDriver  # noqa: E402
from tests.conftest import WORKSHOP_NOW, Clock  # noqa: E402

CARD = "application/vnd.microsoft.card.adaptive"


def teams_env(standin, **extra) -> dict:
    return {
        "TEAMS_APP_ID": standin.app_id,
        "TEAMS_APP_PASSWORD": standin.app_password,
        "TEAMS_TENANT_ID": standin.tenant_id,
        "TEAMS_OPENID_METADATA_URL": standin.metadata_url,
        "TEAMS_TOKEN_URL": standin.token_url,
        **extra,
    }


def teams_config(standin, db_url: str, **extra) -> Config:
    return Config(
        bot_token=None,
        signing_secret=None,
        app_token=None,
        api_url=None,
        database_url=db_url,
        port=0,
        timezone="UTC",
        date_order="MDY",
        env=teams_env(standin, **extra),
    )


@pytest.fixture
def bot(standin, db_url):
    """The bot serving Teams alone; Ana is an admin by e-mail (TEAMS_ADMINS), and has set up the regions
    by typing to the bot."""
    standin.ana = standin.add_user("Ana Admin", email="ana@contoso.test", tz="America/Bogota")
    clock = Clock(WORKSHOP_NOW)
    runtime = build_runtime(teams_config(standin, db_url, TEAMS_ADMINS="ana@contoso.test"), clock=clock)
    server = BackgroundServer(runtime).start()
    driver = TeamsDriver(standin, server.url + "/api/messages")
    for region in ("Global", "LAC", "Africa"):
        assert "Global" in texts(say(driver, standin, standin.ana, f"region add {region}"))
    standin.reset()
    yield driver, runtime
    server.stop()
    runtime.shutdown(wait=True)
    runtime.db.dispose()


def card_of(sent) -> dict:
    attachment = sent.body["attachments"][0]
    assert attachment["contentType"] == CARD
    return attachment["content"]


def texts(content) -> str:
    """Every text in a card, joined (TextBlocks, facts, button titles)."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key in ("text", "title", "value"):
                if isinstance(node.get(key), str):
                    out.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(content)
    return "\n".join(out)


def buttons(content) -> list[dict]:
    found: list[dict] = []

    def walk(node):
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Action."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(content)
    return found


def say(driver, standin, user, text) -> dict:
    """Type `text` in the user's personal chat; the card the bot answered with."""
    before = len(standin.sent_of("send"))
    assert driver.post(driver.message(user, text)).status == 200
    sent = standin.wait_for("send", before + 1)
    assert sent[-1].conversation_id == standin.personal_conversation(user)
    return card_of(sent[-1])


def test_add_in_personal_chat_confirms_the_date_understood(bot, standin):
    driver, _ = bot
    content = say(driver, standin, standin.lina, "add Draft the KM strategy owner:Lina due Nov 30 region:Global")
    shown = texts(content)
    assert "Added **#1** Draft the KM strategy" in shown
    assert "Sun 30 Nov 2014" in shown
    assert "Global" in shown
    assert {b.get("verb") for b in buttons(content)} >= {"done"}


def test_list_by_region_shows_the_region_only(bot, standin):
    driver, _ = bot
    say(driver, standin, standin.lina, "add Write the LAC report due Dec 5 region:LAC")
    say(driver, standin, standin.lina, "add Call Nairobi due Dec 8 region:Africa")
    content = say(driver, standin, standin.lina, "list region:LAC")
    shown = texts(content)
    assert "**1 action**" in shown
    assert "Write the LAC report" in shown and "Call Nairobi" not in shown
    done = [b for b in buttons(content) if b.get("verb") == "done"]
    assert done and done[0]["type"] == "Action.Execute" and done[0]["data"]["n"] == 1
    edit = [b for b in buttons(content) if b.get("title") == "Edit"]
    assert edit[0]["data"] == {"msteams": {"type": "task/fetch"}, "form": "edit", "n": 1}


def test_bad_input_says_what_to_write(bot, standin):
    driver, _ = bot
    content = say(driver, standin, standin.lina, "snooze 1 forever")
    shown = texts(content)
    assert "⚠️" in shown and "Try:" in shown
    assert "/action" not in shown  # Teams' own wording: commands as typed to the bot
    assert "help" in texts(say(driver, standin, standin.lina, "hello there")).lower()


def test_help(bot, standin):
    driver, _ = bot
    shown = texts(say(driver, standin, standin.lina, "help"))
    assert "`add <title>" in shown and "/action" not in shown


def test_the_senders_zone_is_kept(bot, standin):
    driver, runtime = bot
    say(driver, standin, standin.lina, "list")
    people = runtime.served["teams"].ctx.people
    found, _ = people.known(standin.tenant_id, standin.lina["aadObjectId"], WORKSHOP_NOW)
    assert found is not None and found.tz == "Africa/Nairobi"
