"""Adaptive Cards for what the scheduler sends in Teams (the Slack side's handlers.slack.render_notices, in
Teams' own terms): nudges with Done, Snooze to next working day, Snooze to next week, a New date input with
Set date, Add note and Edit; a named owner's nudge in a channel mentioning the action's creator; escalations
to a region lead or creator (with Add note); weekly region summaries split into cards of at most
`SUMMARY_ITEMS` items and `MAX_CARD_BYTES` of JSON (the first goes to the channel, the rest into its
thread); and the problem notice telling a creator or lead that a delivery failed for good. Also the card
that replaces a nudge after one of its buttons was pressed (`after_press_card`).

All user text goes through `wording.escape`; due phrases and change lines come from the catalogue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.core.dates import MAX_YEAR, MIN_YEAR, format_date
from bot.core.notices import Notice, RegionSummary, when_due
from bot.core.records import ActionInfo
from handlers.teams import cards, wording
from handlers.teams.wording import escape

SNOOZE_VERB, NEW_DATE_VERB = "snooze", "newdate"
DATE_INPUT = "due"  # the Input.Date's id: its value arrives in the Set date press's data
SNOOZE_UNTIL = ("day", "week")
SUMMARY_ITEMS = 40  # actions (lines) a summary card holds at most
MAX_CARD_BYTES = 48_000  # of a summary card's JSON; Teams refuses ~100 KB and advises under 80 KB
MAX_LINE = 700  # characters of one summary line
OWNERS_PER_LINE = 12
SUMMARY_TITLE = 160


@dataclass(frozen=True)
class Mention:
    """A person to @mention in a channel: their `29:` account ID and their name as Teams shows it."""

    account_id: str
    name: str

    @property
    def tag(self) -> str:
        return f"<at>{escape(self.name)}</at>"

    def entity(self) -> dict:
        return {"type": "mention", "text": self.tag, "mentioned": {"id": self.account_id, "name": self.name}}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def due_phrase(notice: Notice) -> str:
    """**due tomorrow**, on Fri 5 Dec 2014 · **due today** (Fri 5 Dec 2014) · **2 days overdue** (it was due …)."""
    action = notice.action
    assert action is not None and action.due.date is not None  # nudges are about dated actions
    due, days = format_date(action.due.date), notice.days_left or 0
    said = f"**{wording.words(when_due(notice.days_left))}**"
    if days < 0:
        return f"{said} (it was due {due})"
    return said + (f", on {due}" if days > 0 else f" ({due})")


def facts(action: ActionInfo) -> dict:
    rows = [{"title": "Owner" + ("s" if len(action.owners) > 1 else ""), "value": cards.owners_text(action)}]
    rows.append({"title": "Due", "value": cards.due_text(action.due) + (" (overdue)" if action.overdue else "")})
    for label, value in (("Region", action.region), ("Group", action.group)):
        if value:
            rows.append({"title": label, "value": escape(cards.clip(value, 200))})
    return {"type": "FactSet", "facts": rows}


def _title(action: ActionInfo) -> str:
    return f"**#{action.number}** {escape(cards.clip(action.title))}"


# ---- nudges


def snooze_button(number: int, until: str) -> dict:
    title = "Snooze to next week" if until == "week" else "Snooze to next working day"
    return {"type": "Action.Execute", "title": title, "verb": SNOOZE_VERB, "data": {"n": number, "until": until}}


def new_date_set(action: ActionInfo) -> dict:
    """The New date input and its Set date button (it submits the input with the action's number)."""
    date_input: dict[str, Any] = {
        "type": "Input.Date",
        "id": DATE_INPUT,
        "label": "New date",
        "min": f"{MIN_YEAR}-01-01",
        "max": f"{MAX_YEAR}-12-31",
    }  # not isRequired: every Action.Execute on the card submits it, and an empty one must not block Done
    if action.due.kind == "date" and action.due.date is not None:
        date_input["value"] = action.due.date.isoformat()
    set_date = {
        "type": "Action.Execute",
        "title": "Set date",
        "verb": NEW_DATE_VERB,
        "data": {"n": action.number},
        "associatedInputs": "auto",
    }
    return {
        "type": "ColumnSet",
        "columns": [
            {"type": "Column", "width": "stretch", "items": [date_input]},
            {
                "type": "Column",
                "width": "auto",
                "verticalContentAlignment": "Bottom",
                "items": [{"type": "ActionSet", "actions": [set_date]}],
            },
        ],
    }


def nudge_buttons(action: ActionInfo) -> list[dict]:
    n = action.number
    return [
        cards.done_button(n),
        snooze_button(n, "day"),
        snooze_button(n, "week"),
        cards.note_button(n),
        cards.edit_button(n),
    ]


def nudge_activity(notice: Notice, creator: Mention | str | None = None) -> dict:
    """A nudge: to an owner's personal chat, or (a named owner's) to a channel, where `creator` is the
    action's creator, mentioned (a Mention) or named in plain text (a str)."""
    action = notice.action
    assert action is not None
    entities: list[dict] = []
    if notice.recipient.startswith("channel:"):
        lines = [f"⏰ {_title(action)} is {due_phrase(notice)}."]
        if isinstance(creator, Mention):
            lines.append(f"{creator.tag}, you created it: please pass this on to its owners.")
            entities.append(creator.entity())
        elif creator:
            lines.append(f"{escape(creator)} created it: please pass this on to its owners.")
        else:
            lines.append("Please pass this on to its owners.")
    else:
        lines = [f"⏰ Your action {_title(action)} is {due_phrase(notice)}."]
    body = [cards.text_block(line) for line in lines]
    body += [facts(action), new_date_set(action)]
    content = cards.card(body, nudge_buttons(action))
    if entities:
        content["msteams"] = {"entities": entities}  # a mention inside a card is declared on the card
    message = cards.activity(
        content, f"Reminder: #{action.number} {action.title} is {wording.plain(when_due(notice.days_left))}"
    )
    if entities:
        message["entities"] = entities
    return message


def after_press_card(action: ActionInfo, note: str) -> dict:
    """What replaces a nudge after a press: the action as it is now and what happened, with only the
    buttons that still make sense (no Done once done, no Snooze or New date once closed)."""
    body = [cards.text_block(cards.action_line(action)), cards.text_block(note, isSubtle=True)]
    buttons = []
    if action.status == "open":
        buttons.append(cards.done_button(action.number))
        body.append(new_date_set(action))
    buttons += [cards.note_button(action.number), cards.edit_button(action.number)]
    return cards.card(body, buttons)


# ---- escalations


def escalation_activity(notice: Notice, may_note: bool = True) -> dict:
    """An overdue action told to the region's lead (or its creator): what, who owns it, why they hear of
    it, and Add note to record what they learn; `may_note` False (a lead who is neither its creator nor an
    admin, whom the core would refuse) says who can record it instead, with no button."""
    action = notice.action
    assert action is not None
    why = (
        f"You hear about it as the lead of {escape(action.region)}."
        if notice.role == "lead" and action.region
        else "You hear about it as its creator."
    )
    ask = "Ask them how it is going" if len(action.owners) > 1 else "Ask how it is going"
    then = (
        f"{ask}, then record what you hear with Add note."
        if may_note
        else f"{ask}; its owners, its creator or an admin can record what you hear as a note."
    )
    body = [
        cards.text_block(f"🚨 {_title(action)} is {due_phrase(notice)}."),
        facts(action),
        cards.text_block(why),
        cards.text_block(then, isSubtle=True),
    ]
    summary = f"Overdue: #{action.number} {action.title} is {wording.plain(when_due(notice.days_left))}"
    return cards.activity(cards.card(body, [cards.note_button(action.number)] if may_note else None), summary)


# ---- summaries


def _line(action: ActionInfo, extra: str = "") -> str:
    line = f"**#{action.number}** {escape(cards.clip(action.title, SUMMARY_TITLE))} — {cards.owners_text(action)}"
    if extra:
        line += f" · {extra}"
    return cards.clip(line, MAX_LINE)


def summary_groups(s: RegionSummary) -> list[tuple[str, list[str]]]:
    """Headed groups of lines, in the order shown (Slack's groups)."""
    owners = [
        escape(o.label) + f" {o.open}" + (f" ({o.overdue} overdue)" if o.overdue else "")  # a user's label has its @
        for o in s.owners
    ]
    owner_lines = [
        cards.clip(" · ".join(owners[i : i + OWNERS_PER_LINE]), MAX_LINE)
        for i in range(0, len(owners), OWNERS_PER_LINE)
    ]
    return [
        (
            f"🔴 **Overdue ({len(s.overdue)})**",
            [
                _line(a, f"due {format_date(a.due.date)}, **{_plural(late, 'day')} late**")
                for a, late in s.overdue
                if a.due.date is not None
            ],
        ),
        (
            f"📅 **Due in the next 7 days ({len(s.due_soon)})**",
            [_line(a, f"due {format_date(a.due.date)}") for a in s.due_soon if a.due.date is not None],
        ),
        (f"✅ **Done in the last 7 days ({len(s.done)})**", [_line(a) for a in s.done]),
        (f"🆕 **New in the last 7 days ({len(s.new)})**", [_line(a) for a in s.new]),
        ("👤 **Open per owner**", owner_lines),
    ]


def quiet(s: RegionSummary) -> bool:
    """Nothing open, nothing done or new in the last 7 days: the week's summary is one line."""
    return s.open_total == 0 and not s.done and not s.new


FOOTER = (
    "To change one, mention me here with `done <N>`, `due <N> <date>` or `note <N> <text>`, "
    "or write to me in our chat; `list region:<name>` shows the rest."
)


def _size(block: dict) -> int:
    return len(json.dumps(block, ensure_ascii=False).encode())


def summary_activities(s: RegionSummary) -> list[dict]:
    """The summary as one or more cards, each at most SUMMARY_ITEMS lines and MAX_CARD_BYTES; a quiet
    region gets one short line."""
    region, week = escape(cards.clip(s.region, 200)), format_date(s.week_of)
    if quiet(s):
        line = f"📊 **Weekly summary: {region}**, week of {week}: nothing open, and nothing done or new in the last 7 days."
        return [cards.activity(cards.card([cards.text_block(line)]), f"Weekly summary for {s.region}: nothing open")]
    head = [
        cards.text_block(f"📊 **Weekly summary: {region}**, week of {week}", size="Medium"),
        cards.text_block(
            f"{s.open_total} open · {len(s.overdue)} overdue · {len(s.due_soon)} due this week · "
            f"{len(s.done)} done and {len(s.new)} new in the last 7 days · {s.ongoing} ongoing"
        ),
    ]
    pages = _Pages(head)
    for heading, lines in summary_groups(s):
        shown = False  # the heading, on the current card
        for line in lines:
            item = cards.text_block(line, spacing="None")
            if not pages.fits(_size(item) + (0 if shown else _size(_heading(heading)))):
                pages.turn()
                if shown:
                    pages.add(_heading(heading + " _(continued)_"))
            if not shown:
                pages.add(_heading(heading))
                shown = True
            pages.add(item, line=True)
    pages.add(cards.text_block(FOOTER, isSubtle=True, separator=True))
    preview = f"Weekly summary for {s.region}: {len(s.overdue)} overdue, {len(s.due_soon)} due this week"
    first, *rest = pages.cards
    out = [cards.activity(cards.card(first), preview)]
    total = len(pages.cards)
    for n, page in enumerate(rest, start=2):
        top = cards.text_block(f"📊 **Weekly summary: {region}** (part {n} of {total})", isSubtle=True)
        out.append(cards.activity(cards.card([top, *page]), f"{preview} (part {n} of {total})"))
    return out


def _heading(text: str) -> dict:
    return cards.text_block(text, separator=True, spacing="Medium")


class _Pages:
    """The summary's cards as they fill: each at most SUMMARY_ITEMS lines and MAX_CARD_BYTES of blocks."""

    def __init__(self, head: list[dict]):
        self.cards: list[list[dict]] = [list(head)]
        self.lines, self.size = 0, sum(_size(b) for b in head)

    def fits(self, size: int) -> bool:
        return self.lines < SUMMARY_ITEMS and self.size + size <= MAX_CARD_BYTES

    def turn(self) -> None:
        self.cards.append([])
        self.lines, self.size = 0, 0

    def add(self, block: dict, line: bool = False) -> None:
        self.cards[-1].append(block)
        self.lines += line
        self.size += _size(block)


# ---- problems


def _why(reason: str) -> str:
    """The notifier's reason for a failed send, as a person reads it."""
    if "MessageWritesBlocked" in reason:
        return "they blocked or removed Actionbot in Teams"
    if "no address" in reason:
        return "they have not opened a chat with Actionbot yet, and the app is not installed for them"
    if reason.startswith("teams 403"):
        return "Teams does not let Actionbot write to them (the app is not installed for them)"
    if reason.startswith("teams 404"):
        return "Teams no longer knows that conversation"
    if "not installed in this tenant" in reason:
        return "the app is no longer installed in this organisation"
    return f"Teams answered `{escape(cards.clip(reason, 120))}`"


def problem_activity(notice: Notice, whom: str | None) -> dict:
    """A delivery that failed for good, told once to the action's creator (or the region's lead): whom it
    could not reach (`whom`, a person's name; None: a channel), why, and what to do about it in Teams."""
    assert notice.problem is not None and notice.mention is not None  # a problem notice carries both
    kind = notice.mention.split(":", 1)[0]
    about = wording.words(notice.problem.about)
    number = notice.problem.about.params.get("number")
    if kind == "user":
        target = escape(whom) if whom else "this person"
        fix = f"Ask {target} to open Actionbot in Teams, or an admin to install the app for everyone"
        if isinstance(number, int):
            fix = f"Give it another owner with `assign {number} @person`, or a" + fix[1:]
    elif notice.action_id is None:
        target = "the region's channel"
        name = cards.clip(notice.region_name or "<name>", 200)
        region = escape(f'"{name}"' if " " in name else name)
        fix = f"Give the region a channel of a team where Actionbot is installed with `region edit {region}`"
    else:
        target = "the channel it goes to"
        fix = "Add Actionbot to that channel's team, or give the action a region whose channel has it"
    line = f"⚠️ I can't deliver to {target} for {about}: {_why(notice.problem.reason)}."
    rest = f"{fix}. I won't try {target} there again until then."
    body = [cards.text_block(line), cards.text_block(rest)]
    return cards.activity(cards.card(body), f"Can't deliver for {wording.plain(notice.problem.about)}")
