"""Block Kit for what the scheduler sends: nudges (with Done, Snooze, New date and Add note), escalations,
weekly region summaries split into messages inside Block Kit's limits (the rest go in the thread), and
the DMs telling new owners (handlers.slack.render's assignment and import messages)."""

from __future__ import annotations

import json

from bot.core.dates import format_date
from bot.core.notices import Notice, RegionSummary, when_due
from bot.core.records import ActionInfo, Assignment
from handlers.slack import wording
from handlers.slack.render import (
    DONE_ACTION,
    MAX_BLOCKS,
    MAX_TEXT,
    NOTE_ACTION,
    assignment_message,
    context,
    edit_button,
    escape,
    import_digest_message,
    message,
    owners_text,
    section,
)

SNOOZE_ACTION = "nudge_snooze"
NEW_DATE_ACTION = "nudge_new_date"


def nudge_buttons(number: int, due_iso: str | None) -> dict:
    value = json.dumps({"n": number})
    elements = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Done"},
            "style": "primary",
            "action_id": DONE_ACTION,
            "value": value,
        },
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Snooze to next working day"},
            "action_id": f"{SNOOZE_ACTION}_day",
            "value": json.dumps({"n": number, "until": "day"}),
        },
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Snooze to next week"},
            "action_id": f"{SNOOZE_ACTION}_week",
            "value": json.dumps({"n": number, "until": "week"}),
        },
        {"type": "datepicker", "action_id": NEW_DATE_ACTION, "placeholder": {"type": "plain_text", "text": "New date"}},
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Add note"},
            "action_id": NOTE_ACTION,
            "value": value,
        },
        edit_button(number),
    ]
    if due_iso:
        elements[3]["initial_date"] = due_iso
    return {"type": "actions", "block_id": f"nudge-{number}", "elements": elements}


def _due_phrase(notice: Notice) -> str:
    due = format_date(notice.action.due.date)
    days = notice.days_left
    if days < 0:
        return f"*{wording.words(when_due(days))}* (it was due {due})"
    return f"*{wording.words(when_due(days))}*" + (f", on {due}" if days > 0 else f" ({due})")


def _details(action: ActionInfo) -> str:
    parts = [f"Owner{'s' if len(action.owners) > 1 else ''}: {owners_text(action)}"]
    parts += [escape(x) for x in (action.region, action.group) if x]
    return " · ".join(parts)


def nudge_message(notice: Notice) -> dict:
    a = notice.action
    title = f"*#{a.number}* {escape(a.title)}"
    if notice.recipient.startswith("channel:"):
        lead = f":alarm_clock: {title} is {_due_phrase(notice)}."
        if notice.mention:
            lead += f"\n<@{notice.mention}>, you created it: please pass this on to its owners."
    else:
        lead = f":alarm_clock: Your action {title} is {_due_phrase(notice)}."
    blocks = [section(lead), context(_details(a)), nudge_buttons(a.number, a.due.date.isoformat())]
    fallback = f"Reminder: #{a.number} {escape(a.title)} is {when_due(notice.days_left)}"
    return message(fallback, blocks)


def escalation_message(notice: Notice) -> dict:
    a = notice.action
    lead = (
        f":rotating_light: *#{a.number}* {escape(a.title)} is {_due_phrase(notice)}.\n"
        f"Owner{'s' if len(a.owners) > 1 else ''}: {owners_text(a)}. You hear about it as "
        + (f"the lead of {escape(a.region)}." if notice.role == "lead" and a.region else "its creator.")
    )
    ask = "Ask them how it is going" if len(a.owners) > 1 else "Ask how it is going"
    blocks = [section(lead), context(f"{ask}, then add what you hear with `/action note {a.number} <what you heard>`.")]
    fallback = f"Overdue: #{a.number} {escape(a.title)} is {when_due(notice.days_left)}"
    return message(fallback, blocks)


# -- summaries --------------------------------------------------------------------------------


def _item(a: ActionInfo, extra: str = "") -> str:
    line = f"• *#{a.number}* {escape(a.title)} — {owners_text(a)}"
    if extra:
        line += f" · {extra}"
    if a.channel_id:
        line += f" · <#{a.channel_id}>"
    return line


def summary_lines(s: RegionSummary) -> list[tuple[str, list[str]]]:
    """Headed groups of lines, in the order they are shown."""
    groups = [
        (
            f":red_circle: *Overdue ({len(s.overdue)})*",
            [
                _item(a, f"due {format_date(a.due.date)}, *{late} day{'s' if late != 1 else ''} late*")
                for a, late in s.overdue
            ],
        ),
        (
            f":date: *Due in the next 7 days ({len(s.due_soon)})*",
            [_item(a, f"due {format_date(a.due.date)}") for a in s.due_soon],
        ),
        (f":white_check_mark: *Done in the last 7 days ({len(s.done)})*", [_item(a) for a in s.done]),
        (f":new: *New in the last 7 days ({len(s.new)})*", [_item(a) for a in s.new]),
    ]
    owners = [
        f"{f'<@{o.user_id}>' if o.user_id else escape(o.label)} {o.open}"
        + (f" ({o.overdue} overdue)" if o.overdue else "")
        for o in s.owners
    ]
    groups.append((":bust_in_silhouette: *Open per owner*", [" · ".join(owners)] if owners else []))
    return groups


