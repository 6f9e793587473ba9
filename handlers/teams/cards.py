"""Adaptive Cards for the core's results (bot.core.execute), as the bot's Teams replies show them.

Every piece of user text goes through `wording.escape` (card Markdown). Lists carry, per open action, a
Done button (`Action.Execute`, verb "done": the card is replaced in place with the list as it is now)
and, per action, Edit and Add note (`Action.Submit` with `msteams: {type: task/fetch}`: they open the
dialogs of handlers/teams/dialogs, `form` "edit" or "note", `n` the number). A list too long for one
card pages with Show more (verb "more"). What a button carries is small and checked when pressed: the
action's number, and the list's query as typed pieces (`encode_query`).

Limits kept here: 20 actions a card (a card stays far under Teams' ~80 KB), titles clipped.
"""

from __future__ import annotations

from typing import Any

from bot.core.command_input import PersonRef, Piece, Said, said
from bot.core.dates import Due, format_date
from bot.core.errors import UserError
from bot.core.execute import Regions, Settings, Summaries
from bot.core.execute import headline as outcome_headline
from bot.core.records import ActionInfo, Listing, Outcome, OwnerInfo
from handlers.teams import markup, wording
from handlers.teams.wording import escape

CARD = "application/vnd.microsoft.card.adaptive"
VERSION = "1.5"
PAGE_ROWS = 20
MAX_TITLE = 300
MAX_QUERY_PIECES = 40
MAX_QUERY_CHARS = 1000
DONE_VERB, MORE_VERB = "done", "more"
EDIT_FORM, NOTE_FORM, ADD_FORM = "edit", "note", "add"


