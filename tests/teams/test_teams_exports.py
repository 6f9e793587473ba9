"""`export` and `calendar` from Teams, end to end on SQLite and PostgreSQL: signed activities to the real
`POST /api/messages` (build_runtime, waitress) against the Bot Connector stand-in, and the links fetched
over HTTP from the same server. A link goes to the asker's personal chat only; it serves that tenant's
actions matching the filters, until it expires; nothing logs its secret."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
import urllib.error
import urllib.request

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from sqlalchemy import select  # noqa: E402

from bot.runtime import BackgroundServer, build_runtime  # noqa: E402
from handlers.teams.devkit.driver import TeamsDriver  # noqa: E402
from store.models import ExportLink  # noqa: E402
from tests.cli.test_csv_injection import unsafe_cells  # noqa: E402
from tests.conftest import WORKSHOP_NOW, Clock  # noqa: E402
from tests.teams.teams_runtime import buttons, card_of, say, teams_config, texts  # noqa: E402

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))
OTHER_TENANT = "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"
SECRET_IN = re.compile(r"/(?:exports|calendar)/([A-Za-z0-9_-]+)\.(?:csv|ics)")


@pytest.fixture
def served(standin, db_url):
    """The bot serving Teams, its public URL the server's own; Ana (an admin) has added two regions."""
    standin.ana = standin.add_user("Ana Admin", email="ana@contoso.test", tz="America/Bogota")
    clock = Clock(WORKSHOP_NOW)
    runtime = build_runtime(teams_config(standin, db_url, TEAMS_ADMINS="ana@contoso.test"), clock=clock)
    server = BackgroundServer(runtime).start()
    runtime.served["teams"].ctx.public_url = server.url
    driver = TeamsDriver(standin, server.url + "/api/messages")
    for region in ("LAC", "Africa"):
        assert region in texts(say(driver, standin, standin.ana, f"region add {region}"))
    standin.reset()
    yield driver, runtime, server, clock
    server.stop()
    runtime.shutdown(wait=True)
    runtime.db.dispose()


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with OPENER.open(url, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def download_url(content: dict) -> str:
    (button,) = [b for b in buttons(content) if b.get("title") == "Download CSV"]
    assert button["type"] == "Action.OpenUrl"
    return button["url"]


def csv_rows(body: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


def sent_to(standin, conversation: str) -> list:
    return [s for s in standin.sent if (s.conversation_id or "").split(";")[0] == conversation.split(";")[0]]


def shown_plain(content: dict) -> str:
    """A card's texts as Teams shows them: Markdown escapes (`\\_`) undone."""
    return re.sub(r"\\(.)", r"\1", texts(content))


def links_in(sent) -> list[str]:
    """The secrets of every link in what was sent (a card's Markdown escapes dropped)."""
    return SECRET_IN.findall(repr([s.body for s in sent]).replace("\\", ""))


def test_export_in_the_personal_chat_answers_a_link_to_the_csv(served, standin):
    driver, _, server, _ = served
    say(driver, standin, standin.lina, "add Write the LAC report owner:Lina due Dec 5 region:LAC")
    say(driver, standin, standin.lina, "add Call Nairobi due Dec 8 region:Africa")
    say(driver, standin, standin.lina, "add Old LAC task region:LAC")
    say(driver, standin, standin.lina, "done 3")
    content = say(driver, standin, standin.lina, "export region:LAC")
    shown = texts(content)
    assert "**1 action** · region:LAC" in shown
    assert "24 hours, until Sat 22 Nov 2014, 18:00 (Africa/Nairobi)" in shown  # 15:00 UTC + 24 h, her zone
    url = download_url(content)
    assert url.startswith(server.url + "/exports/") and url.endswith(".csv")

    status, headers, body = get(url)
    assert status == 200
    assert headers["Content-Type"] == "text/csv; charset=utf-8"
    assert headers["Content-Disposition"] == 'attachment; filename="actions-20141121.csv"'
    assert headers["Cache-Control"] == "no-store"
    rows = csv_rows(body)
    assert [(r["number"], r["title"], r["region"]) for r in rows] == [("1", "Write the LAC report", "LAC")]

    everything = say(driver, standin, standin.lina, "export all")
    assert "**3 actions** · all" in texts(everything)
    assert sorted(r["title"] for r in csv_rows(get(download_url(everything))[2])) == [
        "Call Nairobi",
        "Old LAC task",
        "Write the LAC report",
    ]


def own(driver, standin, user, title: str) -> None:
    """`add <title> @them` typed by them: an action they own."""
    before = len(standin.sent_of("send"))
    assert driver.post(driver.message(user, f"add {title} <at>{user['name']}</at>", [user])).status == 200
    assert "Added" in texts(card_of(standin.wait_for("send", before + 1)[-1]))


def test_the_file_is_made_when_the_link_is_opened_and_dies_after_a_day(served, standin):
    driver, _, _, clock = served
    own(driver, standin, standin.lina, "First")
    own(driver, standin, standin.tim, "Tim's")
    url = download_url(say(driver, standin, standin.lina, "export mine"))
    own(driver, standin, standin.lina, "Second")
    clock.now = WORKSHOP_NOW + dt.timedelta(hours=23, minutes=59)
    status, _, body = get(url)
    assert status == 200 and [r["title"] for r in csv_rows(body)] == ["First", "Second"]  # as of the click

    clock.now = WORKSHOP_NOW + dt.timedelta(hours=24)
    status, headers, body = get(url)
    assert (status, body, headers["Cache-Control"]) == (404, b"", "no-store")


def test_wrong_and_malformed_secrets_are_404_and_say_nothing(served, standin):
    driver, _, server, _ = served
    say(driver, standin, standin.lina, "add Something")
    url = download_url(say(driver, standin, standin.lina, "export"))
    secret = SECRET_IN.search(url).group(1)
    flipped = ("A" if secret[0] != "A" else "B") + secret[1:]
    for path in (
        f"/exports/{flipped}.csv",
        f"/exports/{secret[:-1]}.csv",
        f"/exports/{secret}x.csv",
        f"/exports/{secret}",
        f"/exports/{secret}.ics",
        "/exports/.csv",
        "/exports/%2e%2e%2fcalendar.csv",
        f"/calendar/{secret}.ics",
    ):
        status, _, body = get(server.url + path)
        assert status == 404, path
        assert b"export" not in body.lower() and b"expired" not in body.lower()
    assert get(url)[0] == 200  # the right one still works


def test_export_asked_in_a_channel_goes_to_the_personal_chat_only(served, standin):
    driver, _, _, _ = served
    say(driver, standin, standin.tim, "add Tim's own owner:Tim region:LAC")  # his personal chat is known
    standin.reset()
    activity = driver.mention(standin.tim, standin.team, "export region:LAC", channel_name="LAC")
    assert driver.post(activity).status == 200
    tims_chat = standin.personal_conversation(standin.tim)
    (private,) = standin.wait_for("send", predicate=lambda s: s.conversation_id == tims_chat)
    assert "**1 action** · region:LAC" in texts(card_of(private))
    assert len(links_in([private])) == 1
    channel = sent_to(standin, activity["conversation"]["id"])
    assert channel and links_in(channel) == []
    assert "I sent you the download link in our personal chat" in texts(card_of(channel[-1]))
    assert "/exports/" not in repr([s.body for s in channel])


def test_someone_who_never_wrote_to_the_bot_gets_a_chat_opened(served, standin):
    driver, _, _, _ = served
    activity = driver.mention(standin.lina, standin.team, "calendar", channel_name="LAC")
    assert driver.post(activity).status == 200
    linas_chat = standin.personal_conversation(standin.lina)
    (private,) = standin.wait_for("send", predicate=lambda s: s.conversation_id == linas_chat)
    assert [c.status for c in standin.sent_of("create")] == [201]
    assert "The address of your calendar feed:" in texts(card_of(private))
    assert len(links_in([private])) == 1
    channel = sent_to(standin, activity["conversation"]["id"])
    assert "I sent you your calendar address in our personal chat" in texts(card_of(channel[-1]))
    assert links_in(channel) == []


def test_someone_the_bot_cannot_reach_privately_is_told_how_and_no_link_is_posted(served, standin):
    driver, runtime, _, _ = served
    standin.uninstall(standin.tim)  # the app not installed for him: opening his chat is refused
    for asked in ("export", "calendar"):
        standin.reset()
        activity = driver.mention(standin.tim, standin.team, asked, channel_name="LAC")
        assert driver.post(activity).status == 200
        answer = standin.wait_for("send")[-1]
        assert answer.conversation_id == activity["conversation"]["id"]
        shown = texts(card_of(answer))
        assert "I can't reach you in a personal chat yet" in shown and "Open a chat with me" in shown
        assert links_in(standin.sent) == []
        assert [c.status for c in standin.sent_of("create")] == [403]
    with runtime.db.reading() as s:
        assert s.scalars(select(ExportLink)).all() == []  # nothing minted for a link never sent


def test_calendar_in_the_personal_chat_gives_the_feed_and_it_serves(served, standin):
    driver, _, server, _ = served
    own(driver, standin, standin.lina, "Write the LAC report due Dec 5 region:LAC")
    content = say(driver, standin, standin.lina, "calendar")
    shown = shown_plain(content)
    (secret,) = SECRET_IN.findall(shown)
    url = f"{server.url}/calendar/{secret}.ics"
    assert url in shown
    status, headers, body = get(url)
    assert status == 200 and headers["Content-Type"].startswith("text/calendar")
    assert b"Write the LAC report" in body
    reset = texts(say(driver, standin, standin.lina, "calendar reset"))
    assert "A new address for your calendar feed" in reset and secret not in reset
    assert get(url)[0] == 404
    region = texts(say(driver, standin, standin.lina, "calendar region:LAC"))
    assert "calendar feed of region **LAC**" in region


def test_another_tenant_exports_its_own_actions_only(served, standin):
    driver, runtime, _, _ = served
    say(driver, standin, standin.lina, "add Contoso secret plan region:LAC")
    fred = standin.add_user("Fred Other", tenant_id=OTHER_TENANT, email="fred@fabrikam.test")
    say(driver, standin, fred, "add Fabrikam task")
    freds = say(driver, standin, fred, "export all")
    assert "**1 action**" in texts(freds)
    assert [r["title"] for r in csv_rows(get(download_url(freds))[2])] == ["Fabrikam task"]
    linas = say(driver, standin, standin.lina, "export all")
    assert [r["title"] for r in csv_rows(get(download_url(linas))[2])] == ["Contoso secret plan"]
    assert "There is no region" in texts(say(driver, standin, fred, "export region:LAC"))  # Contoso's region
    with runtime.db.reading() as s:
        assert len(s.scalars(select(ExportLink)).all()) == 2  # the refused export minted nothing


def test_cells_a_spreadsheet_would_run_are_guarded(served, standin):
    driver, _, _, _ = served
    say(driver, standin, standin.lina, 'add =HYPERLINK("http://evil.example/","Click") group:-KM')
    say(driver, standin, standin.lina, "add @SUM(1+1)")
    say(driver, standin, standin.lina, "note 1 +1 call me")
    rows = csv_rows(get(download_url(say(driver, standin, standin.lina, "export")))[2])
    by_number = {r["number"]: r for r in rows}
    assert by_number["1"]["title"] == "'" + '=HYPERLINK("http://evil.example/","Click")'
    assert by_number["1"]["group"] == "'-KM" and by_number["1"]["notes"] == "'+1 call me"
    assert unsafe_cells(rows) == []


def test_without_a_public_url_no_link_is_made_and_the_person_is_told(served, standin):
    driver, runtime, _, _ = served
    runtime.served["teams"].ctx.public_url = None
    for asked in ("export", "calendar"):
        shown = texts(say(driver, standin, standin.lina, asked))
        assert "ACTIONBOT_PUBLIC_URL" in shown and "/exports/" not in shown and "/calendar/" not in shown
    with runtime.db.reading() as s:
        assert s.scalars(select(ExportLink)).all() == []


def test_no_log_line_holds_a_secret(served, standin, caplog):
    driver, _, server, clock = served
    caplog.set_level(logging.DEBUG)
    own(driver, standin, standin.lina, "Something due Dec 5")
    secrets = SECRET_IN.findall(download_url(say(driver, standin, standin.lina, "export")))
    secrets += SECRET_IN.findall(shown_plain(say(driver, standin, standin.lina, "calendar")))
    activity = driver.mention(standin.tim, standin.team, "export", channel_name="LAC")
    assert driver.post(activity).status == 200
    tims_chat = standin.personal_conversation(standin.tim)
    secrets += links_in(standin.wait_for("send", predicate=lambda s: s.conversation_id == tims_chat))
    assert len(secrets) == 3
    for secret in secrets:
        for path in (f"/exports/{secret}.csv", f"/calendar/{secret}.ics"):
            get(server.url + path)
    clock.now = WORKSHOP_NOW + dt.timedelta(days=2)
    get(f"{server.url}/exports/{secrets[0]}.csv")  # expired
    logged = "\n".join(r.getMessage() + repr(r.args) + str(r.exc_info) for r in caplog.records)
    assert "export downloaded" in logged and "export link refused" in logged  # the lines exist…
    assert [s for s in secrets if s in logged] == []  # …and name no secret
