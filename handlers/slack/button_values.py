"""What a button carries in its `value` (Block Kit caps it at 2,000 characters): an action number, a page
offset, a feed's region and, on list buttons, the list's query in its short form (`ListQuery.describe`
with names' inner spaces collapsed: the store matches names that way). A value still too long travels
compressed; a query too long even so is not carried (`list_query` says so), and a value is never cut."""

from __future__ import annotations

import base64
import json
import zlib

from bot.core import grammar
from bot.core.errors import UserError
from handlers.slack import markup

MAX_VALUE = 2000
LONGEST = {"n": 10**9, "o": 10**9}  # the largest other fields a list button carries


def encode(value: dict) -> str:
    """The value as compact JSON, compressed (`{"z": …}`) when that is what makes it fit."""
    text = _dumps(value)
    if len(text) > MAX_VALUE:
        text = _dumps({"z": base64.b85encode(zlib.compress(text.encode(), 9)).decode()})
    if len(text) > MAX_VALUE:
        raise ValueError(f"a button value of {len(text)} characters")
    return text


def decode(raw: str | None) -> dict | None:
    """The dict a button carries, or None when it is not one of ours."""
    try:
        value = json.loads(raw or "")
        if isinstance(value, dict) and set(value) == {"z"} and isinstance(value["z"], str):
            value = json.loads(zlib.decompress(base64.b85decode(value["z"])))
        return value if isinstance(value, dict) else None
    except (ValueError, zlib.error):
        return None


def list_query(query_text: str) -> str | None:
    """The query a list's buttons carry to list again, or None when even its short form will not fit."""
    if _fits(query_text):  # nearly always: no second parse of the query on the way out
        return query_text
    short = _short(query_text)
    return short if _fits(short) else None


def _fits(query_text: str) -> bool:
    try:
        encode({**LONGEST, "q": query_text})
    except ValueError:
        return False
    return True


def _short(query_text: str) -> str:
    try:
        query = grammar.parse_query(grammar.tokenize(markup.parse(query_text)))
    except UserError:
        return query_text
    for key in ("region", "group", "meeting"):
        if value := getattr(query, key):
            setattr(query, key, " ".join(value.split()))
    short = markup.render(query.as_input())
    try:  # a name the short form cannot quote (one holding a `"`) keeps the text as it was
        return short if grammar.parse_query(grammar.tokenize(markup.parse(short))) == query else query_text
    except UserError:
        return query_text


def _dumps(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
