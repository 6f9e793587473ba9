"""Matching an owner written as text ("Patricia Toquica", "jose perez", "lina@example.org") to a
workspace member's user ID.

Platform-neutral: the caller builds `Member`s from its platform's member list and must leave out
deleted users and bots (and anyone else who should never own an action); every member given here
is a candidate. Names are compared with accents and case folded, punctuation read as a space and
spaces collapsed, so "Jose Perez" finds "José Pérez" and "fergurson mitchel" finds
"Fergurson-Mitchel". In order, the first step that finds anyone decides:

1. an e-mail address (alone or as `Name <address>`): the member with that address;
2. the whole name equal to a member's real name, display name or handle;
3. first and last name equal to the first and last of a member's real or display name, the
   written words appearing in order in it (extra middle names: "Lina Salazar" finds
   "Lina María Salazar");
4. the first name equal and the written words appearing in order (a second surname left out:
   "Patricia Toquica" finds "Patricia Toquica Rojas").

A step that finds two or more members is ambiguous: `match` returns None and does not go on.
A single word only ever matches at step 2 (a handle or a whole display name). A platform's own
mention markup in a cell is its adapter's to read (`member` says whether an ID is a member). A text longer than
MAX_NAME matches no one. Every step is linear in the text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Protocol

MAX_NAME = 200  # characters; no member's name or address is longer, so a longer text matches no one
_EMAIL = re.compile(r"[^@\s<>(),;:\"']+@[^@\s<>(),;:\"']+\.[^@\s<>(),;:\"'.]+")


@dataclass(frozen=True)
class Member:
    user_id: str
    name: str = ""  # the handle
    real_name: str = ""
    display_name: str = ""
    email: str = ""


def looks_like_email(s: str) -> bool:
    """True when `s` (surrounding spaces aside) is one e-mail address."""
    return bool(s) and _EMAIL.fullmatch(s.strip()) is not None


def _address(text: str) -> str | None:
    """The e-mail address `text` is (`lina@example.org`) or ends with (`Lina <lina@example.org>`)."""
    if looks_like_email(text):
        return text
    # by hand, not `(.*)<\s*(\S+@\S+)\s*>`: that pattern backtracks over every `@` and is quadratic
    head, bracket, tail = text.rpartition("<")
    address = tail.strip()[:-1].strip() if bracket and tail.rstrip().endswith(">") else ""
    return address if "@" in address[1:-1] and not any(c in address for c in "<> \t\n") else None


def fold_name(s: str) -> str:
    """Accents removed, case folded, punctuation as spaces, spaces collapsed: the key names compare by."""
    text = "".join(c for c in unicodedata.normalize("NFKD", s or "") if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+|_", " ", text.casefold()).split())


def _in_order(words: list[str], name: list[str]) -> bool:
    it = iter(name)
    return all(w in it for w in words)


class NameMatcher(Protocol):
    """What an import asks of a matcher: OwnerMatcher, or a platform's one that also asks the platform."""

    def match(self, name: str) -> str | None: ...


class OwnerMatcher:
    """Owner names -> user IDs over a fixed list of members (see the module docstring)."""

    def __init__(self, members):
        self.members: list[Member] = list(members)
        self._ids = {m.user_id for m in self.members}
        self._by_email: dict[str, set[str]] = {}
        self._by_name: dict[str, set[str]] = {}
        self._full_names: list[tuple[list[str], str]] = []  # (folded words, user ID), 2+ words
        for m in self.members:
            if m.email:
                self._by_email.setdefault(m.email.strip().casefold(), set()).add(m.user_id)
            for name in (m.real_name, m.display_name, m.name):
                key = fold_name(name)
                if key:
                    self._by_name.setdefault(key, set()).add(m.user_id)
            for name in (m.real_name, m.display_name):
                words = fold_name(name).split()
                if len(words) >= 2:
                    self._full_names.append((words, m.user_id))

    def match(self, name: str) -> str | None:
        """The user ID `name` unambiguously names, else None."""
        text = (name or "").strip()
        if not text or len(text) > MAX_NAME:
            return None
        if address := _address(text):
            return self._unique(self._by_email.get(address.casefold(), set()))
        key = fold_name(text.lstrip("@"))
        if not key:
            return None
        if key in self._by_name:
            return self._unique(self._by_name[key])
        words = key.split()
        if len(words) < 2:
            return None
        found = {
            uid
            for full, uid in self._full_names
            if full[0] == words[0] and full[-1] == words[-1] and _in_order(words, full)
        }
        if found:
            return self._unique(found)
        found = {uid for full, uid in self._full_names if full[0] == words[0] and _in_order(words, full)}
        return self._unique(found)

    def member(self, user_id: str) -> str | None:
        """`user_id` when it is one of the members, else None."""
        return user_id if user_id in self._ids else None

    @staticmethod
    def _unique(ids: set[str]) -> str | None:
        return next(iter(ids)) if len(ids) == 1 else None
