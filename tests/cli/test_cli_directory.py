"""Values that can never work are refused (issue 18, items 3 and 7): the command line takes a region's
channel and lead and an import's creator as people type them (`#name`, `@handle`, an e-mail address, a
name) and resolves them through the platform's directory (Slack's stand-in here), or refuses with one
line; a channel the bot cannot post in is refused with how to invite it. `region edit` and `settings`
make a mistake fixable from the shell. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

from tests.cli.test_cli import actionbot, cli_env
from tests.cli.test_cli_traps import one_line_refusal as refused
from tests.conftest import TEAM


def slack_env(tmp_path, db_url, slack) -> dict[str, str]:
    return cli_env(tmp_path, DATABASE_URL=db_url, SLACK_BOT_TOKEN=slack.bot_token, SLACK_API_URL=slack.api_url)


def region_row(tmp_path, env, name: str) -> str:
    listed = actionbot("region", "list", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    return next(line for line in listed.stdout.splitlines() if line.startswith(name))


def test_without_the_platforms_token_a_name_is_refused_not_stored(db_url, tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    refused(
        actionbot("region", "add", "Africa", "--channel", "#km-africa", cwd=tmp_path, env=env),
        "#km-africa",
        "--channel",
        "SLACK_BOT_TOKEN",
    )
    refused(actionbot("region", "add", "Africa", "--lead", "@ela", cwd=tmp_path, env=env), "@ela", "--lead")
    matrix = tmp_path / "m.tsv"
    matrix.write_text("Action\tBy whom\nDraft the report\tLina\n", encoding="utf-8")
    refused(actionbot("import", str(matrix), "--as", "Tim Boyle", cwd=tmp_path, env=env), "Tim Boyle", "--as")
    listed = actionbot("region", "list", cwd=tmp_path, env=env).stdout
    assert "Africa" not in listed


def test_a_channel_and_a_lead_as_people_type_them_are_stored_as_ids(db_url, slack, tmp_path):
    slack.add_channel("CAFRICA", "km-africa")
    env = slack_env(tmp_path, db_url, slack)
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    done = actionbot("region", "add", "Africa", "--channel", "#km-africa", "--lead", "@patricia", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    row = region_row(tmp_path, env, "Africa")
    assert "CAFRICA" in row and "UPAT" in row and "#km-africa" not in row, row

    by_mail = actionbot("region", "edit", "Africa", "--lead", "lina@example.test", cwd=tmp_path, env=env)
    assert by_mail.returncode == 0, by_mail.stderr
    assert "ULINA" in region_row(tmp_path, env, "Africa")


def test_what_names_no_one_is_refused_and_nothing_changes(db_url, slack, tmp_path):
    slack.add_channel("CAFRICA", "km-africa")
    env = slack_env(tmp_path, db_url, slack)
    assert actionbot("region", "add", "Africa", "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    refused(actionbot("region", "edit", "Africa", "--lead", "@ela", cwd=tmp_path, env=env), "“@ela”", "--lead")
    refused(actionbot("region", "edit", "Africa", "--channel", "#km-afrika", cwd=tmp_path, env=env), "#km-afrika")
    matrix = tmp_path / "m.tsv"
    matrix.write_text("Action\tBy whom\nDraft the report\tLina\n", encoding="utf-8")
    refused(actionbot("import", str(matrix), "--as", "Nobody Atall", cwd=tmp_path, env=env), "Nobody Atall")
    row = region_row(tmp_path, env, "Africa")
    assert row.split()[-2:] == ["-", "-"], row  # no channel, no lead


def test_a_channel_the_bot_is_not_in_is_refused_with_how_to_invite_it(db_url, slack, tmp_path):
    slack.add_channel("CASIA", "km-asia", bot_member=False)
    env = slack_env(tmp_path, db_url, slack)
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    for given in ("#km-asia", "CASIA"):
        refused(
            actionbot("region", "add", "Asia", "--channel", given, cwd=tmp_path, env=env),
            "cannot post in #km-asia",
            "/invite @actionbot",
        )
    slack.add_channel("CASIA", "km-asia", bot_member=True)  # invited
    assert actionbot("region", "add", "Asia", "--channel", "#km-asia", cwd=tmp_path, env=env).returncode == 0
    assert "CASIA" in region_row(tmp_path, env, "Asia")


def test_an_app_installed_before_it_could_read_channels_takes_an_id_and_says_to_reinstall(db_url, slack, tmp_path):
    slack.add_channel("CASIA", "km-asia")
    env = slack_env(tmp_path, db_url, slack)
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    slack.fail("conversations.list", "missing_scope", times=1)
    refused(
        actionbot("region", "add", "Asia", "--channel", "#km-asia", cwd=tmp_path, env=env),
        "“#km-asia”",
        "reinstall",
        "channel's ID",
    )
    slack.fail("conversations.info", "missing_scope", times=1)
    done = actionbot("region", "add", "Asia", "--channel", "CASIA", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "not checked" in done.stderr and "reinstall" in done.stderr
    assert "CASIA" in region_row(tmp_path, env, "Asia")


def test_an_import_as_a_person_records_them_as_its_creator(db_url, slack, tmp_path):
    env = slack_env(tmp_path, db_url, slack)
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    matrix = tmp_path / "m.tsv"
    matrix.write_text("Action\tBy whom\nDraft the report\tLina\n", encoding="utf-8")
    done = actionbot("import", str(matrix), "--as", "Tim Boyle", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    exported = actionbot("export", "all", cwd=tmp_path, env=env).stdout
    [row] = list(csv.DictReader(io.StringIO(exported)))
    assert row["created_by"] == "UTIM", row


def test_settings_show_and_change_the_zone_and_date_order_copied_at_first_contact(db_url, tmp_path):
    first = cli_env(tmp_path, DATABASE_URL=db_url, ACTIONBOT_TIMEZONE="America/Bogota")
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=first).returncode == 0
    env = cli_env(tmp_path, DATABASE_URL=db_url)  # the variable changed later: the row keeps its zone
    shown = actionbot("settings", cwd=tmp_path, env=env)
    assert shown.returncode == 0 and "zone: America/Bogota" in shown.stdout and "date order: MDY" in shown.stdout
    typo = actionbot("settings", "--tz", "Europe/Genva", cwd=tmp_path, env=env)
    assert typo.returncode == 2 and "Europe/Genva" in typo.stderr and "Traceback" not in typo.stderr
    changed = actionbot("settings", "--tz", "Europe/Zurich", "--date-order", "dmy", cwd=tmp_path, env=env)
    assert changed.returncode == 0, changed.stderr
    shown = actionbot("settings", cwd=tmp_path, env=env).stdout
    assert "zone: Europe/Zurich" in shown and "date order: DMY" in shown, shown
