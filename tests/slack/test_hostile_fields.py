"""Hostile fields (issue 14, classes 4 and 6), end to end on SQLite and PostgreSQL: every stored field's
limit is enforced before any write with a message naming the field and its limit (also where case folding
lengthens a name: "ß" folds to "ss"); forms show it on the field; the import preview flags row and cell and
Confirm says why nothing was imported; zones are only IANA zones and numbers only ASCII digits; admin
commands refuse a bystander before reading their arguments; the CLI goes through the same checks. None of
it leaves an ERROR record in the log or a row in the database."""

from __future__ import annotations

import logging

import pytest

from handlers.slack.views.import_form import unpack
from tests.cli.test_cli import actionbot, cli_env
from tests.conftest import TEAM
from tests.helpers import all_text, form_values
from tests.slack.test_security import import_values, region_values, snapshot

SORRY = "Something went wrong"
TWENTY = ",".join(str(n) for n in range(-20, 21))


@pytest.fixture
def errors_logged(caplog):
    """The ERROR records logged while a test ran (the app serves from threads of this process)."""
    caplog.set_level(logging.INFO)
    return lambda: [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.fixture
def seeded(driver, app):
    """A region, an action #1 owned by Tim, and a settled app."""
    _, runtime = app
    assert "Global" in all_text(driver.command("UADMIN", "region add Global tz:Europe/Zurich").json())
    assert "#1" in all_text(driver.command("UTIM", "add Draft the plan group:KM").json())
    runtime.ctx.settle()
    return runtime


def refused_cleanly(driver, runtime, errors_logged, user: str, text: str) -> str:
    """Send the command; check it changed nothing and logged no error; return what the user read."""
    before = snapshot(runtime)
    reply = driver.command(user, text)
    assert reply.status == 200, reply.text[:300]
    shown = all_text(reply.json())
    runtime.ctx.settle()
    assert SORRY not in shown, (text[:80], shown)
    assert snapshot(runtime) == before, text[:80]
    assert errors_logged() == []
    return shown


@pytest.mark.parametrize(
    "user, text, expected",
    [
        ("UTIM", "add Plan group:" + "g" * 101, "A group name can be at most 100 characters; this one has 101"),
        (
            "UTIM",
            'add Plan meeting:"' + "m" * 201 + '"',
            "A meeting name can be at most 200 characters; this one has 201",
        ),
        ("UTIM", 'add Plan owner:"' + "o" * 201 + '"', "A named owner can be at most 200 characters; this one has 201"),
        ("UTIM", "add Plan group:" + "ß" * 80, "A group name can be at most 100 characters; this one has 160"),
        ("UTIM", "edit 1 meeting:" + "ß" * 150, "A meeting name can be at most 200 characters; this one has 300"),
        ("UTIM", 'assign 1 owner:"' + "o" * 250 + '"', "A named owner can be at most 200 characters"),
        ("UADMIN", f"settings nudges:{TWENTY}", "The nudge days, written out, can be at most 40 characters"),
        ("UADMIN", "region add " + "r" * 101, "A region name can be at most 100 characters; this one has 101"),
        ("UADMIN", "region add " + "ß" * 60, "A region name can be at most 100 characters; this one has 120"),
        ("UADMIN", "region add Asia alias:" + "ß" * 60, "A region alias can be at most 100 characters"),
        ("UADMIN", "region add Asia channel:<#C" + "1" * 300 + "|asia>", "A channel ID can be at most 255 characters"),
    ],
)
def test_a_field_too_long_to_store_is_refused_naming_its_limit(seeded, driver, errors_logged, user, text, expected):
    assert expected in refused_cleanly(driver, seeded, errors_logged, user, text)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("settings tz:America", "“America” is not a time zone I know"),
        ("settings tz:Europe", "is not a time zone I know"),
        ("settings tz:" + "Europe/Zurich" * 25, "A time zone can be at most 64 characters"),
        ("settings tz:../../etc/passwd", "is not a time zone I know"),
        ("settings tz:Europe/../UTC", "is not a time zone I know"),
        ("region add Foo tz:Europe", "“Europe” is not a time zone I know"),
        ("settings repeat:²", "`repeat:` takes a whole number of days from 0 (never) to 90"),
        ("settings escalate:３", "`escalate:` takes a whole number of days"),
        ("settings repeat:1_0", "`repeat:` takes a whole number of days"),
        ("settings nudges:-3,０,1", "Nudge days are whole numbers of days from -60"),
        ("settings nudges:-3,٣", "Nudge days are whole numbers of days"),
    ],
)
def test_zones_and_numbers_are_validated_with_a_clear_message(seeded, driver, errors_logged, text, expected):
    assert expected in refused_cleanly(driver, seeded, errors_logged, "UADMIN", text)


