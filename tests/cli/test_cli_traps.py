"""The traps of a newcomer's and an operator's first hour (issue 18), each through `actionbot` as a
subprocess: settings checked at start, reads that never create a workspace, one-line failures with exit
status 2, and argparse's bare rejections turned into suggestions. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from bot.core.dates import utc_now
from tests.cli.test_cli import actionbot, cli_env
from tests.conftest import PG_URL, TEAM


def one_line_refusal(done, *words: str) -> str:
    said = done.stderr.strip()
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in said and "\n" not in said, said
    for word in words:
        assert word in said, said
    return said


def workspaces_listed(tmp_path, db_url) -> str:
    done = actionbot("workspace", "list", cwd=tmp_path, env=cli_env(tmp_path, DATABASE_URL=db_url))
    assert done.returncode == 0, done.stderr
    return done.stdout


# -- 1. every setting checked at start, one line naming it ----------------------------------------


@pytest.mark.parametrize(
    "setting, value",
    [
        ("ACTIONBOT_TIMEZONE", "Europe/Genva"),
        ("ACTIONBOT_DATE_ORDER", "DDMMYY"),
        ("PORT", "80a"),
        ("WEB_CONCURRENCY", "0"),
        ("SLACK_API_URL", "slack.example/api"),
        ("ACTIONBOT_PUBLIC_URL", "bot.example.org"),
        ("ACTIONBOT_MAX_BODY_BYTES", "1k"),
        ("ACTIONBOT_DEBUG", "maybe"),
        ("ACTIONBOT_PLATFORM", "slak"),
        ("SLACK_BOT_TOKEN", "not-a-bot-token"),
    ],
)
def test_a_wrong_setting_is_one_line_naming_it_and_nothing_is_stored(setting, value, db_url, tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=db_url, **{setting: value})
    for command in (("list", "--workspace", TEAM), ("region", "add", "Global", "--workspace", TEAM)):
        said = one_line_refusal(actionbot(*command, cwd=tmp_path, env=env), setting)
        assert "not-a-bot-token" not in said  # a secret: never shown
    assert TEAM not in workspaces_listed(tmp_path, db_url)


def test_a_zone_typo_is_never_written_into_a_workspace(db_url, tmp_path):
    typo = cli_env(tmp_path, DATABASE_URL=db_url, ACTIONBOT_TIMEZONE="Europe/Genva")
    one_line_refusal(actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=typo), "Europe/Genva")
    right = cli_env(tmp_path, DATABASE_URL=db_url, ACTIONBOT_TIMEZONE="Europe/Zurich")
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=right).returncode == 0
    listed = actionbot("list", cwd=tmp_path, env=right)
    assert listed.returncode == 0 and "0 actions" in listed.stdout, listed.stderr


# -- 2. reading never creates a workspace -----------------------------------------------------------


@pytest.mark.parametrize(
    "command", [("list",), ("export",), ("export", "--format", "ics"), ("region", "list")], ids=" ".join
)
def test_reading_an_unknown_workspace_is_refused_naming_the_known_ones(command, db_url, service, tmp_path):
    service.workspaces.ref(TEAM, utc_now())
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    said = one_line_refusal(actionbot(*command, "--workspace", "TTYPO2", cwd=tmp_path, env=env), "TTYPO2", TEAM)
    assert "known" in said
    assert "TTYPO2" not in workspaces_listed(tmp_path, db_url)
    listed = actionbot("list", cwd=tmp_path, env=env)  # still the one workspace: nothing asks to pick
    assert listed.returncode == 0, listed.stderr


def test_an_unknown_workspace_in_the_environment_is_refused_too(db_url, tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=db_url, ACTIONBOT_WORKSPACE="TNOPE")
    one_line_refusal(actionbot("list", cwd=tmp_path, env=env), "TNOPE", "none yet")
    assert "TNOPE" not in workspaces_listed(tmp_path, db_url)


def test_a_dry_run_import_leaves_no_workspace_behind(db_url, tmp_path):
    matrix = tmp_path / "m.tsv"
    matrix.write_text("Action\tBy whom\nDraft the report\tLina\n", encoding="utf-8")
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    done = actionbot("import", str(matrix), "--workspace", "TNEW", "--dry-run", cwd=tmp_path, env=env)
    assert done.returncode == 0 and "Draft the report" in done.stdout, done.stderr
    assert "TNEW" not in workspaces_listed(tmp_path, db_url)
    done = actionbot("import", str(matrix), "--workspace", "TNEW", cwd=tmp_path, env=env)  # a write creates it
    assert done.returncode == 0 and "imported 1 action" in done.stdout, done.stderr
    assert "TNEW" in workspaces_listed(tmp_path, db_url)


@pytest.mark.parametrize(
    "command",
    [("region", "add", "Global"), ("import", "MATRIX"), ("settings", "--tz", "Europe/Zurich")],
    ids=lambda c: c[0],
)
def test_a_write_with_a_mistyped_workspace_creates_nothing(command, db_url, service, tmp_path):
    service.workspaces.ref(TEAM, utc_now())
    matrix = tmp_path / "m.tsv"
    matrix.write_text("Action\tBy whom\nDraft the report\tLina\n", encoding="utf-8")
    command = tuple(str(matrix) if part == "MATRIX" else part for part in command)
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    said = one_line_refusal(actionbot(*command, "--workspace", "TTYPO", cwd=tmp_path, env=env), "TTYPO", TEAM)
    assert "actionbot workspace add TTYPO" in said
    assert "TTYPO" not in workspaces_listed(tmp_path, db_url)


def test_a_workspace_added_on_purpose_takes_writes_and_says_it_is_not_installed(db_url, service, tmp_path):
    service.workspaces.installed(TEAM, "Workshop", utc_now())
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    added = actionbot("workspace", "add", "TLATER", cwd=tmp_path, env=env)
    assert added.returncode == 0 and "added workspace TLATER" in added.stdout, added.stderr
    one_line_refusal(actionbot("workspace", "add", "TLATER", cwd=tmp_path, env=env), "TLATER", "already")
    one_line_refusal(actionbot("workspace", "add", "T LATER", cwd=tmp_path, env=env), "not a workspace ID")
    done = actionbot("region", "add", "Global", "--workspace", "TLATER", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in workspaces_listed(tmp_path, db_url).splitlines()[2:]}
    assert "added here, no installation seen" in rows["TLATER"]
    assert rows[TEAM].rstrip().endswith("installed") and "added here" not in rows[TEAM]
    service.workspaces.installed("TLATER", "Later", utc_now())  # the app installed there at last
    rows = {line.split()[0]: line for line in workspaces_listed(tmp_path, db_url).splitlines()[2:]}
    assert rows["TLATER"].rstrip().endswith("installed") and "added here" not in rows["TLATER"]


def test_the_first_write_on_an_empty_database_adds_its_workspace_as_added_here(db_url, tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    done = actionbot("region", "add", "Global", "--workspace", "TFIRST", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    assert "added here, no installation seen" in workspaces_listed(tmp_path, db_url)


# -- 4. one line and exit status 2 for what an operator can fix; the traceback with --debug ------------


def pg_url_of(database: str) -> str:
    if not PG_URL:
        pytest.skip("ACTIONBOT_TEST_DATABASE_URL is not set")
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


@pytest.mark.parametrize(
    "url, says",
    [
        ("postgresql://postgres:s3cret@127.0.0.1:1/actions", ["nothing answers", "127.0.0.1:1", "DATABASE_URL"]),
        ("sqlite:///{tmp}/no/such/folder/actionbot.db", ["can't open the SQLite file", "folder"]),
        ("mysql://root:s3cret@localhost/actions", ["DATABASE_URL", "postgresql://"]),
        ("postgres-missing", ["actionbot_no_such_database", "does not exist", "createdb"]),
    ],
    ids=["server-down", "sqlite-missing-folder", "mysql", "pg-missing-database"],
)
def test_a_database_that_cannot_be_opened_is_one_line(url, says, tmp_path):
    url = pg_url_of("actionbot_no_such_database") if url == "postgres-missing" else url.format(tmp=tmp_path)
    env = cli_env(tmp_path, DATABASE_URL=url)
    for command in (("list",), ("db", "upgrade"), ("workspace", "list")):
        said = one_line_refusal(actionbot(*command, cwd=tmp_path, env=env), *says)
        assert "s3cret" not in said
    debug = actionbot("--debug", "list", cwd=tmp_path, env=env)
    assert debug.returncode == 2 and "Traceback" in debug.stderr and says[0] in debug.stderr
    by_env = actionbot("list", cwd=tmp_path, env={**env, "ACTIONBOT_DEBUG": "1"})
    assert by_env.returncode == 2 and "Traceback" in by_env.stderr


def test_slack_refusing_the_token_or_not_answering_at_start_is_one_line(db_url, slack, tmp_path):
    base = {"DATABASE_URL": db_url, "SLACK_SIGNING_SECRET": "s", "PORT": "0"}
    wrong = cli_env(tmp_path, **base, SLACK_BOT_TOKEN="xoxb-not-ours", SLACK_API_URL=slack.api_url)
    one_line_refusal(actionbot("run", cwd=tmp_path, env=wrong), "SLACK_BOT_TOKEN", "invalid_auth")
    down = cli_env(tmp_path, **base, SLACK_BOT_TOKEN=slack.bot_token, SLACK_API_URL="http://127.0.0.1:1/api/")
    said = one_line_refusal(actionbot("run", cwd=tmp_path, env=down), "did not answer", "SLACK_API_URL")
    assert slack.bot_token not in said


# -- 5. suggestions instead of argparse's bare rejections; --version; what export -o wrote ------------


@pytest.mark.parametrize(
    "args, says",
    [
        (("export", "--fromat", "csv"), "did you mean --format?"),
        (("list", "--region", "LAC"), "region:LAC"),
        (("sweep", "--dryrun"), "did you mean --dry-run?"),
        (("sweep", "--now", "2014-11-27T14:00:00Z", "--dryrun"), "did you mean --dry-run?"),
        (("lsit",), "did you mean actionbot list?"),
    ],
)
def test_a_mistyped_flag_or_command_gets_the_nearest_one(args, says, tmp_path):
    done = actionbot(*args, cwd=tmp_path, env=cli_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/a.db"))
    assert done.returncode == 2 and says in done.stderr, done.stderr


def test_a_mistyped_filter_word_is_not_taken_for_a_region(db_url, service, tmp_path):
    service.workspaces.ref(TEAM, utc_now())
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    said = actionbot("list", "overdu", cwd=tmp_path, env=env).stderr
    assert "did you mean 'overdue'" in said and "no region" not in said, said


def test_version_names_the_package_and_the_zone_database(tmp_path):
    from bot import zones

    done = actionbot("--version", cwd=tmp_path, env=cli_env(tmp_path))
    assert done.returncode == 0 and done.stdout.startswith("actionbot 0."), done.stdout
    assert zones.CHOSEN is not None and str(zones.CHOSEN.version) in done.stdout


def test_export_to_a_file_says_what_it_wrote(db_url, tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    matrix = tmp_path / "m.tsv"
    matrix.write_text("Action\tBy whom\tDate\nDraft the report\tLina\t12/15/2014\n", encoding="utf-8")
    assert actionbot("import", str(matrix), "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    csv_out = actionbot("export", "-o", str(tmp_path / "out.csv"), cwd=tmp_path, env=env)
    assert csv_out.returncode == 0 and f"wrote 1 action as CSV to {tmp_path / 'out.csv'}" in csv_out.stdout
    ics_out = actionbot("export", "--format", "ics", "-o", str(tmp_path / "out.ics"), cwd=tmp_path, env=env)
    assert "wrote 1 due date as iCalendar" in ics_out.stdout, ics_out.stdout
