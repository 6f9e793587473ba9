"""The words users read, kept apart from the code that decides them.

The core never writes a sentence: it names a message by its key with typed parameters (`Msg`), and an
adapter turns that into text in its own style (`Style`): Slack puts commands in code font behind
`/action`, the command line names its own flags. Each language is one catalogue module (`en` now),
key → template; a locale without a catalogue, or a key missing from one, falls back to English.

Parameters are plain values (text, numbers; a template may give a format spec, `{rows:,}`) or:
`Code` (a word the user types, `mine`), `Opt` (an option by name, `tz:` in chat and `--tz` on the
command line), `Example` (a whole command to try; a tuple of them reads "a or b"), a nested `Msg` (a
tuple of them reads one after another), or `Person` inside an example.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from bot.messages import en

CATALOGUES: dict[str, Mapping[str, str]] = {"en": en.MESSAGES}
FALLBACK = "en"


@dataclass(frozen=True)
class Code:
    """A word or phrase the user types as it is: `mine`, `region list`, a quote mark."""

    text: str


@dataclass(frozen=True)
class Opt:
    """An option: in a sentence by its name alone, in an example with its value."""

    key: str
    value: str | None = None


@dataclass(frozen=True)
class Person:
    """A person in an example: a name typed as `@lina`, or (`by_id`) a reference to a user ID."""

    name: str
    by_id: bool = False


@dataclass(frozen=True)
class Example:
    """A command to try: its verb (`add`, `region add`; None for arguments that go into one) and its
    arguments (words, quoted where they hold spaces; options; people)."""

    verb: str | None
    args: tuple[str | Opt | Person | Code, ...] = ()  # a Code argument is shown as it is, never quoted
    note: Msg | None = None  # what it does, after it in brackets


Examples = Example | tuple[Example, ...]  # several: "a or b"


@dataclass(frozen=True)
class Msg:
    """One message of the catalogue and its parameters."""

    key: str
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self):
        if self.key not in CATALOGUES[FALLBACK]:
            raise KeyError(f"no message {self.key!r} in the English catalogue")

    def __str__(self) -> str:
        """Neutral English, for logs and tests; an adapter renders it in its own style."""
        return render(self, PLAIN)


def msg(key: str, **params: object) -> Msg:
    return Msg(key, MappingProxyType(params))


class Style(Protocol):
    """How one adapter writes the typed parts of a message."""

    def plain(self, text: str) -> str: ...  # user text and other plain words (escaped where needed)

    def code(self, text: str) -> str: ...

    def option(self, key: str) -> str: ...

    def example(self, example: Example) -> str: ...  # the command as typed, not yet escaped or set in code

    def example_in_sentence(self, example: Example) -> str: ...


def template(key: str, locale: str = FALLBACK) -> str:
    catalogue = CATALOGUES.get(locale) or CATALOGUES[FALLBACK]
    return catalogue.get(key) or CATALOGUES[FALLBACK][key]


def render(message: Msg, style: Style, locale: str = FALLBACK) -> str:
    """The message in `locale` (English when there is no catalogue for it), written in `style`."""
    values = {name: _value(v, style, locale) for name, v in message.params.items()}
    return template(message.key, locale).format_map(values)


def examples_text(examples: Examples, style: Style) -> str:
    """An example, or several joined with "or", as typed (the caller escapes and sets it in code)."""
    items = examples if isinstance(examples, tuple) else (examples,)
    return " or ".join(style.example(e) for e in items)


def _value(v: object, style: Style, locale: str) -> object:
    if isinstance(v, Msg):
        return render(v, style, locale)
    if isinstance(v, Code):
        return style.code(v.text)
    if isinstance(v, Opt):
        return style.option(v.key)
    if isinstance(v, Example):
        return style.example_in_sentence(v)
    if isinstance(v, tuple) and v and all(isinstance(e, Example) for e in v):
        return " or ".join(style.example_in_sentence(e) for e in v)
    if isinstance(v, tuple) and all(isinstance(e, Msg) for e in v):
        return " ".join(render(e, style, locale) for e in v)
    if isinstance(v, str):
        return style.plain(v)
    return v


def quote_arg(value: str) -> str:
    """A command argument as typed: in double quotes when it holds spaces."""
    return f'"{value}"' if re.search(r"\s", value) else value


def chat_option(key: str, value: str) -> str:
    """An option as typed in a chat command: `tz:America/Bogota`."""
    return f"{key}:{quote_arg(value)}"


def at_name(person: Person) -> str:
    return f"@{person.name}"


def example_text(
    example: Example,
    note_style: Style,
    *,
    command: str = "",
    option: Callable[[str, str], str] = chat_option,
    arg: Callable[[str], str] = quote_arg,
    person: Callable[[Person], str] = at_name,
) -> str:
    """An example as a platform types it: `command` before the verb (`/action`, `actionbot`, none), its
    options, arguments and people written by the platform's rules, its note worded in `note_style`."""
    words = [f"{command} {example.verb}".strip()] if example.verb else []
    for a in example.args:
        if isinstance(a, Opt):
            words.append(option(a.key, a.value or ""))
        elif isinstance(a, Code):
            words.append(a.text)
        elif isinstance(a, Person):
            words.append(person(a))
        else:
            words.append(arg(a))
    note = f" ({render(example.note, note_style)})" if example.note is not None else ""
    return " ".join(words) + note


class PlainStyle:
    """Neutral text for logs, tests and `str()` of an error: code between backquotes, examples as
    the words of the command without any platform's prefix."""

    def plain(self, text: str) -> str:
        return text

    def code(self, text: str) -> str:
        return f"`{text}`"

    def option(self, key: str) -> str:
        return f"`{key}:`"

    def example(self, example: Example) -> str:
        return example_text(example, self)

    def example_in_sentence(self, example: Example) -> str:
        return f"`{self.example(example)}`"


PLAIN = PlainStyle()
