"""Block Kit for the App Home tab: a header with a New action button, then each non-empty group of
the person's home page (bot.core.home) with a heading and its rows (render.action_rows, two blocks a row).

A Home tab holds at most 100 blocks. Groups are filled in order while there is room, always keeping
room for the heading and a "not shown" line of every group still to come (and a few blocks spare);
a group cut short ends with a line saying how many are not shown and which list shows them all.
"""

from __future__ import annotations

from bot.core.home import CREATED, LATER, NO_DATE, OVERDUE, THIS_WEEK, HomeGroup, HomeView
from handlers.slack import render, wording

MAX_HOME_BLOCKS = 100
SPARE_BLOCKS = 4
BLOCK_BUDGET = MAX_HOME_BLOCKS - SPARE_BLOCKS
ROW_BLOCKS = 2  # render.action_rows gives two blocks an action
NEW_ACTION = "home_new_action"
ADD_EXAMPLE = "/action add <title> @owner due <date>"

# where a group cut short can be read in full
SEE_ALL = {
    OVERDUE: "/action list mine overdue",
    THIS_WEEK: "/action list mine",
    LATER: "/action list mine",
    NO_DATE: "/action list mine",
    CREATED: "/action list",
}


def new_action_button() -> dict:
    return {
        "type": "button",
        "action_id": NEW_ACTION,
        "value": "new",
        "style": "primary",
        "text": {"type": "plain_text", "text": "New action"},
    }


def home_view_payload(home: HomeView) -> dict:
    """The view for `views.publish`: {"type": "home", "blocks": [...]}, inside 100 blocks."""
    blocks = [render.section(_summary(home), new_action_button())]
    groups = [g for g in home.groups if g.total]
    if not groups:
        blocks.append(
            render.context(
                ":sparkles: Nothing open for you. Press *New action* to add one, or type "
                f"`{render.escape(ADD_EXAMPLE)}` in any channel."
            )
        )
    for i, group in enumerate(groups):
        still_to_come = 2 * (len(groups) - i - 1)  # a heading and a "not shown" line each, at worst
        room = BLOCK_BUDGET - len(blocks) - 1 - still_to_come  # after this group's heading
        fits = max(0, room // ROW_BLOCKS)
        if fits < group.total:  # cut short: the "not shown" line needs a block too
            fits = max(0, (room - 1) // ROW_BLOCKS)
        shown = group.actions[:fits]
        blocks.append(render.section(f"*{wording.words(group.title)} ({group.total})*"))
        for action in shown:
            blocks += render.action_rows(action)
        if len(shown) < group.total:
            blocks.append(render.context(_not_shown(group, len(shown))))
    return {"type": "home", "blocks": blocks[:MAX_HOME_BLOCKS]}


def _summary(home: HomeView) -> str:
    owned = home.owned_total
    text = "*Your open actions*\n"
    if not owned:
        text += "You own no open actions."
    else:
        text += f"You own {owned} open action{'s' if owned != 1 else ''}"
        late, soon = home.group(OVERDUE).total, home.group(THIS_WEEK).total
        details = ([f"{late} overdue"] if late else []) + ([f"{soon} due this week"] if soon else [])
        text += ": " + ", ".join(details) + "." if details else "."
    return text


def _not_shown(group: HomeGroup, shown: int) -> str:
    return f"Showing {shown} of {group.total}; {group.total - shown} not shown · see all with `{SEE_ALL[group.key]}`"
