"""Teams dialogs end to end: signed invokes POSTed to the real /api/messages (production server stack →
bridge → the SDK App → our listeners → the core) against the loopback Bot Connector stand-in, on SQLite
and PostgreSQL: the add and edit dialogs with field errors, a date input and people from the roster; the
Add note and region dialogs; the message action; the import form (paste, preview, back, confirm)."""

from __future__ import annotations

import threading

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from bot.core.errors import NotFound  # noqa: E402
from bot.core.service import ActionService  # noqa: E402
from handlers.teams.auth import BotFrameworkAuth, SigningKeys  # noqa: E402
from handlers.teams.bridge import TeamsBridge, wsgi_app  # noqa: E402
from handlers.teams.connector import BotConnector, ClientCredentials  # noqa: E402
from handlers.teams.context import TeamsContext  # noqa: E402
from handlers.teams.devkit.driver import TeamsDriver  # noqa: E402
from handlers.teams.dialogs import open_data  # noqa: E402
from handlers.teams.listeners import dialogs, message_action  # noqa: E402
from handlers.teams.sdk_app import SdkHandler, make_app  # noqa: E402
from store.database import Database  # noqa: E402
from tests.conftest import WORKSHOP_NOW, Clock  # noqa: E402
from tests.teams.teams_helpers import serving  # noqa: E402


class Bot:
    def __init__(self, driver: TeamsDriver, actions: ActionService, standin, clock: Clock, courier):
        self.driver, self.actions, self.standin, self.clock, self.courier = driver, actions, standin, clock, courier

    def fetch(self, user: dict, form: str, conversation=None, **extra) -> dict:
        answer = self.driver.post(self.driver.task_fetch(user, open_data(form, **extra), conversation=conversation))
        assert answer.status == 200, answer.body
        return answer.body

    def submit(self, user: dict, data: dict, conversation=None) -> dict:
        answer = self.driver.post(self.driver.task_submit(user, data, conversation=conversation))
        assert answer.status == 200, answer.body
        return answer.body

    def get(self, number: int, tenant: str | None = None):
        return self.actions.get(tenant or self.standin.tenant_id, number, self.clock())


class Courier:
    """Records what new owners the forms ask to be told (the scheduler's courier in production)."""

    def __init__(self):
        self.delivered: list[tuple[str, list]] = []
        self.called = threading.Event()

    def deliver(self, team_id: str, notices: list) -> None:
        self.delivered.append((team_id, notices))
        self.called.set()


@pytest.fixture
def bot(standin, db_url):
    db = Database(db_url)
    clock = Clock(WORKSHOP_NOW)
    actions = ActionService(db, platform="teams")
    standin.admin = standin.add_user("Ana Admin", tz="UTC")
    standin.olga = standin.add_user("Olga Outsider", tz="Africa/Nairobi")
    credentials = ClientCredentials(standin.app_id, standin.app_password, standin.token_url)
    connector = BotConnector(credentials)
    ctx = TeamsContext(
        actions=actions,
        connector=connector,
        app_id=standin.app_id,
        admins=frozenset({standin.admin["aadObjectId"].lower(), "eve@contoso.test"}),
        clock=clock,
        courier=Courier(),
    )
    app = make_app(credentials, connector, tenant_id=standin.tenant_id)
    dialogs.register(app, ctx)
    message_action.register(app, ctx)
    bridge = TeamsBridge(BotFrameworkAuth(standin.app_id, SigningKeys(standin.metadata_url)), SdkHandler(app))
    with serving(wsgi_app(bridge)) as url:
        yield Bot(TeamsDriver(standin, url + "/api/messages"), actions, standin, clock, ctx.courier)
    bridge.run(connector.aclose())
    bridge.loop.stop()
    db.dispose()


