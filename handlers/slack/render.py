"""Block Kit rendering of the core's records: every piece of user text goes through `escape`.

Limits kept here: 50 blocks a message, 3000 characters a section text.
"""

from __future__ import annotations

import datetime as dt

from bot.core.dates import Due, format_date
from bot.core.errors import UserError
from bot.core.execute import headline as outcome_headline
from bot.core.grammar import tokenize
from bot.core.records import ActionInfo, Assignment, Listing, Outcome, OwnerInfo, RegionInfo
from handlers.slack import button_values, markup, wording

MAX_BLOCKS = 50
MAX_TEXT = 3000
DONE_ACTION = "action_done"
EDIT_ACTION = "action_edit"
NOTE_ACTION = "action_note"
MORE_ACTION = "list_more"
PAGE_ROWS = 20  # two blocks a row: a page stays inside a message's 50 blocks


def escape(text: str) -> str:
    """Escape user text for mrkdwn and plain_text: a title can never ping or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str, accessory: dict | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}}
    if accessory:
        block["accessory"] = accessory
    return block


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text)}]}


def due_text(due: Due) -> str:
    if due.kind == "date":
        return format_date(due.date)
    return "ongoing" if due.kind == "ongoing" else "no due date"


def date_token(day) -> str:
    """A calendar date as Slack's `<!date^…>` token (each reader sees their own words for it, "today",
    "tomorrow"), with the unambiguous form as fallback. Noon UTC names the same day from UTC-11 to UTC+11."""
    noon = int(dt.datetime.combine(day, dt.time(12), tzinfo=dt.timezone.utc).timestamp())
    return f"<!date^{noon}^{{date_short_pretty}}|{format_date(day)}>"


def owner_text(owner: OwnerInfo) -> str:
    return f"<@{owner.user_id}>" if owner.user_id else escape(owner.name or "")


def owners_text(action: ActionInfo) -> str:
    return ", ".join(owner_text(o) for o in action.owners) or "no owner"


def action_line(action: ActionInfo) -> str:
    """`#3 Title` then owners, due date, region, group and status on one line."""
    due = date_token(action.due.date) if action.due.kind == "date" else due_text(action.due)
    if action.overdue:
        due = f":red_circle: *overdue*, {due}"
    details = [owners_text(action), f"due {due}" if action.due.kind == "date" else due]
    details += [escape(x) for x in (action.region, action.group) if x]
    if action.status != "open":
        details.append(f"_{action.status}_")
    if action.permalink:
        details.append(f"<{action.permalink}|from a message>")
    title = escape(action.title)
    title = f"~{title}~" if action.status == "cancelled" else title
    return clip(f"*#{action.number}* {title}\n{' · '.join(details)}")


def _button(text: str, action_id: str, value: dict, style: str | None = None) -> dict:
    button = {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": text},
        "value": button_values.encode(value),
    }
    if style:
        button["style"] = style
    return button


def edit_button(number: int) -> dict:
    return _button("Edit", EDIT_ACTION, {"n": number})


def row_buttons(number: int) -> dict:
    """Edit and Add note under a row (Done sits beside it)."""
    return {
        "type": "actions",
        "block_id": f"row-{number}",
        "elements": [edit_button(number), _button("Add note", NOTE_ACTION, {"n": number})],
    }


def action_rows(action: ActionInfo, query: str | None = None) -> list[dict]:
    """One action as list, Home and mention answers show it: two blocks (Done beside it when open);
    `query` is the list's, as `button_values.list_query` gives it."""
    done = done_button(action.number, query) if action.status == "open" else None
    return [section(action_line(action), done), row_buttons(action.number)]


def query_label(query_text: str) -> str:
    """A list query as shown: escaped, except that a person filter (a bare `<@U…>`, not one quoted inside
    a value) stays a mention."""
    try:
        tokens = tokenize(markup.parse(query_text))
    except UserError:
        return escape(query_text)
    return " ".join(f"<@{t.value}>" if t.kind == "user" else escape(t.raw) for t in tokens)


