"""How many owners one action may have: people and named owners together. A list of owners longer than
a meeting's table holds is a mistake (a pasted member list, a runaway mention), and every owner is a DM
and a nudge, so every door (command, form, import, assign) is held to the same number."""

from __future__ import annotations

from bot.core.errors import BadInput
from bot.core.grammar import words
from bot.messages import Example, Msg, Opt, Person, msg

MAX_OWNERS = 20


def owner_count(user_ids, names) -> int:
    """Distinct people plus distinct non-blank named owners, as the action would store them."""
    return len(dict.fromkeys(user_ids)) + len(dict.fromkeys(n.strip() for n in names if n.strip()))


def too_many_owners(user_ids, names) -> Msg | None:
    """Why these owners are refused, or None when they fit."""
    count = owner_count(user_ids, names)
    if count <= MAX_OWNERS:
        return None
    return msg("too_many_owners", limit=MAX_OWNERS, count=count)


def check_owners(user_ids, names) -> None:
    """Raise BadInput, with a corrected example, when there are more owners than an action may have."""
    problem = too_many_owners(user_ids, names)
    if problem:
        raise BadInput(
            problem,
            Example(
                "add",
                (
                    *words("Draft the KM strategy"),
                    Person("lina"),
                    Person("tim"),
                    Opt("owner", "KM team"),
                    *words("due Nov 30"),
                ),
            ),
        )
