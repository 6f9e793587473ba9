"""Teams' settings as `actionbot run` checks them: configured by TEAMS_APP_ID and TEAMS_APP_PASSWORD,
each missing piece refused in one line naming it, and a missing `teams` extra said plainly."""

from __future__ import annotations

import importlib.util

import pytest

from bot.config import Config, ConfigError
from handlers.teams import platform as teams_platform
from handlers.teams.platform import KIND, admins_of

GOOD = {
    "TEAMS_APP_ID": "8f0c3c5e-5b7a-4f1e-9d53-7a1c2b3d4e5f",
    "TEAMS_APP_PASSWORD": "secret",
    "TEAMS_TENANT_ID": "2d0f9a8e-1c3b-4a5d-8e7f-6a5b4c3d2e1f",
}


def config(**env) -> Config:
    return Config.from_env(env)


def test_configured_only_with_its_settings():
    assert not KIND.configured(config(SLACK_BOT_TOKEN="xoxb-1"))
    assert KIND.configured(config(**GOOD))
    KIND.check(config(**GOOD), serving=True)
    assert not KIND.one_process(config(**GOOD))


@pytest.mark.parametrize(
    "env, named",
    [
        ({**GOOD, "TEAMS_APP_PASSWORD": ""}, "TEAMS_APP_PASSWORD"),
        ({**GOOD, "TEAMS_APP_ID": ""}, "TEAMS_APP_ID"),
        ({**GOOD, "TEAMS_TENANT_ID": ""}, "TEAMS_TENANT_ID"),
        ({**GOOD, "TEAMS_TOKEN_URL": "ftp://x"}, "TEAMS_TOKEN_URL"),
        ({**GOOD, "TEAMS_OPENID_METADATA_URL": "file:///etc/passwd"}, "TEAMS_OPENID_METADATA_URL"),
    ],
)
def test_a_missing_or_wrong_setting_is_one_line_naming_it(env, named):
    with pytest.raises(ConfigError) as err:
        KIND.check(config(**env), serving=True)
    assert named in str(err.value) and "\n" not in str(err.value)


def test_a_token_url_stands_in_for_the_tenant():
    KIND.check(config(**{**GOOD, "TEAMS_TENANT_ID": "", "TEAMS_TOKEN_URL": "http://127.0.0.1:9/token"}), serving=True)


def test_without_the_teams_extra_the_check_says_so(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        teams_platform.importlib.util, "find_spec", lambda name, *a: None if name == "microsoft_teams" else real(name)
    )
    with pytest.raises(ConfigError) as err:
        KIND.check(config(**GOOD), serving=True)
    assert "teams extra" in str(err.value)


def test_admins_are_object_ids_and_addresses_in_lower_case():
    assert admins_of(config(TEAMS_ADMINS="Ana@Contoso.test, 7E214E4C-62EA-597F-B1EC-C18C4BAD2C57  x@y.z")) == {
        "ana@contoso.test",
        "7e214e4c-62ea-597f-b1ec-c18c4bad2c57",
        "x@y.z",
    }
