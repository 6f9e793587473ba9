"""Which fields of a prefilled form the person left alone. A field cannot always be shown whole (an
input's length cap, a select's option cap), so a submitted value is not the stored one; instead the
form keeps, in its private_metadata, a short fingerprint of what each field showed, and a field whose
submitted state has the same fingerprint was not touched: its stored value stays."""

from __future__ import annotations

import hashlib
import json

from bot.core.command_input import clean

# an element's prefill → the state key Slack sends back for it
STATE_KEYS = {
    "initial_value": "value",
    "initial_users": "selected_users",
    "initial_user": "selected_user",
    "initial_date": "selected_date",
    "initial_option": "selected_option",
    "initial_options": "selected_options",
    "initial_conversation": "selected_conversation",
}
CUT_HINT = "Too long to show whole here: it stays as it is unless you change this field."


def shown_values(blocks: list[dict]) -> dict:
    """The state a view's inputs would be submitted with if nobody touched them."""
    values = {}
    for block in blocks:
        if block.get("type") == "input":
            element = block["element"]
            values[block["block_id"]] = {
                element["action_id"]: {
                    state: element[initial] for initial, state in STATE_KEYS.items() if initial in element
                }
            }
    return values


def fingerprints(values: dict, fields: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """A short digest of each field's state (a field may span several blocks)."""
    return {name: _digest([_state(values, b) for b in blocks]) for name, blocks in fields.items()}


def untouched(values: dict, shown: dict, fields: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """The fields whose submitted state is what the form showed (`shown`: its `fingerprints`)."""
    if not isinstance(shown, dict):
        return frozenset()
    now = fingerprints(values, fields)
    return frozenset(name for name in fields if shown.get(name) == now[name])


def _state(values: dict, block: str):
    """One input's state in a form that does not depend on how it was sent: text cleaned as the form
    reads it, options by value, empty as None."""
    states = values.get(block)
    found = next(iter(states.values()), None) if isinstance(states, dict) else None
    found = found if isinstance(found, dict) else {}
    out = {}
    for key in STATE_KEYS.values():
        value = found.get(key)
        if key == "selected_option":
            value = value.get("value") if isinstance(value, dict) else None
        elif key == "selected_options":
            value = sorted(str(o.get("value")) for o in value or [] if isinstance(o, dict))
        elif isinstance(value, str):
            value = clean(value)
        out[key] = value or None
    return out


def _digest(states: list) -> str:
    return hashlib.sha256(json.dumps(states, sort_keys=True).encode()).hexdigest()[:12]