def clip(text: str, limit: int = MAX_TITLE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_block(text: str, **extra: Any) -> dict:
    return {"type": "TextBlock", "text": text, "wrap": True, **extra}


def card(body: list[dict], actions: list[dict] | None = None) -> dict:
    content: dict[str, Any] = {"type": "AdaptiveCard", "version": VERSION, "body": body}
    if actions:
        content["actions"] = actions
    return content


def activity(content: dict, summary: str) -> dict:
    """A message activity holding one card; `summary` is the notification's plain preview."""
    return {
        "type": "message",
        "summary": clip(summary, 200),
        "attachments": [{"contentType": CARD, "content": content}],
    }


def refreshed(content: dict) -> dict:
    """The invoke answer of an `Action.Execute`: the card that replaces the one pressed."""
    return {"statusCode": 200, "type": CARD, "value": content}


# ---- what buttons carry


def encode_query(query: Said) -> list | None:
    """A list query as button data (None when too long to carry: the list then cannot page)."""
    out: list[Any] = []
    for piece in query:
        if isinstance(piece, str):
            out.append(piece)
        elif isinstance(piece, PersonRef):
            out.append({"p": piece.user_id, "l": piece.label or ""})
        else:
            out.append(piece.as_text())
    if len(out) > MAX_QUERY_PIECES or sum(len(str(p)) for p in out) > MAX_QUERY_CHARS:
        return None
    return out


def decode_query(data: Any) -> Said | None:
    """The inverse of encode_query; None when the data is not one (stale or forged)."""
    if data is None:
        return ()
    if not isinstance(data, list) or len(data) > MAX_QUERY_PIECES:
        return None
    pieces: list[Piece] = []
    for item in data:
        if isinstance(item, str) and len(item) <= MAX_QUERY_CHARS:
            pieces.append(item)
        elif isinstance(item, dict) and isinstance(item.get("p"), str) and len(item["p"]) <= 64:
            label = item.get("l") if isinstance(item.get("l"), str) else ""
            pieces.append(PersonRef(item["p"], label[:200] or None))
        else:
            return None
    return said(*pieces)


def _execute(title: str, verb: str, data: dict, style: str | None = None) -> dict:
    button: dict[str, Any] = {"type": "Action.Execute", "title": title, "verb": verb, "data": data}
    if style:
        button["style"] = style
    return button


def _dialog(title: str, form: str, number: int | None = None) -> dict:
    data: dict[str, Any] = {"msteams": {"type": "task/fetch"}, "form": form}
    if number is not None:
        data["n"] = number
    return {"type": "Action.Submit", "title": title, "data": data}


def done_button(number: int, query: list | None = None) -> dict:
    data: dict[str, Any] = {"n": number}
    if query is not None:
        data["q"] = query
    return _execute("Done", DONE_VERB, data, "positive")


def edit_button(number: int) -> dict:
    return _dialog("Edit", EDIT_FORM, number)


def note_button(number: int) -> dict:
    return _dialog("Add note", NOTE_FORM, number)


# ---- pieces of an action


def due_text(due: Due) -> str:
    if due.kind == "date" and due.date is not None:
        return format_date(due.date)
    return "ongoing" if due.kind == "ongoing" else "no due date"


def owner_text(owner: OwnerInfo) -> str:
    return escape("@" + (owner.name or "someone")) if owner.user_id else escape(owner.name or "")


def owners_text(action: ActionInfo) -> str:
    return ", ".join(owner_text(o) for o in action.owners) or "no owner"


def action_line(action: ActionInfo) -> str:
    """`**#3** Title` and, below, owners · due · region · group · status."""
    due = due_text(action.due)
    due = f"due {due}" if action.due.kind == "date" else due
    if action.overdue:
        due = f"**overdue**, {due}"
    details = [owners_text(action), due]
    details += [escape(x) for x in (action.region, action.group) if x]
    if action.status != "open":
        details.append(f"_{action.status}_")
    if action.permalink and action.permalink.startswith("https://"):
        details.append(f"[from a message]({action.permalink})")
    title = escape(clip(action.title))
    title = f"~~{title}~~" if action.status == "cancelled" else title
    return f"**#{action.number}** {title}\n\n{' · '.join(details)}"


def action_item(action: ActionInfo, query: list | None) -> dict:
    buttons = [done_button(action.number, query)] if action.status == "open" else []
    buttons += [edit_button(action.number), note_button(action.number)]
    return {
        "type": "Container",
        "separator": True,
        "items": [text_block(action_line(action)), {"type": "ActionSet", "actions": buttons}],
    }


# ---- results


def listing_card(listing: Listing, query: Said, note: str | None = None, offset: int = 0) -> dict:
    """A page of a list (PAGE_ROWS actions from `offset`), Show more when more follow."""
    label = escape(markup.render(query).strip())
    heading = f"**{listing.total} action{'s' if listing.total != 1 else ''}**" + (f" · {label}" if label else "")
    body = [text_block(note, isSubtle=True)] if note else []
    body.append(text_block(heading, size="Medium"))
    carried = encode_query(query)
    page = listing.actions[:PAGE_ROWS]
    body += [action_item(a, carried) for a in page]
    actions = []
    if not listing.actions:
        body.append(text_block("Nothing here. Add one with `add <title> @owner due <date>`.", isSubtle=True))
    elif listing.total > offset + len(page):
        shown = f"Showing {offset + 1}–{offset + len(page)} of {listing.total}."
        if carried is None:
            body.append(text_block(shown + " The filter is too long to page through: list with a shorter one."))
        else:
            body.append(text_block(shown, isSubtle=True))
            actions.append(_execute("Show more", MORE_VERB, {"q": carried, "o": offset + len(page)}))
    return card(body, actions)


def listing_activity(listing: Listing, query: Said) -> dict:
    label = markup.render(query).strip()
    return activity(listing_card(listing, query), f"{listing.total} actions" + (f" ({label})" if label else ""))


def outcome_card(outcome: Outcome, verb: str) -> dict:
    """A confirmation that echoes what was understood: owners, the due date as a date, region…"""
    action = outcome.action
    headline = wording.plain(outcome_headline(verb))
    facts = [
        {"title": "Owners", "value": owners_text(action)},
        {"title": "Due", "value": due_text(action.due) + (" (overdue)" if action.overdue else "")},
    ]
    for label, value in (("Region", action.region), ("Group", action.group), ("Meeting", action.meeting)):
        if value:
            facts.append({"title": label, "value": escape(value)})
    body = [
        text_block(f"{headline} **#{action.number}** {escape(clip(action.title))}"),
        {"type": "FactSet", "facts": facts},
    ]
    extra = [wording.words(c) for c in outcome.changes if c.key in ("change.past_due", "change.snoozed")]
    if extra:
        body.append(text_block("; ".join(extra), isSubtle=True))
    buttons = [done_button(action.number)] if action.status == "open" and verb != "done" else []
    buttons += [edit_button(action.number), note_button(action.number)]
    return card(body, buttons)


def outcome_activity(outcome: Outcome, verb: str) -> dict:
    action = outcome.action
    summary = f"{wording.plain(outcome_headline(verb))} #{action.number} {action.title} (due {due_text(action.due)})"
    return activity(outcome_card(outcome, verb), summary)


def in_place_card(action: ActionInfo, note: str) -> dict:
    """What replaces a card with one action on it after a press: the action now, and what happened."""
    buttons = [done_button(action.number)] if action.status == "open" else []
    return card(
        [text_block(action_line(action)), text_block(note, isSubtle=True)], buttons + [edit_button(action.number)]
    )


def error_card(err: UserError) -> dict:
    """What was wrong, and what to write instead."""
    body = [text_block("⚠️ " + wording.words(err.message), color="Attention")]
    if err.example is not None:
        body.append(text_block("Try: `" + wording.example(err.example) + "`"))
    return card(body)


def error_activity(err: UserError) -> dict:
    return activity(error_card(err), wording.plain(err.message))


SORRY = "Something went wrong on our side and nothing was changed. Please try again in a moment."


def sorry_card() -> dict:
    return card([text_block("⚠️ " + SORRY, color="Attention")])


def sorry_activity() -> dict:
    return activity(sorry_card(), SORRY)


HELP = [
    "**Follow-up actions**: type to me here, or mention me in a channel.",
    '`add <title> @owner [owner:"Named owner"] [due <date>|ongoing] [region:<name>] [group:<name>]`',
    "`list [mine|all|overdue|done] [region:<name>] [group:<name>] [@person]`",
    "`done|reopen|cancel <N>` · `note <N> <text>` · `assign <N> @person…` · `due <N> <date>`",
    '`edit <N> [title:"…"] [due …] [region:…]` · `snooze <N> day|week` · `summary [region:<name>]`',
    "`region list` · `settings`",
    "Dates: `Nov 30`, `2014-11-30`, `friday`, `next friday`, `in 2 weeks`, `end of month`, `ongoing`.",
    "Or ask: “what's open for LAC?”, “overdue”, “my actions”.",
    "`my actions` or `dashboard` in our chat: your actions on one card, kept up to date.",
]


def my_actions_button() -> dict:
    """Posts the person's "My actions" dashboard in their chat with the bot (handlers.teams.dashboards)."""
    return _execute("My actions", "dashboard", {})


def help_activity() -> dict:
    content = card([text_block(line) for line in HELP], [my_actions_button()])
    return activity(content, "Actionbot help: add, list, done, note, assign, due")


HINT = "Try “what's open for LAC?”, “overdue”, “my actions” or “help”."


def hint_activity() -> dict:
    return activity(card([text_block(HINT)]), HINT)


def regions_activity(result: Regions, names: dict[str, str] | None = None) -> dict:
    """`names`: channel and lead IDs → how to show them ("Team › Channel", a person's name)."""
    names = names or {}
    regions = result.regions
    if not regions:
        line = 'No regions yet. An admin adds one with `region add "Latin America" alias:LAC tz:America/Bogota`.'
        return activity(card([text_block(line)]), "No regions yet.")
    body = [text_block(f"**{len(regions)} region{'s' if len(regions) != 1 else ''}**", size="Medium")]
    for r in regions[: PAGE_ROWS * 2]:
        aliases = " (" + ", ".join(escape(a) for a in r.aliases) + ")" if r.aliases else ""
        details = [f"{r.open_count} open", escape(r.timezone or "workspace zone"), escape(r.working_days)]
        if r.channel_id:
            details.append("summary in " + escape(names.get(r.channel_id, "a channel the bot no longer knows")))
        if r.lead_user_id:
            details.append("lead " + escape(names.get(r.lead_user_id, "someone the bot has not met")))
        body.append(text_block(f"**{escape(r.name)}**{aliases}\n\n" + " · ".join(details), separator=True))
    return activity(card(body), f"{len(regions)} regions")


def settings_activity(result: Settings) -> dict:
    n = result.current.nudges
    lines = [
        "**Settings saved.**" if result.changed else "**Workspace settings**",
        f"Nudges: {wording.words(n.describe())}",
        "Escalation to the region lead: "
        + (f"after {n.escalate_after_days} days overdue" if n.escalate_after_days else "off"),
        f"Default time zone: {escape(result.current.timezone)}",
    ]
    return activity(card([text_block(line) for line in lines]), lines[0].strip("*"))


def summaries_activity(result: Summaries) -> dict:
    body = []
    for s in result.summaries[:PAGE_ROWS]:
        body.append(
            text_block(
                f"**{escape(s.region)}**: {s.open_total} open · {len(s.overdue)} overdue · "
                f"{len(s.due_soon)} due this week · {len(s.done)} done · {len(s.new)} new",
                separator=True,
            )
        )
    if not body:
        body.append(text_block("No regions to summarise yet."))
    return activity(card(body), "Weekly summary")
