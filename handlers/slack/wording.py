"""The core's messages (bot.messages) as Slack users read them: words to type in code font, commands as
`/action …`; in mrkdwn user text is escaped, in plain_text (a form's field errors) it is not."""

from __future__ import annotations

from bot.messages import (
    FALLBACK,
    Example,
    Examples,
    Msg,
    Person,
    example_text,
    examples_text,
    render,
)

COMMAND = "/action"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _person(person: Person) -> str:
    return f"<@{person.name}>" if person.by_id else f"@{person.name}"


class SlackStyle:
    def __init__(self, escaped: bool):
        self.escaped = escaped

    def plain(self, text: str) -> str:
        return _escape(text) if self.escaped else text

    def code(self, text: str) -> str:
        return f"`{self.plain(text)}`"

    def option(self, key: str) -> str:
        return f"`{key}:`"

    def example(self, example: Example) -> str:
        """As typed, never escaped (the caller escapes it where it is shown)."""
        return example_text(example, PLAIN_TEXT, command=COMMAND, person=_person)

    def example_in_sentence(self, example: Example) -> str:
        return f"`{self.plain(self.example(example))}`"


MRKDWN = SlackStyle(escaped=True)
PLAIN_TEXT = SlackStyle(escaped=False)


def words(message: Msg, locale: str = FALLBACK) -> str:
    """The message as mrkdwn, user text in it escaped."""
    return render(message, MRKDWN, locale)


def plain(message: Msg, locale: str = FALLBACK) -> str:
    """The message as plain_text (a form's field error, a modal's text), nothing escaped."""
    return render(message, PLAIN_TEXT, locale)


def example(examples: Examples) -> str:
    """Examples as typed (escape before showing)."""
    return examples_text(examples, MRKDWN)
