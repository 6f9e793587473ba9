"""`/action export` (a CSV file in the person's DM) and `/action calendar` (a private feed address with a
Reset button) end to end, and the CSV round trip through the command line."""

from __future__ import annotations

import csv
import io
import re

from handlers.slack.devkit.driver import buttons
from tests.cli.test_cli import actionbot, cli_env, exported_rows
from tests.conftest import TEAM
from tests.helpers import SEED_ROWS, all_text, fetch


def seed(driver):
    driver.command("UADMIN", "region add Global tz:Europe/Zurich")
    driver.command("UADMIN", 'region add "Latin America and the Caribbean" alias:LAC tz:America/Bogota')
    for row, _ in SEED_ROWS:
        driver.command("UTIM", "add " + row)


def test_export_sends_a_csv_file_to_the_persons_dm(driver, slack, app):
    seed(driver)
    reply = all_text(driver.command("UPAT", "export region:Global").json())
    assert "Sending you a CSV of *2* actions" in reply
    (upload,) = slack.wait_for("files.upload")
    assert upload.params["channel_id"] == "DPAT" and upload.params["filename"].endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(upload.params["content"].decode("utf-8"))))
    assert [(r["number"], r["due"], r["region"]) for r in rows] == [
        ("1", "2014-11-30", "Global"),
        ("5", "2014-11-30", "Global"),
    ]
    assert "Other workspace" not in upload.params["content"].decode()
    bad = all_text(driver.command("UPAT", "export region:Atlantis").json())
    assert "There is no region “Atlantis”" in bad


def test_calendar_feed_address_and_reset(driver, slack, app):
    server, _ = app
    seed(driver)
    shown = driver.command("UPAT", "calendar").json()
    path = re.search(r"(/calendar/[A-Za-z0-9_-]+\.ics)", all_text(shown)).group(1)
    status, body = fetch(server.url + path)
    assert status == 200 and b"SUMMARY:#3 Submission of LAC KM Region proposal" in body
    assert b"Send information" not in body  # Jennifer's action, not Patricia's

    (reset,) = [b for b in buttons(shown) if b["action_id"] == "calendar_reset"]
    _, refused = driver.click("UJEN", "calendar_reset", reset["value"])
    assert "Only the person whose feed it is" in all_text(refused)
    _, replaced = driver.click("UPAT", "calendar_reset", reset["value"])
    new_path = re.search(r"(/calendar/[A-Za-z0-9_-]+\.ics)", all_text(replaced)).group(1)
    assert new_path != path and fetch(server.url + path) == (404, b"")
    assert fetch(server.url + new_path)[0] == 200

    region = all_text(driver.command("UTIM", "calendar region:LAC").json())
    assert "the region LAC" in region
    assert "Only a workspace admin" in all_text(driver.command("UTIM", "calendar region:LAC reset").json())


def test_csv_export_then_import_gives_the_same_actions_back(db_url, tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    for team in (TEAM, "T0COPY"):  # two workspaces, added on purpose
        assert actionbot("workspace", "add", team, cwd=tmp_path, env=env).returncode == 0
        assert actionbot("region", "add", "Global", "--workspace", team, cwd=tmp_path, env=env).returncode == 0
    rows = [
        "title,owner,due,region,group,status",
        '"Budget, first draft",KM Regional Coordinators,2014-12-30,Global,KM,',
        "Monthly calls,KM Coordinator; Regional KM team,ongoing,,KM,",
        "Done already,Lina Salazar,2014-11-30,Global,,done",
    ]
    source = tmp_path / "source.csv"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert actionbot("import", str(source), "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    exported = tmp_path / "export.csv"
    assert actionbot("export", "all", "--workspace", TEAM, "-o", str(exported), cwd=tmp_path, env=env).returncode == 0
    back = actionbot("import", str(exported), "--workspace", "T0COPY", cwd=tmp_path, env=env)
    assert back.returncode == 0, back.stderr

    def snapshot(team):
        return exported_rows(team, cwd=tmp_path, env=env)

    assert snapshot("T0COPY") == snapshot(TEAM)
    assert len(snapshot(TEAM)) == 3