@pytest.mark.parametrize(
    "text",
    [
        "settings tz:America",
        "settings tz:" + "x" * 300,
        "settings repeat:²",
        "settings nudges:" + TWENTY,
        "settings bogus:1",
        "region add Foo tz:Europe",
        "region add " + "ß" * 80,
        "region add Foo days:funday",
        "region edit",
        "region frobnicate",
    ],
)
def test_a_bystander_hears_admins_only_before_any_argument_is_read(seeded, driver, errors_logged, text):
    assert "Only a workspace admin can" in refused_cleanly(driver, seeded, errors_logged, "UTIM", text)
    # reading stays open to everyone
    assert "Only a workspace admin" not in all_text(driver.command("UTIM", "settings").json())
    assert "Global" in all_text(driver.command("UTIM", "region list").json())


def test_the_action_form_shows_the_limit_on_its_field(seeded, driver, slack, errors_logged):
    driver.command("UTIM", "add")
    view = slack.calls_to("views.open")[-1].params["view"]
    before = snapshot(seeded)
    for values, block, words in [
        (form_values(title="Plan", group="ß" * 80), "group", "A group name can be at most 100 characters"),
        (form_values(title="Plan", meeting="m" * 201), "meeting", "A meeting name can be at most 200"),
        (form_values(title="Plan", named="Team\n" + "n" * 201), "named", "A named owner can be at most 200"),
        (form_values(title="t" * 501), "title", "An action's title can be at most 500 characters"),
    ]:
        reply = driver.submit("UTIM", view, values).json()
        assert reply["response_action"] == "errors" and list(reply["errors"]) == [block], reply
        assert words in reply["errors"][block]
    assert snapshot(seeded) == before and errors_logged() == []


def test_the_region_form_shows_the_limit_and_the_zone_on_their_fields(seeded, driver, slack, errors_logged):
    driver.command("UADMIN", "region edit Global")
    view = slack.calls_to("views.open")[-1].params["view"]
    before = snapshot(seeded)
    for values, block, words in [
        (region_values("ß" * 60), "name", "A region name can be at most 100 characters; this one has 120"),
        (region_values("Global", aliases="ß" * 51), "aliases", "A region alias can be at most 100"),
        (region_values("Global", tz="America"), "tz", "“America” is not a time zone I know"),
        (region_values("Global", days="mon-funday"), "days", "I can't read the working days"),
    ]:
        reply = driver.submit("UADMIN", view, values).json()
        assert reply["response_action"] == "errors" and list(reply["errors"]) == [block], reply
        assert words in reply["errors"][block]
    assert snapshot(seeded) == before and errors_logged() == []


MATRIX = (
    "Action,By whom,Due,Group\n"
    "Draft the plan,Tim Boyle,2014-12-01,KM\n"
    f"Share the budget,{'o' * 210},2014-12-02,{'ß' * 60}\n"
)


def test_the_import_preview_flags_row_and_cell_and_confirm_says_why(seeded, driver, slack, errors_logged):
    driver.command("UTIM", "import")
    form = slack.calls_to("views.open")[-1].params["view"]
    before = snapshot(seeded)
    reply = driver.submit("UTIM", form, import_values(MATRIX)).json()
    assert reply["response_action"] == "update"
    shown = all_text(reply["view"])
    assert "Row 2, group cell: A group name can be at most 100 characters; this one has 120" in shown
    assert "Row 2, by-whom cell: A named owner can be at most 200 characters; this one has 210" in shown
    row = next(
        b["text"]["text"] for b in reply["view"]["blocks"] if b.get("text", {}).get("text", "").startswith("*Row 2*")
    )
    assert ":x: group cell:" in row and ":x: by-whom cell:" in row
    assert "nothing will be imported until they are shortened" in shown

    confirmed = driver.submit("UTIM", reply["view"], {}).json()
    said = all_text(confirmed["view"])
    assert confirmed["response_action"] == "update" and SORRY not in said
    assert "Nothing was imported: Row 2, by-whom cell: A named owner can be at most 200 characters" in said
    assert "Row 2, group cell" in said
    seeded.ctx.settle()
    assert snapshot(seeded) == before and errors_logged() == []


