"""How many owners one action may have: people and named owners together. A list of owners longer than
a meeting's table holds is a mistake (a pasted member list, a runaway mention), and every owner is a DM
and a nudge, so every door (command, form, import, assign) is held to the same number."""

from __future__ import annotations

from bot.core.errors import BadInput

MAX_OWNERS = 20


def owner_count(user_ids, names) -> int:
    """Distinct people plus distinct non-blank named owners, as the action would store them."""
    return len(dict.fromkeys(user_ids)) + len(dict.fromkeys(n.strip() for n in names if n.strip()))


def too_many_owners(user_ids, names) -> str | None:
    """Why these owners are refused, or None when they fit."""
    count = owner_count(user_ids, names)
    if count <= MAX_OWNERS:
        return None
    return (
        f"An action can have at most {MAX_OWNERS} owners (people and named owners together); "
        f"this one has {count}. Give it fewer owners, or split it into several actions."
    )


def check_owners(user_ids, names) -> None:
    """Raise BadInput, with a corrected example, when there are more owners than an action may have."""
    problem = too_many_owners(user_ids, names)
    if problem:
        raise BadInput(problem, '/action add Draft the KM strategy @lina @tim owner:"KM team" due Nov 30')
