"""The core's messages (bot.messages) as Slack users read them: words to type in code font, commands as
`/action …`; in mrkdwn user text is escaped, in plain_text (a form's field errors) it is not."""

from __future__ import annotations

from bot.messages import FALLBACK, Code, Example, Examples, Msg, Opt, Person, examples_text, quote_arg, render

COMMAND = "/action"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
        words = [f"{COMMAND} {example.verb}"] if example.verb else []
        for a in example.args:
            if isinstance(a, Opt):
                words.append(f"{a.key}:{quote_arg(a.value or '')}")
            elif isinstance(a, Code):
                words.append(a.text)
            elif isinstance(a, Person):
                words.append(f"<@{a.name}>" if a.by_id else f"@{a.name}")
            else:
                words.append(quote_arg(a))
        note = f" ({render(example.note, PLAIN_TEXT)})" if example.note is not None else ""
        return " ".join(words) + note

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
