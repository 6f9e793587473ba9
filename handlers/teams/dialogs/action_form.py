"""The add and edit dialog (one card for both): title, owners chosen from the team's members, named
owners as text, a due date (Input.Date) or Ongoing, region, group, meeting and a note. Opened by
`task/fetch` (a card's Add or Edit button, the message action), saved by `task/submit` through the same
core calls as Slack's form (`ActionService.add` / `replace`), so owners get the same DMs and the history
the same rows. A field's mistake is shown under that field, with the form as it was submitted."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from bot.core.command_input import clean
from bot.core.dates import format_date
from bot.core.errors import UserError
from bot.core.grammar import MAX_NOTE, MAX_TITLE, ActionSpec
from bot.core.owner_cap import MAX_OWNERS, too_many_owners
from bot.core.records import ActionInfo, Outcome
from handlers.teams import dashboards
from handlers.teams.context import TeamsContext
from handlers.teams.dialogs import ADD, EDIT
from handlers.teams.dialogs._cards import (
    card,
    choice,
    choice_set,
    close,
    date_input,
    dialog,
    plain,
    submit,
    text,
    text_input,
    with_errors,
)
from handlers.teams.dialogs._identity import GUID, Where, actor_for, learn_names
from handlers.teams.dialogs._roster import choosable
from handlers.teams.wording import plain as words

log = logging.getLogger("actionbot.teams.action_form")
NO_REGION = "-"
ONGOING, PAST_OK = "ongoing", "past_ok"
MAX_REGION_CHOICES = 500
MAX_LINK = 1000
LINK_PREFIX = "https://teams.microsoft.com/l/message/"
MAX_NUMBER = 10**9
MAX_NAMED = MAX_OWNERS * 201  # every owner a 200-character name, one a line: a stored list is shown whole
TEXT_FIELDS = ("title", "named", "group", "meeting", "note")
OUT_OF_DATE = "This form is out of date; open it again."
SORRY = "Something went wrong on our side and nothing was saved. Please try again."
_later: set[asyncio.Task] = set()  # work after the answer (new owners told), kept until done


# -- the card ---------------------------------------------------------------------------------


def form_card(
    regions: list[str],
    people: dict[str, str],
    values: dict[str, str],
    meta: dict,
    errors: dict[str, str] | None = None,
) -> dict:
    """The form showing `values` (field → text as an input holds it); `meta` travels in the Save button's
    data (`form`, and for an edit `n` and `kept_due`; `link` for an action made from a message)."""
    editing = meta.get("form") == EDIT
    chosen = [u for u in (values.get("users") or "").split(",") if u]
    people = {**{u: u for u in chosen}, **people}  # a chosen person is always among the choices
    current_region = values.get("region") or None
    region_names = list(regions[:MAX_REGION_CHOICES])
    if current_region and current_region != NO_REGION and current_region not in region_names:
        region_names = [current_region] + region_names
    body: list[dict] = []
    if meta.get("link"):
        body.append(text(f"From [this message]({meta['link']})", size="small", isSubtle=True))
    body += [
        text_input(
            "title",
            "Action",
            values.get("title"),
            required=True,
            multiline=True,
            max_length=MAX_TITLE,
            placeholder="What is to be done",
        ),
        choice_set(
            "users",
            "Owners",
            [choice(name, user_id) for user_id, name in sorted(people.items(), key=lambda p: p[1].casefold())],
            ",".join(chosen),
            multi=True,
            filtered=True,
            placeholder=f"People in this team (up to {MAX_OWNERS} owners)",
        ),
        text_input(
            "named",
            "Named owners (teams or roles who are not in Teams, one a line)",
            values.get("named"),
            multiline=True,
            max_length=MAX_NAMED,
            placeholder="KM Regional Coordinators",
        ),
        date_input("due", "Due date", values.get("due")),
        choice_set(
            "due_opts",
            "Due date options",
            [choice("Ongoing (no due date)", ONGOING), choice("Keep a date that has passed", PAST_OK)],
            values.get("due_opts"),
            multi=True,
            expanded=True,
        ),
    ]
    if region_names:
        body.append(
            choice_set(
                "region",
                "Region",
                [choice("No region", NO_REGION)] + [choice(r, r) for r in region_names],
                current_region or NO_REGION,
            )
        )
    body += [
        text_input("group", "Group", values.get("group"), max_length=100, placeholder="KM"),
        text_input("meeting", "Meeting", values.get("meeting"), placeholder="Global KM & Comms Workshop, Nov 2014"),
        text_input(
            "note", "Add a note" if editing else "Notes", values.get("note"), multiline=True, max_length=MAX_NOTE
        ),
    ]
    return card(with_errors(body, errors or {}), [submit("Save", meta, style="positive")])


def heading(meta: dict) -> str:
    return f"Edit #{meta['n']}" if meta.get("form") == EDIT else "New action"


def values_of(action: ActionInfo) -> dict[str, str]:
    """What the edit form shows of a stored action."""
    return {
        "title": action.title,
        "users": ",".join(o.user_id for o in action.owners if o.user_id),
        "named": "\n".join(o.name or "" for o in action.owners if o.user_id is None),
        "due": action.due.date.isoformat() if action.due.kind == "date" and action.due.date else "",
        "due_opts": ONGOING if action.due.kind == "ongoing" else "",
        "region": action.region or "",
        "group": action.group or "",
        "meeting": action.meeting or "",
    }


def owner_names(action: ActionInfo) -> dict[str, str]:
    return {o.user_id: o.name or o.user_id for o in action.owners if o.user_id}


# -- opening ----------------------------------------------------------------------------------


def _regions(ctx: TeamsContext, tenant: str) -> list[str]:
    return [r.name for r in ctx.regions.list(tenant, ctx.clock())]


async def open_add(ctx: TeamsContext, at: Where, *, title: str = "", link: str | None = None) -> dict:
    await ctx.run(actor_for, ctx, at)
    regions = await ctx.run(_regions, ctx, at.tenant)
    people = await choosable(ctx, at)
    meta: dict[str, Any] = {"form": ADD}
    if link:
        meta["link"] = link
    return dialog("New action", form_card(regions, people, {"title": title[:MAX_TITLE]}, meta))


async def open_edit(ctx: TeamsContext, at: Where, number: object) -> dict:
    """The prefilled form, or a dialog saying why it cannot open (unknown number, not allowed)."""
    n = as_number(number)
    if n is None:
        return notice("Edit", OUT_OF_DATE)

    def load() -> tuple[ActionInfo, list[str]]:
        actor = actor_for(ctx, at)
        return ctx.actions.changeable(at.tenant, actor, n, ctx.clock()), _regions(ctx, at.tenant)

    try:
        action, regions = await ctx.run(load)
    except UserError as err:
        return notice(f"Edit #{n}", words(err.message))
    people = {**owner_names(action), **(await choosable(ctx, at))}
    meta = {"form": EDIT, "n": n, "kept_due": action.due.date.isoformat() if action.due.date else None}
    return dialog(f"Edit #{n}", form_card(regions, people, values_of(action), meta))


def notice(title: str, message: str) -> dict:
    """A dialog that only says something (a refusal when opening a form)."""
    return dialog(title, card([plain(message)]), height="small")


# -- reading a submission ---------------------------------------------------------------------


def as_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isdigit() and len(value) <= 10:
        value = int(value)
    return value if isinstance(value, int) and 0 < value < MAX_NUMBER else None


def field(data: dict, name: str, limit: int) -> str:
    """A submitted input as text: control characters removed, anything not text (or absurdly long) empty."""
    value = data.get(name)
    if not isinstance(value, str) or len(value) > limit * 4 + 100:
        return ""
    return clean(value)


def link_of(value: object) -> str | None:
    """A link back to a Teams message, as the message action gave it; anything else is dropped."""
    if isinstance(value, str) and value.startswith(LINK_PREFIX) and len(value) <= MAX_LINK and " " not in value:
        return value
    return None


def submitted_values(data: dict) -> dict[str, str]:
    """The inputs as submitted, to show the form again."""
    limits = {"title": MAX_TITLE, "named": MAX_NAMED, "note": MAX_NOTE, "due": 10, "due_opts": 20, "users": 40 * 50}
    return {name: field(data, name, limits.get(name, 200)) for name in ("region", "group", "meeting", *limits)}


def read_form(data: dict, today: dt.date, kept_due: str | None = None) -> tuple[ActionSpec, dict[str, str]]:
    """The spec a submitted form asks for, and the errors to show under its fields. A past date needs
    confirming unless it is the one the action already had (`kept_due`)."""
    errors: dict[str, str] = {}
    title = " ".join(field(data, "title", MAX_TITLE).split())
    if not title:
        errors["title"] = "Say what is to be done."
    users = [u for u in dict.fromkeys(field(data, "users", 40 * 50).split(",")) if u]
    if any(not GUID.fullmatch(u) for u in users):
        errors["users"] = "Choose the owners from the list."
        users = [u for u in users if GUID.fullmatch(u)]
    named = [n.strip() for n in field(data, "named", MAX_NAMED).splitlines() if n.strip()]
    crowded = too_many_owners(users, named)
    if crowded:
        errors["users"] = words(crowded)
    flags = set(field(data, "due_opts", 20).split(","))
    picked = field(data, "due", 10).strip()
    due_phrase = None
    if ONGOING in flags and picked:
        errors["due_opts"] = "Either pick a due date or tick Ongoing, not both."
    elif ONGOING in flags:
        due_phrase = "ongoing"
    elif picked:
        try:
            day = dt.date.fromisoformat(picked)
        except ValueError:
            errors["due"] = "Pick the date from the calendar."
        else:
            if day < today and PAST_OK not in flags and picked != kept_due:
                errors["due"] = "That date has passed. Pick another, or tick “Keep a date that has passed”."
            due_phrase = day.isoformat()
    region = field(data, "region", 200).strip()
    spec = ActionSpec(
        title=title,
        user_owners=users,
        named_owners=named,
        due_phrase=due_phrase,
        region=None if region in ("", NO_REGION) else region,
        group=field(data, "group", 100).strip() or None,
        meeting=field(data, "meeting", 200).strip() or None,
        note=field(data, "note", MAX_NOTE).strip() or None,
    )
    return spec, errors


def confirmation(outcome: Outcome, editing: bool) -> str:
    action = outcome.action
    due = format_date(action.due.date) if action.due.date else ("ongoing" if action.due.kind == "ongoing" else None)
    said = f"{'Updated' if editing else 'Added'} #{action.number}: {action.title}"
    said += f" (due {due})." if due else " (no due date)."
    extra = [words(c) for c in outcome.changes if c.key in ("change.past_due", "change.snoozed")]
    return said + (" " + " ".join(extra) if extra else "")


# -- saving -----------------------------------------------------------------------------------


async def submit_form(ctx: TeamsContext, at: Where, data: dict) -> dict:
    """Save a submitted add or edit form: the dialog closes with a confirmation, or comes back with the
    errors under their fields. Owners chosen from the roster whom the bot has not met yet are remembered
    by the names the roster gives."""
    editing = data.get("form") == EDIT
    number = as_number(data.get("n")) if editing else None
    if editing and number is None:
        return notice("Edit", OUT_OF_DATE)
    meta: dict[str, Any] = {"form": EDIT if editing else ADD}
    if editing:
        kept = data.get("kept_due")
        meta.update(n=number, kept_due=kept if isinstance(kept, str) and len(kept) == 10 else None)
    link = link_of(data.get("link"))
    if link:
        meta["link"] = link
    people = await choosable(ctx, at)

    def save() -> tuple[dict[str, str], Outcome | None, list[str]]:
        now = ctx.clock()
        actor = actor_for(ctx, at)
        spec, errors = read_form(data, ctx.actions.today_for(at.tenant, actor, now), meta.get("kept_due"))
        if errors:
            return errors, None, _regions(ctx, at.tenant)
        learn_names(ctx, at.tenant, {u: people[u] for u in spec.user_owners if u in people and u != at.user})
        try:
            if editing:
                assert number is not None
                outcome = ctx.actions.replace(at.tenant, actor, number, spec, now)
            else:
                spec.permalink = link
                outcome = ctx.actions.add(at.tenant, actor, spec, now, channel_id=at.channel)
        except UserError as err:  # a field's limit shows on that field; anything else on the title
            where = "users" if err.field == "owners" else err.field if err.field in TEXT_FIELDS else "title"
            return {where: words(err.message)[:300]}, None, _regions(ctx, at.tenant)
        return {}, outcome, []

    try:
        errors, outcome, regions = await ctx.run(save)
    except Exception as err:
        log.error("teams action form failed: %s", type(err).__name__)
        return notice(heading(meta), SORRY)
    if errors or outcome is None:
        return dialog(heading(meta), form_card(regions, people, submitted_values(data), meta, errors))
    after_save(ctx, at, outcome)
    return close(confirmation(outcome, editing))


def after_save(ctx: TeamsContext, at: Where, outcome: Outcome) -> None:
    """After the answer: the dashboards it concerns are refreshed, and the new owners are told through
    the courier (None: the scheduler's sweep tells)."""
    dashboards.after_change(ctx, at.tenant, at.user, outcome.action)
    if ctx.courier is None or not outcome.told:
        return
    courier: Any = ctx.courier  # scheduler.courier.Courier (the context keeps it untyped)
    task = asyncio.get_running_loop().create_task(ctx.run(courier.deliver, at.tenant, list(outcome.told)))
    _later.add(task)
    task.add_done_callback(_done)


def _done(task: asyncio.Task) -> None:
    _later.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning("new owners not told now: %s", type(task.exception()).__name__)