def done_button(number: int, query: str | None = None) -> dict:
    return _button("Done", DONE_ACTION, {"n": number} if query is None else {"n": number, "q": query}, "primary")


def message(text: str, blocks: list[dict]) -> dict:
    """A message payload: Block Kit plus the plain-text fallback notifications use."""
    return {"text": clip(text, 3000), "blocks": blocks[:MAX_BLOCKS]}


def listing_message(listing: Listing, query_text: str, note: str | None = None, offset: int = 0) -> dict:
    """A page of a list (PAGE_ROWS actions from `offset`), with a Show more button when more follow."""
    heading = f"*{listing.total} action{'s' if listing.total != 1 else ''}*"
    if query_text:
        heading += " · " + query_label(query_text)
    blocks = [context(note)] if note else []
    blocks.append(section(heading))
    page = listing.actions[:PAGE_ROWS]
    carried = button_values.list_query(query_text)
    for action in page:
        blocks += action_rows(action, carried)
    if not listing.actions:
        blocks.append(context("Nothing here. Add one with `/action add <title> @owner due <date>`."))
    elif listing.total > offset + len(page):
        shown = f"Showing {offset + 1}–{offset + len(page)} of {listing.total}."
        if carried is None:
            blocks.append(context(shown + " The filter is too long to page through: list with a shorter one."))
        else:
            blocks.append(context(shown))
            blocks.append(
                {
                    "type": "actions",
                    "block_id": "more",
                    "elements": [_button("Show more", MORE_ACTION, {"q": carried, "o": offset + len(page)})],
                }
            )
    fallback = f"{listing.total} actions" + (f" ({escape(query_text)})" if query_text else "")
    return message(fallback, blocks)


def outcome_message(outcome: Outcome, verb: str) -> dict:
    action = outcome.action
    headline = wording.plain(outcome_headline(verb))
    lines = [
        f"{headline} *#{action.number}* {escape(action.title)}",
        f"Owners: {owners_text(action)}",
        f"Due: {due_text(action.due)}" + (" (overdue)" if action.overdue else ""),
    ]
    for label, value in (("Region", action.region), ("Group", action.group), ("Meeting", action.meeting)):
        if value:
            lines.append(f"{label}: {escape(value)}")
    blocks = [section("\n".join(lines))]
    extra = [wording.plain(c) for c in outcome.changes if c.key in ("change.past_due", "change.snoozed")]
    if extra:
        blocks.append(context(escape("; ".join(extra))))
    fallback = f"{headline} #{action.number} {action.title} (due {due_text(action.due)})"
    return message(escape(fallback), blocks)


def error_message(err: UserError) -> dict:
    said = wording.words(err.message)
    blocks = [section(f":warning: {said}")]
    fallback = said
    if err.example is not None:
        tried = escape(wording.example(err.example))
        blocks.append(context(f"Try: `{tried}`"))
        fallback += f"\nFor example: `{tried}`"
    return message(fallback, blocks)


def sorry_message() -> dict:
    text = "Something went wrong on our side and nothing was changed. Please try again in a moment."
    return message(text, [section(f":warning: {text}")])


def assignment_message(assignment: Assignment) -> dict:
    action = assignment.action
    text = f"<@{assignment.by}> assigned you *#{action.number}* {escape(action.title)}\nDue: {due_text(action.due)}"
    if action.region:
        text += f" · {escape(action.region)}"
    blocks = [
        section(text, done_button(action.number)),
        {"type": "actions", "elements": [edit_button(action.number)]},
        context(f"Reply with `/action note {action.number} <progress>` or `/action due {action.number} <date>`."),
    ]
    fallback = f"You were assigned #{action.number} {escape(action.title)}, due {due_text(action.due)}"
    return message(fallback, blocks)


