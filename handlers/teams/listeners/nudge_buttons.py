"""The buttons only a nudge carries (handlers.teams.notice_cards), pressed through `adaptiveCard/action`
(handlers.teams.listeners.card_actions routes the verbs here): Snooze (verb "snooze", `until` "day" or
"week": no nudges until 09:00 on the next working day or the first working day of next week, in the
presser's zone) and Set date (verb "newdate": the New date input's value, which must be an ISO date
`YYYY-MM-DD`; the core then checks it is a real date in its range, and restarts the nudges from it).

Each returns the card that replaces the nudge (the action as it is now and what happened, without the
buttons that no longer apply); the core refuses someone who may not change the action, and that
refusal reaches only the presser (card_actions)."""

from __future__ import annotations

import re

from bot.core.errors import BadInput
from bot.core.records import Actor
from bot.messages import Example
from handlers.teams import cards, dashboards, notice_cards, wording
from handlers.teams.context import TeamsContext
from handlers.teams.identity import Who

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_SHOWN = 40  # characters of a refused date echoed back


def number_of(data: dict) -> int:
    n = data.get("n")
    if isinstance(n, int) and not isinstance(n, bool) and 0 < n < 10**9:
        return n
    raise BadInput("stale_button", command=Example("list"))


def snooze(ctx: TeamsContext, w: Who, actor: Actor, data: dict) -> dict:
    number, until = number_of(data), data.get("until")
    if until not in notice_cards.SNOOZE_UNTIL:
        raise BadInput("stale_button", command=Example("list"))
    outcome = ctx.actions.snooze(w.tenant_id, actor, number, str(until), ctx.clock())
    note = f"💤 {cards.escape(w.name or 'Someone')} {wording.words(outcome.changes[0])}."
    dashboards.after_change(ctx, w.tenant_id, actor.user_id, outcome.action)
    return notice_cards.after_press_card(outcome.action, note)


def new_date(ctx: TeamsContext, w: Who, actor: Actor, data: dict) -> dict:
    number = number_of(data)
    example = Example("due", (str(number), "2014-12-20"))
    picked = data.get(notice_cards.DATE_INPUT)
    if picked is None or (isinstance(picked, str) and not picked.strip()):
        raise BadInput("date_missing", example)
    if not isinstance(picked, str) or not ISO_DATE.fullmatch(picked.strip()):
        shown = picked if isinstance(picked, str) else str(type(picked).__name__)
        raise BadInput("date_unread", example, text=cards.clip(shown, MAX_SHOWN))
    outcome = ctx.actions.set_due(w.tenant_id, actor, number, picked.strip(), ctx.clock())
    due = cards.due_text(outcome.action.due)
    note = f"📅 {cards.escape(w.name or 'Someone')} moved the due date to {due}; the reminders start again from it."
    dashboards.after_change(ctx, w.tenant_id, actor.user_id, outcome.action)
    return notice_cards.after_press_card(outcome.action, note)
