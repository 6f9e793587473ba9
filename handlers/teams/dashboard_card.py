"""The "My actions" card (Teams has no Home tab): a person's home page (bot.core.home: overdue, due this
week, later, no date, and the open actions they created for others) as an Adaptive Card for their
personal chat, each action with Done, Edit and Add note (handlers.teams.cards), and Refresh and New action
at the bottom.

Done on this card carries `d: 1` so the press answers with the dashboard as it is now (the card replaced
in place); Refresh is `Action.Execute` verb "dashboard" (`d: 1`: refresh this card; without it, from
another card, a new dashboard is posted in the personal chat).

Teams refuses messages over about 100 KB; the card is filled group by group while it stays under
`MAX_BYTES` of JSON as sent (non-ASCII text escaped, so it counts as sent), and a group cut short says
how many are not shown and how to list them all.
"""

from __future__ import annotations

import json

from bot.core.home import CREATED, LATER, NO_DATE, OVERDUE, THIS_WEEK, HomeGroup, HomeView
from handlers.teams import cards, wording

VERB = "dashboard"
MAX_BYTES = 60_000
TITLE = "My actions"

SEE_ALL = {
    OVERDUE: "list mine overdue",
    THIS_WEEK: "list mine",
    LATER: "list mine",
    NO_DATE: "list mine",
    CREATED: "list",
}


def _item(action) -> dict:
    item = cards.action_item(action, None)
    for button in item["items"][1]["actions"]:
        if button.get("verb") == cards.DONE_VERB:
            button["data"]["d"] = 1
    return item


def _size(node: object) -> int:
    return len(json.dumps(node))


def _summary(home: HomeView) -> str:
    owned = home.owned_total
    if not owned:
        return "You own no open actions."
    late, soon = home.group(OVERDUE).total, home.group(THIS_WEEK).total
    details = ([f"{late} overdue"] if late else []) + ([f"{soon} due this week"] if soon else [])
    return (
        f"You own {owned} open action{'s' if owned != 1 else ''}" + (": " + ", ".join(details) if details else "") + "."
    )


def _not_shown(group: HomeGroup, shown: int) -> dict:
    return cards.text_block(
        f"Showing {shown} of {group.total}; see them all with `{SEE_ALL[group.key]}`.", isSubtle=True, size="Small"
    )


def dashboard_card(home: HomeView, note: str | None = None) -> dict:
    body = [cards.text_block(f"**{TITLE}**", size="Large"), cards.text_block(_summary(home), isSubtle=True)]
    if note:
        body.append(cards.text_block(note))
    groups = [g for g in home.groups if g.total]
    if not groups:
        body.append(cards.text_block("Nothing open for you. Add one with `add <title> @owner due <date>`."))
    used = _size(body) + 1_000  # the card's frame and its buttons
    for i, group in enumerate(groups):
        heading = cards.text_block(f"**{wording.words(group.title)} ({group.total})**", size="Medium", separator=True)
        body.append(heading)
        used += _size(heading)
        reserve = 300 * (len(groups) - i)  # the headings and "not shown" lines still to come
        shown = 0
        for action in group.actions:
            item = _item(action)
            size = _size(item)
            if used + size + reserve > MAX_BYTES:
                break
            body.append(item)
            used += size
            shown += 1
        if shown < group.total:
            body.append(_not_shown(group, shown))
    buttons = [
        {"type": "Action.Execute", "title": "Refresh", "verb": VERB, "data": {"d": 1}},
        {
            "type": "Action.Submit",
            "title": "New action",
            "data": {"msteams": {"type": "task/fetch"}, "form": cards.ADD_FORM},
        },
    ]
    return cards.card(body, buttons)


def dashboard_activity(home: HomeView) -> dict:
    return cards.activity(dashboard_card(home), f"{TITLE}: {_summary(home)}")