def quiet(s: RegionSummary) -> bool:
    """Nothing open, nothing done or new in the last 7 days: the week's summary is one line."""
    return s.open_total == 0 and not s.done and not s.new


def summary_messages(s: RegionSummary) -> list[dict]:
    """The summary as one or more messages: each at most 50 blocks, each text at most 3000 characters. A
    region with nothing open and nothing done or new in the week gets one short line."""
    if quiet(s):
        line = (
            f":bar_chart: *Weekly summary: {escape(s.region)}*, week of {format_date(s.week_of)}: nothing open, "
            "and nothing done or new in the last 7 days."
        )
        return [message(escape(f"Weekly summary for {s.region}: nothing open"), [section(line)])]
    head = (
        f":bar_chart: *Weekly summary: {escape(s.region)}*, week of {format_date(s.week_of)}\n"
        f"{s.open_total} open · {len(s.overdue)} overdue · {len(s.due_soon)} due this week · "
        f"{len(s.done)} done and {len(s.new)} new in the last 7 days · {s.ongoing} ongoing"
    )
    blocks = [section(head)]
    for heading, lines in summary_lines(s):
        if not lines:
            continue
        chunk = heading
        for line in lines:
            line = line if len(line) <= MAX_TEXT - 100 else line[: MAX_TEXT - 101] + "…"
            if len(chunk) + 1 + len(line) > MAX_TEXT:
                blocks.append(section(chunk))
                chunk = heading + " _(continued)_"
            chunk += "\n" + line
        blocks.append(section(chunk))
    blocks.append(context("Change an action with `/action done|due|note <N>`; see any list with `/action list`."))
    pages = [blocks[i : i + MAX_BLOCKS] for i in range(0, len(blocks), MAX_BLOCKS)]
    fallback = escape(f"Weekly summary for {s.region}: {len(s.overdue)} overdue, {len(s.due_soon)} due this week")
    out = [message(fallback, pages[0])]
    for n, page in enumerate(pages[1:], start=2):
        out.append(message(f"{fallback} (part {n} of {len(pages)})", page))
    return out


def summary_overview(summaries: list[RegionSummary]) -> dict:
    """All regions, one line each: `/action summary` without a region."""
    if not summaries:
        return message(
            "No regions yet.",
            [section("No regions yet, so no summaries. An admin adds one with `/action region add`.")],
        )
    lines = [
        f"*{escape(s.region)}*: {s.open_total} open · {len(s.overdue)} overdue · "
        f"{len(s.due_soon)} due this week · {len(s.done)} done and {len(s.new)} new in the last 7 days"
        for s in summaries
    ]
    blocks = [section(":bar_chart: *This week, by region*")]
    chunk = ""
    for line in lines:
        if len(chunk) + len(line) + 1 > MAX_TEXT and len(blocks) < MAX_BLOCKS - 2:
            blocks.append(section(chunk))
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    blocks.append(section(chunk))
    blocks.append(context("The full summary of one region: `/action summary region:<name>`."))
    return message(f"This week, by region ({len(summaries)} regions)", blocks[:MAX_BLOCKS])


def problem_message(notice: Notice) -> dict:
    kind, target = notice.mention.split(":", 1)
    where = f"<@{target}>" if kind == "user" else f"<#{target}>"
    assert notice.problem is not None  # a problem notice carries its problem
    about, reason = wording.plain(notice.problem.about), notice.problem.reason
    hint = (
        "Give it another owner with `/action assign`"
        if notice.action_id is not None
        else f"Give the region a channel I am in with `/action region edit {escape(notice.region_name or '')}`"
    )
    text = (
        f":warning: I can't deliver to {where} for {escape(about)}. Slack says `{escape(reason)}`.\n"
        f"{hint}; I won't try {where} there again until then."
    )
    return message(f"Can't deliver for {escape(about)}: {escape(reason)}", [section(text)])


def told_message(notice: Notice) -> dict:
    """A new owner's DM: one action (`assigned`), or all an import gave them (`imported`)."""
    if notice.kind == "assigned":
        return assignment_message(Assignment(notice.recipient.split(":", 1)[1], notice.by, notice.action))
    meetings = {a.meeting for a in notice.actions}
    return import_digest_message(notice.by, meetings.pop() if len(meetings) == 1 else None, list(notice.actions))


def notice_messages(notice: Notice) -> list[dict]:
    if notice.kind in ("assigned", "imported"):
        return [told_message(notice)]
    if notice.kind == "problem":
        return [problem_message(notice)]
    if notice.kind == "summary":
        return summary_messages(notice.summary)
    if notice.kind == "escalation":
        return [escalation_message(notice)]
    return [nudge_message(notice)]