def test_an_import_meeting_too_long_is_refused_on_its_field(seeded, driver, slack, errors_logged):
    driver.command("UTIM", "import")
    form = slack.calls_to("views.open")[-1].params["view"]
    reply = driver.submit(
        "UTIM", form, import_values(MATRIX.splitlines()[0] + "\nPlan,Tim,,KM\n", meeting="ß" * 150)
    ).json()
    assert reply["response_action"] == "errors"
    assert reply["errors"] == {
        "meeting": "A meeting name can be at most 200 characters; this one has 300 "
        "(some letters, like “ß”, count twice once case is folded)."
    }
    assert errors_logged() == []


def test_the_confirm_of_a_forged_preview_still_says_why(seeded, driver, slack, errors_logged):
    """A preview whose rows were fine when shown but are not on Confirm (here: its packed data edited)."""
    driver.command("UTIM", "import")
    form = slack.calls_to("views.open")[-1].params["view"]
    preview = driver.submit("UTIM", form, import_values("Action,By whom\nPlan,Tim\n")).json()["view"]
    from handlers.slack.views.import_form import pack

    data = unpack(preview["private_metadata"])
    forged = {**preview, "private_metadata": pack({**data, "group": "g" * 101})}
    said = all_text(driver.submit("UTIM", forged, {}).json()["view"])
    assert "A group name can be at most 100 characters; this one has 101" in said and SORRY not in said
    assert errors_logged() == []


def test_the_cli_refuses_a_bad_zone_or_a_long_name_like_the_bot(db_url, tmp_path):
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    for args, words in [
        (["Foo", "--tz", "Europe"], "“Europe” is not a time zone I know"),
        (["Foo", "--tz", "../../etc/passwd"], "is not a time zone I know"),
        (["Foo", "--tz", "x" * 300], "A time zone can be at most 64 characters"),
        (["ß" * 60], "A region name can be at most 100 characters; this one has 120"),
        (["Foo", "--alias", "a" * 101], "A region alias can be at most 100 characters"),
        (["Foo", "--lead", "U" * 300], "A user ID can be at most 255 characters"),
    ]:
        done = actionbot("region", "add", *args, "--workspace", TEAM, cwd=tmp_path, env=env)
        assert done.returncode == 2, (args[:1], done.stderr[-500:])
        assert words in done.stderr and "Traceback" not in done.stderr and " ERROR " not in done.stderr
    listed = actionbot("region", "list", "--workspace", TEAM, cwd=tmp_path, env=env).stdout
    assert "Global" in listed and "Foo" not in listed


def test_the_cli_import_names_the_row_and_cell_and_imports_nothing(db_url, tmp_path):
    matrix = tmp_path / "matrix.csv"
    matrix.write_text(MATRIX, encoding="utf-8")
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    assert actionbot("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    assert actionbot("region", "add", "Global", "--workspace", TEAM, cwd=tmp_path, env=env).returncode == 0
    dry = actionbot("import", str(matrix), "--workspace", TEAM, "--dry-run", cwd=tmp_path, env=env)
    assert "error: Row 2, group cell: A group name can be at most 100 characters" in dry.stdout
    real = actionbot("import", str(matrix), "--workspace", TEAM, cwd=tmp_path, env=env)
    assert real.returncode == 2 and "Traceback" not in real.stderr and " ERROR " not in real.stderr
    assert "Nothing was imported: Row 2, by-whom cell" in real.stderr
    assert (
        actionbot("list", "all", "--workspace", TEAM, cwd=tmp_path, env=env).stdout.splitlines()[-1]
        == "0 actions (! = overdue)"
    )