def card_of(answer: dict) -> dict:
    task = answer["task"]
    assert task["type"] == "continue", answer
    attachment = task["value"]["card"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def elements(card: dict) -> dict[str, dict]:
    return {e["id"]: e for e in card["body"] if "id" in e}


def errors_of(card: dict) -> dict[str, str]:
    """Each field error and the ID of the input right above it."""
    found, previous = {}, None
    for element in card["body"]:
        if element.get("id", "").startswith("error."):
            field = element["id"][len("error.") :]
            assert previous == field, f"the error for {field} is not under it"
            assert element["color"] == "attention"
            found[field] = element["text"]
        previous = element.get("id")
    return found


def said(card: dict) -> str:
    """The words a card shows, its markdown and plain blocks alike."""
    out = []
    for element in card["body"]:
        if element["type"] == "TextBlock":
            out.append(element["text"])
        elif element["type"] == "RichTextBlock":
            out.append("".join(i["text"] for i in element["inlines"]))
    return "\n".join(out)


def save_data(card: dict) -> dict:
    (action,) = [a for a in card["actions"] if a["type"] == "Action.Submit"]
    return dict(action["data"])


def add_form(**fields) -> dict:
    return {"form": "add", **fields}


# -- add ----------------------------------------------------------------------------------------


def test_the_add_dialog_offers_a_date_input_and_the_teams_members(bot, standin):
    card = card_of(bot.fetch(standin.lina, "add", conversation=bot.driver.channel(standin.team, "LAC")))
    fields = elements(card)
    assert fields["due"]["type"] == "Input.Date"
    owners = fields["users"]
    assert owners["type"] == "Input.ChoiceSet" and owners["isMultiSelect"]
    offered = {c["value"]: c["title"] for c in owners["choices"]}
    assert offered == {standin.lina["aadObjectId"]: "Lina Haddad", standin.tim["aadObjectId"]: "Tim Boyle"}
    assert standin.sent_of("members"), "the roster was read from the Bot Connector"
    assert fields["title"]["isRequired"] and "value" not in fields["title"]


def test_a_saved_add_form_creates_the_action_and_echoes_the_date(bot, standin):
    tim = standin.tim["aadObjectId"]
    answer = bot.submit(
        standin.lina,
        add_form(title="Draft the  KM strategy", users=tim, named="KM Coordinators", due="2014-11-28", group="KM"),
        conversation=bot.driver.channel(standin.team, "LAC"),
    )
    assert answer == {"task": {"type": "message", "value": "Added #1: Draft the KM strategy (due Fri 28 Nov 2014)."}}
    action = bot.get(1)
    assert action.title == "Draft the KM strategy"
    assert action.due.date.isoformat() == "2014-11-28"
    assert [(o.user_id, o.name) for o in action.owners] == [(tim, "Tim Boyle"), (None, "KM Coordinators")]
    assert action.group == "KM"
    assert action.created_by == standin.lina["aadObjectId"]
    assert action.channel_id == standin.channel(standin.team, "LAC")
    with pytest.raises(NotFound):  # another tenant sees nothing
        bot.actions.get("00000000-0000-0000-0000-000000000001", 1, bot.clock())


def test_new_owners_are_handed_to_the_courier(bot, standin):
    tim = standin.tim["aadObjectId"]
    bot.submit(standin.lina, add_form(title="Tell Tim", users=tim, due="2014-11-28"))
    assert bot.courier.called.wait(10)
    ((tenant, notices),) = bot.courier.delivered
    assert tenant == standin.tenant_id and len(notices) == 1
    bot.courier.called.clear()
    bot.submit(standin.lina, add_form(title="Nobody to tell", named="KM team"))
    bot.submit(standin.lina, add_form(title="Tell Tim again", users=tim))
    assert bot.courier.called.wait(10)
    assert [len(n) for _, n in bot.courier.delivered] == [1, 1]  # none for the action without people


def test_a_personal_chat_offers_the_people_the_bot_has_met(bot, standin):
    bot.fetch(standin.tim, "add")  # Tim talks to the bot once
    card = card_of(bot.fetch(standin.lina, "add"))  # Lina's own chat: its roster is Lina alone
    offered = {c["value"]: c["title"] for c in elements(card)["users"]["choices"]}
    assert offered == {standin.lina["aadObjectId"]: "Lina Haddad", standin.tim["aadObjectId"]: "Tim Boyle"}


def test_the_form_opens_when_the_roster_cannot_be_read(bot, standin):
    standin.fail("members", status=403, code="Forbidden", times=5)  # permanent: not retried
    card = card_of(bot.fetch(standin.lina, "add", conversation=bot.driver.channel(standin.team, "LAC")))
    offered = {c["value"] for c in elements(card)["users"]["choices"]}
    assert offered == {standin.lina["aadObjectId"]}  # the person acting, at least


def test_field_errors_show_under_their_fields_and_nothing_is_saved(bot, standin):
    answer = bot.submit(standin.lina, add_form(title="  ", due="2014-11-01", group="KM"))
    card = card_of(answer)
    errors = errors_of(card)
    assert errors == {
        "title": "Say what is to be done.",
        "due": "That date has passed. Pick another, or tick “Keep a date that has passed”.",
    }
    fields = elements(card)
    assert fields["due"]["value"] == "2014-11-01" and fields["group"]["value"] == "KM"  # kept as submitted
    assert save_data(card) == {"form": "add"}
    with pytest.raises(NotFound):
        bot.get(1)
    answer = bot.submit(standin.lina, add_form(title="Both", due="2014-12-01", due_opts="ongoing"))
    assert errors_of(card_of(answer)) == {"due_opts": "Either pick a due date or tick Ongoing, not both."}
    answer = bot.submit(standin.lina, add_form(title="Odd date", due="31/12/2014"))
    assert errors_of(card_of(answer)) == {"due": "Pick the date from the calendar."}
    answer = bot.submit(standin.lina, add_form(title="Forged owner", users="29:not-an-object-id"))
    assert errors_of(card_of(answer)) == {"users": "Choose the owners from the list."}


def test_a_core_limit_shows_on_its_field(bot, standin):
    card = card_of(bot.submit(standin.lina, add_form(title="Long group", group="G" * 101)))
    assert list(errors_of(card)) == ["group"]
    assert "100" in errors_of(card)["group"]


def test_hostile_submissions_get_a_short_answer(bot, standin):
    for data in (
        {"form": "add", "title": ["a list"], "users": {"x": 1}},
        {"form": "edit", "n": "twelve"},
        {"form": "edit", "n": True},
        {"form": "nonsense"},
        {},
    ):
        answer = bot.submit(standin.lina, data)
        assert answer["task"]["type"] == "continue"
    with pytest.raises(NotFound):
        bot.get(1)
    not_a_person = bot.driver.task_submit(standin.lina, add_form(title="x"))
    del not_a_person["from"]["aadObjectId"]
    answer = bot.driver.post(not_a_person)
    assert answer.status == 200 and "cannot" in str(answer.body)


# -- edit ---------------------------------------------------------------------------------------


def _add(bot, standin, **fields) -> int:
    answer = bot.submit(standin.lina, add_form(**fields))
    assert answer["task"]["type"] == "message", answer
    return int(answer["task"]["value"].split("#")[1].split(":")[0])


def test_the_edit_dialog_is_prefilled_and_saves_with_a_field_error_first(bot, standin):
    tim = standin.tim["aadObjectId"]
    number = _add(bot, standin, title="Share the matrix", users=tim, due="2014-11-25")
    card = card_of(bot.fetch(standin.lina, "edit", n=number))
    fields = elements(card)
    assert fields["title"]["value"] == "Share the matrix"
    assert fields["due"]["value"] == "2014-11-25"
    assert fields["users"]["value"] == tim
    data = save_data(card)
    assert data == {"form": "edit", "n": number, "kept_due": "2014-11-25"}

    answer = bot.submit(standin.lina, {**data, "title": "Share the matrix", "users": tim, "due": "2014-11-02"})
    assert errors_of(card_of(answer)) == {
        "due": "That date has passed. Pick another, or tick “Keep a date that has passed”."
    }
    assert bot.get(number).due.date.isoformat() == "2014-11-25"

    answer = bot.submit(
        standin.lina, {**data, "title": "Share the final matrix", "users": tim, "due": "2014-11-27", "note": "v2"}
    )
    assert answer["task"] == {
        "type": "message",
        "value": f"Updated #{number}: Share the final matrix (due Thu 27 Nov 2014).",
    }
    action = bot.get(number)
    assert action.title == "Share the final matrix" and action.due.date.isoformat() == "2014-11-27"
    assert action.notes == ("v2",)


def test_a_bystander_cannot_open_or_save_an_edit(bot, standin):
    number = _add(bot, standin, title="Lina's own")
    refused = bot.fetch(standin.olga, "edit", n=number)
    assert "Edit" in refused["task"]["value"]["title"]
    assert "users" not in elements(card_of(refused))
    answer = bot.submit(standin.olga, {"form": "edit", "n": number, "title": "Taken over"})
    assert "title" in errors_of(card_of(answer))
    assert bot.get(number).title == "Lina's own"
    missing = card_of(bot.fetch(standin.lina, "edit", n=999))
    assert "999" in said(missing)


# -- note ---------------------------------------------------------------------------------------


def test_add_note_dialog(bot, standin):
    number = _add(bot, standin, title="Report back")
    card = card_of(bot.fetch(standin.lina, "note", n=number))
    assert card["body"][0]["inlines"][0]["text"] == f"#{number} Report back"
    empty = bot.submit(standin.lina, {"form": "note", "n": number, "text": "   "})
    assert errors_of(card_of(empty)) == {"text": "Write a note, or close this dialog."}
    done = bot.submit(standin.lina, {"form": "note", "n": number, "text": "Sent to the regions"})
    assert done["task"] == {"type": "message", "value": f"Note added to #{number}."}
    assert bot.get(number).notes == ("Sent to the regions",)
    bystander = bot.submit(standin.olga, {"form": "note", "n": number, "text": "mine now"})
    assert "text" in errors_of(card_of(bystander))
    assert bot.get(number).notes == ("Sent to the regions",)


# -- region -------------------------------------------------------------------------------------


def _region(bot, standin, name="Latin America", alias="LAC"):
    from bot.core.records import Actor
    from bot.core.regions import RegionService, RegionSpec

    actor = Actor(standin.admin["aadObjectId"], is_admin=True)
    RegionService(bot.actions).add(standin.tenant_id, actor, RegionSpec(name=name, aliases=[alias]), bot.clock())


def test_region_dialog_for_admins_with_field_errors(bot, standin):
    _region(bot, standin)
    conversation = bot.driver.channel(standin.team, "LAC")
    refused = card_of(bot.fetch(standin.lina, "region", name="LAC", conversation=conversation))
    assert "admin" in said(refused)
    card = card_of(bot.fetch(standin.admin, "region", name="LAC", conversation=conversation))
    fields = elements(card)
    assert fields["name"]["value"] == "Latin America" and fields["aliases"]["value"] == "LAC"
    lac = standin.channel(standin.team, "LAC")
    assert lac in {c["value"] for c in fields["channel"]["choices"]}
    data = save_data(card)
    assert data == {"form": "region", "region": "Latin America"}
    bad = bot.submit(
        standin.admin,
        {**data, "name": "Latin America", "aliases": "LAC", "days": "someday", "summary": "mon 09:00"},
        conversation=conversation,
    )
    assert list(errors_of(card_of(bad))) == ["days"]
    good = bot.submit(
        standin.admin,
        {
            **data,
            "name": "LAC region",
            "aliases": "LAC, Latam",
            "channel": lac,
            "lead": standin.tim["aadObjectId"],
            "tz": "America/Bogota",
            "days": "mon-fri",
            "summary": "tue 10:00",
        },
        conversation=conversation,
    )
    assert good["task"] == {"type": "message", "value": "Saved the region LAC region."}
    region = bot.actions and __import__("bot.core.regions", fromlist=["RegionService"]).RegionService(bot.actions).get(
        standin.tenant_id, "Latam", bot.clock()
    )
    assert (region.name, region.channel_id, region.lead_user_id, region.timezone, region.summary_schedule) == (
        "LAC region",
        lac,
        standin.tim["aadObjectId"],
        "America/Bogota",
        "tue 10:00",
    )
    eve = standin.add_user("Eve Example", email="Eve@Contoso.test")  # TEAMS_ADMINS names her address
    assert "name" in elements(card_of(bot.fetch(eve, "region", name="LAC region")))
    not_admin = bot.submit(standin.lina, {**data, "name": "Mine", "days": "mon-fri", "summary": "mon 09:00"})
    assert "admin" in said(card_of(not_admin))


# -- the message action -------------------------------------------------------------------------


def test_create_follow_up_from_a_message_keeps_its_link(bot, standin):
    message = {"id": "1700000000999", "text": "Send the budget <figures> & the plan to Tim", "from": standin.tim}
    conversation = bot.driver.channel(standin.team, "LAC")
    fetched = bot.driver.post(
        bot.driver.message_action_fetch(standin.lina, "createFollowUpAction", message, conversation=conversation)
    )
    assert fetched.status == 200
    card = card_of(fetched.body)
    assert elements(card)["title"]["value"] == "Send the budget <figures> & the plan to Tim"
    link = "https://teams.microsoft.com/l/message/19:standin@thread.v2/1700000000999"
    assert "[this message](" + link + ")" in said(card)
    data = save_data(card)
    assert data == {"form": "add", "link": link}

    def submit(fields: dict):
        return bot.driver.post(
            bot.driver.message_action_submit(
                standin.lina, "createFollowUpAction", {**data, **fields}, message, conversation=conversation
            )
        )

    wrong = submit({"title": "", "due": "2014-11-20"})
    assert wrong.status == 200 and set(errors_of(card_of(wrong.body))) == {"title", "due"}
    assert save_data(card_of(wrong.body))["link"] == link
    done = submit({"title": elements(card)["title"]["value"], "users": standin.tim["aadObjectId"], "due": "2014-11-24"})
    assert done.body == {
        "task": {
            "type": "message",
            "value": "Added #1: Send the budget <figures> & the plan to Tim (due Mon 24 Nov 2014).",
        }
    }
    action = bot.get(1)
    assert action.permalink == link and action.owner_ids == (standin.tim["aadObjectId"],)


def test_a_forged_link_is_not_kept(bot, standin):
    message = {"text": "Check this", "from": standin.tim}
    answer = bot.driver.post(
        bot.driver.message_action_submit(
            standin.lina, "createFollowUpAction", {"title": "Check this", "link": "javascript:alert(1)"}, message
        )
    )
    assert answer.body["task"]["type"] == "message"
    assert bot.get(1).permalink is None


# -- import -------------------------------------------------------------------------------------

MEETING = "Global KM & Comms Workshop, Nov 2014"


@pytest.fixture
def workshop(bot, standin):
    """A team whose members the seed matrix names, and two regions."""
    people = [
        standin.add_user("Jennifer Fergurson-Mitchel", tz="America/New_York"),
        standin.add_user("Patricia Toquica", tz="America/Bogota"),
        standin.add_user("Lina Salazar", tz="Europe/Zurich"),
    ]
    team = standin.add_team("Workshop", ["General"], members=[standin.tim, *people])
    _region(bot, standin, "Global", "World")
    _region(bot, standin, "Latin America and the Caribbean", "LAC")
    return bot.driver.channel(team, None), {p["name"]: p["aadObjectId"] for p in people}


def test_import_preview_back_and_confirm(bot, standin, workshop):
    from bot.core.grammar import ListQuery
    from tests.helpers import seed_matrix

    conversation, ids = workshop
    form = card_of(bot.fetch(standin.tim, "import", conversation=conversation))
    fields = elements(form)
    assert fields["text"]["isMultiline"] and fields["text"]["isRequired"]
    assert {c["value"] for c in fields["region"]["choices"]} == {"-", "Global", "Latin America and the Caribbean"}
    pasted = {**save_data(form), "text": seed_matrix(), "meeting": MEETING, "region": "Global", "group": "KM"}

    preview = card_of(bot.submit(standin.tim, pasted, conversation=conversation))
    shown = (
        said(preview)
        + "\n"
        + "\n".join(
            i["text"] for c in preview["body"] if c["type"] == "Container" for b in c["items"] for i in b["inlines"]
        )
    )
    assert "5 actions to import" in shown and f"from {MEETING}" in shown
    assert "Jennifer Fergurson-Mitchel (“Jennifer Fergurson-Mitchel”)" in shown
    assert "KM Regional Coordinators (not a member: a named owner)" in shown
    assert "Due: Sat 20 Dec 2014" in shown and "Due: ongoing" in shown
    assert "Row 3" in shown and "Nov 30, 2014" in shown  # the warning about the second date
    assert bot.actions.list(standin.tenant_id, None, ListQuery(status="all"), bot.clock()).total == 0
    buttons = {a["title"]: a["data"] for a in preview["actions"]}
    assert set(buttons) == {"Confirm", "Back"}

    back = card_of(bot.submit(standin.tim, buttons["Back"], conversation=conversation))
    kept = elements(back)
    assert kept["text"]["value"] == seed_matrix() and kept["meeting"]["value"] == MEETING
    assert kept["region"]["value"] == "Global" and kept["group"]["value"] == "KM"

    done = bot.submit(standin.tim, buttons["Confirm"], conversation=conversation)
    assert done == {"task": {"type": "message", "value": "Imported 5 actions: #1–#5."}}
    listing = bot.actions.list(standin.tenant_id, None, ListQuery(status="all"), bot.clock())
    got = {a.number: a for a in listing.actions}
    assert got[3].title == "Submission of LAC KM Region proposal"
    assert got[3].owner_ids == (ids["Patricia Toquica"],) and got[3].due.date.isoformat() == "2014-12-20"
    assert (got[3].region, got[3].group, got[3].meeting) == ("Global", "KM", MEETING)
    assert got[1].owner_ids == (ids["Jennifer Fergurson-Mitchel"],)
    assert [o.name for o in got[1].owners] == ["Jennifer Fergurson-Mitchel"]  # learnt from the roster
    assert [o.label for o in got[2].owners] == ["KM Regional Coordinators"]
    assert got[4].due.kind == "ongoing"


def test_import_mistakes_show_on_the_form(bot, standin, workshop):
    conversation, _ = workshop
    start = {"form": "import", "step": "preview"}
    unreadable = card_of(bot.submit(standin.tim, {**start, "text": "just some words\nand more words"}, conversation))
    assert list(errors_of(unreadable)) == ["text"]
    from tests.helpers import seed_matrix

    unknown = card_of(bot.submit(standin.tim, {**start, "text": seed_matrix(), "region": "Atlantis"}, conversation))
    assert "Atlantis" in errors_of(unknown)["text"]
    empty = card_of(bot.submit(standin.tim, {**start, "text": "  "}, conversation))
    assert list(errors_of(empty)) == ["text"]
    huge = card_of(bot.submit(standin.tim, {**start, "text": "x" * 10_001}, conversation))
    assert "actionbot import" in errors_of(huge)["text"]
    wide = "Action\tBy whom\n" + "".join(f"撰写区域知识管理报告并分发给所有协调员{n}\tTim Boyle\n" for n in range(300))
    too_big = card_of(bot.submit(standin.tim, {**start, "text": wide}, conversation))
    assert len(wide) <= 10_000 and "actionbot import" in errors_of(too_big)["text"]
    long_cell = "Action\tBy whom\tGroup\nShare it\tTim Boyle\t" + "G" * 150 + "\n"
    flagged = card_of(bot.submit(standin.tim, {**start, "text": long_cell}, conversation))
    assert [a["title"] for a in flagged["actions"]] == ["Back"]  # nothing to confirm until it is fixed
    forged = bot.submit(standin.tim, {**start, "text": long_cell, "step": "confirm"}, conversation)
    assert "Nothing was imported" in said(card_of(forged))
    from bot.core.grammar import ListQuery

    assert bot.actions.list(standin.tenant_id, None, ListQuery(status="all"), bot.clock()).total == 0


def test_another_message_command_is_not_taken_for_ours(bot, standin):
    message = {"text": "Check this", "from": standin.tim}
    answer = bot.driver.post(bot.driver.message_action_fetch(standin.lina, "somethingElse", message))
    assert answer.status == 200 and "do not know" in said(card_of(answer.body))
    answer = bot.driver.post(bot.driver.message_action_submit(standin.lina, "somethingElse", {"title": "x"}, message))
    assert "do not know" in said(card_of(answer.body))
    with pytest.raises(NotFound):
        bot.get(1)


def test_a_dialog_remembers_its_sender_as_a_message_would(bot, standin):
    # someone whose first contact is a dialog in their personal chat: their zone and the address a
    # new-owner DM needs are kept, as for a typed message
    from bot.core.addresses import AddressBook
    from bot.core.people import PeopleService
    from handlers.teams.identity import USER

    olga = standin.olga["aadObjectId"]
    assert AddressBook(bot.actions).get(standin.tenant_id, USER, olga) is None
    card_of(bot.fetch(standin.olga, "add"))
    assert AddressBook(bot.actions).get(standin.tenant_id, USER, olga) is not None
    known, _ = PeopleService(bot.actions).known(standin.tenant_id, olga, bot.clock())
    assert known is not None and known.tz == "Africa/Nairobi"
