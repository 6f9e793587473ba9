"""The core's messages (bot.messages) as Teams users read them: commands as typed to the bot in its chat
(`add …`, no slash), in code font; user text escaped for the Markdown of Adaptive Card text."""

from __future__ import annotations

import re

from bot.messages import (
    FALLBACK,
    Example,
    Examples,
    Msg,
    example_text,
    examples_text,
    render,
)

MARKDOWN = re.compile(r"([\\`*_\[\]()#>~|<])")


def escape(text: str) -> str:
    """User text for a card's Markdown: it can never format, link or mention."""
    return MARKDOWN.sub(r"\\\1", text)


class TeamsStyle:
    def __init__(self, escaped: bool):
        self.escaped = escaped

    def plain(self, text: str) -> str:
        return escape(text) if self.escaped else text

    def code(self, text: str) -> str:
        return f"`{text}`" if self.escaped else f"“{text}”"

    def option(self, key: str) -> str:
        return self.code(f"{key}:")

    def example(self, example: Example) -> str:
        """As typed to the bot, never escaped."""
        return example_text(example, PLAIN_TEXT)

    def example_in_sentence(self, example: Example) -> str:
        return self.code(self.example(example))


MARKDOWN_TEXT = TeamsStyle(escaped=True)
PLAIN_TEXT = TeamsStyle(escaped=False)


def words(message: Msg, locale: str = FALLBACK) -> str:
    """The message for a card's TextBlock (Markdown), user text in it escaped."""
    return render(message, MARKDOWN_TEXT, locale)


def plain(message: Msg, locale: str = FALLBACK) -> str:
    """The message as plain text (a form's field error, a notification's preview)."""
    return render(message, PLAIN_TEXT, locale)


def example(examples: Examples) -> str:
    """Examples as typed (escape before showing)."""
    return examples_text(examples, MARKDOWN_TEXT)


def add_to_team(team: str) -> str:
    """How to let the bot post in a team's channels (the `invite` of a channel it cannot post in)."""
    return (
        f"add the app to the team “{team}” in Teams (the team's ⋯ → Manage team → Apps → Get more apps → "
        "Actionbot → Add to a team), or ask a Teams admin to"
    )
