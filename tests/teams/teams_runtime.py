"""The Teams side of `actionbot run` for tests: its configuration against the loopback stand-in, the
served runtime (build_runtime, waitress) as a fixture, and readers of the cards the bot sent."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.runtime import BackgroundServer, build_runtime
from handlers.teams.devkit.driver import TeamsDriver
from tests.conftest import WORKSHOP_NOW, Clock

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
