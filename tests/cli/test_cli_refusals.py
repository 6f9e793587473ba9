"""The command line's refusals are its own: they name its flags (`--tz`, `--region`) and its commands
(`actionbot …`), never Slack's `/action …`, an option written `tz:`, or backquoted code. Run as a
subprocess, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.core.dates import utc_now
from tests.cli.test_cli import actionbot, cli_env
from tests.conftest import TEAM

REGION = ("region", "add", "--workspace", TEAM)


def refused(*args, tmp_path, db_url) -> str:
    done = actionbot(*args, cwd=tmp_path, env=cli_env(tmp_path, DATABASE_URL=db_url))
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    said = done.stderr
    assert "Traceback" not in said
    assert "/action" not in said and "`" not in said, said  # nothing of Slack's wording
    return said


@pytest.mark.parametrize(
    "args, says",
    [
        ((*REGION, "Asia", "--tz", "Asia/Nowhere"), ["not a time zone", "--tz America/Bogota or --tz Africa/Nairobi"]),
        ((*REGION, "Asia", "--days", "weekdays"), ["working days “weekdays”", "--days mon-fri or --days sun-thu"]),
        ((*REGION, "Asia", "--summary", "someday"), ["summary time “someday”", "--summary 'mon 09:00'"]),
        ((*REGION, "Asia", "--alias", "x" * 300), ["A region alias can be at most", "--alias LAC"]),
        ((*REGION, " "), ["A region needs a name", "actionbot region add 'Latin America' --alias LAC"]),
        (
            ("list", "region:Atlantis", "--workspace", TEAM),
            ["no regions are set up yet", "An admin can add one with actionbot region add <name>."],
        ),
        (("list", "overdue", "LAC", "Africa", "--workspace", TEAM), ["I can't filter by “Africa”", "actionbot list"]),
    ],
)
def test_refusals_name_the_command_lines_own_flags(args, says, db_url, service, tmp_path):
    service.workspaces.ref(TEAM, utc_now())  # the workspace's first contact: reading one never creates it
    said = refused(*args, tmp_path=tmp_path, db_url=db_url)
    for words in says:
        assert words in said, said


def test_an_import_into_a_region_before_any_exist_says_how_to_add_one_here(db_url, tmp_path):
    matrix = tmp_path / "matrix.csv"
    matrix.write_text("Action,By whom,Date\nDraft the plan,Lina,Nov 30 2014\n", encoding="utf-8")
    said = refused("import", str(matrix), "--region", "LAC", "--workspace", TEAM, tmp_path=tmp_path, db_url=db_url)
    assert "There is no region “LAC”: no regions are set up yet." in said
    assert "An admin can add one with actionbot region add <name>." in said


def test_a_file_without_a_heading_row_gets_an_example_heading_not_code(db_url, tmp_path):
    matrix = tmp_path / "notes.txt"
    matrix.write_text("we met and talked\nnothing was decided\n", encoding="utf-8")
    said = refused("import", str(matrix), "--workspace", TEAM, tmp_path=tmp_path, db_url=db_url)
    assert "couldn't find a heading row" in said
    assert "for example: Action,By whom,Expected completion date" in said