def import_digest_message(by: str, meeting: str | None, actions: list[ActionInfo]) -> dict:
    """One DM per owner after an import: every action they were given."""
    source = f" from {escape(meeting)}" if meeting else ""
    head = f"<@{by}> imported {len(actions)} action{'s' if len(actions) != 1 else ''}{source} that you own:"
    blocks = [section(head)]
    for action in actions[:PAGE_ROWS]:
        blocks += action_rows(action)
    if len(actions) > PAGE_ROWS:
        blocks.append(context(f"…and {len(actions) - PAGE_ROWS} more: `/action list mine`."))
    return message(f"You own {len(actions)} new actions{source}", blocks)


def regions_message(regions: list[RegionInfo]) -> dict:
    if not regions:
        return message(
            "No regions yet.",
            [
                section(
                    "No regions yet. An admin adds one with "
                    '`/action region add "Latin America and the Caribbean" alias:LAC tz:America/Bogota`.'
                )
            ],
        )
    blocks = [section(f"*{len(regions)} region{'s' if len(regions) != 1 else ''}*")]
    for r in regions[: MAX_BLOCKS - 1]:
        parts = [f"*{escape(r.name)}*"]
        if r.aliases:
            parts.append("(" + ", ".join(escape(a) for a in r.aliases) + ")")
        details = [
            f"{r.open_count} open",
            escape(r.timezone or "workspace zone"),
            escape(r.working_days),
            f"summary {escape(r.summary_schedule)}",
        ]
        if r.channel_id:
            details.append(f"<#{r.channel_id}>")
        if r.lead_user_id:
            details.append(f"lead <@{r.lead_user_id}>")
        blocks.append(section(" ".join(parts) + "\n" + " · ".join(details)))
    return message(f"{len(regions)} regions", blocks)


def settings_message(settings, changed: bool) -> dict:
    n = settings.nudges
    lines = [
        ("*Settings saved.*" if changed else "*Workspace settings*"),
        f"Nudges: {wording.words(n.describe())}, at 09:00 in each owner's time zone on working days "
        f"(`nudges:{','.join(f'{o:+d}' if o else '0' for o in n.offsets)}` `repeat:{n.repeat_days}`)",
        "Escalation to the region lead: "
        + (f"after {n.escalate_after_days} days overdue, at most weekly" if n.escalate_after_days else "off")
        + f" (`escalate:{n.escalate_after_days}`)",
        f"Default time zone: {escape(settings.timezone)} (`tz:{escape(settings.timezone)}`)",
    ]
    blocks = [section("\n".join(lines))]
    if not changed:
        blocks.append(
            context("An admin changes them with `/action settings nudges:-3,0,1 repeat:7 escalate:7 tz:Europe/Zurich`.")
        )
    return message("Settings saved." if changed else "Workspace settings", blocks)


HELP = """*Follow-up actions*
`/action add` opens a form · `/action edit <N>` opens it filled in · or type it all:
`/action add <title> @owner [owner:"Named owner"] [due <date>|ongoing] [region:<name>] [group:<name>] [meeting:"<name>"]`
`/action list [mine|all|overdue|done] [region:<name>] [group:<name>] [@person]`
`/action done|reopen|cancel <N>` · `/action note <N> <text>` · `/action assign <N> @person…`
`/action due <N> <date>` · `/action edit <N> [title:"…"] [due …] [region:…] [group:…] [meeting:"…"]`
`/action snooze <N> day|week` · `/action summary [region:<name>]` · `/action settings`
`/action region list` · `/action region edit <name>` · `/action region add <name> [alias:<name>] [channel:#…] [lead:@…] [tz:<zone>] [days:mon-fri] [summary:"mon 09:00"]`
Dates: `Nov 30`, `30 November 2014`, `2014-11-30`, `friday`, `next friday`, `in 2 weeks`, `end of month`, `ongoing`.
You can also ask me in a DM or a mention: “what's open for LAC?”, “overdue”, “my actions”."""


def help_message() -> dict:
    return message(
        "Actionbot help: /action add, list, done, reopen, cancel, note, assign, due, edit, region", [section(HELP)]
    )
