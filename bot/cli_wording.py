"""The core's messages (bot.messages) as the command line words them: plain text, its own flags
(`--tz America/Bogota`), commands as `actionbot …`; never a chat platform's markup or slash command."""

from __future__ import annotations

import shlex

from bot.messages import FALLBACK, Example, Msg, example_text, examples_text, render

PROGRAM = "actionbot"


class CliStyle:
    def plain(self, text: str) -> str:
        return text

    def code(self, text: str) -> str:
        return f"'{text}'"

    def option(self, key: str) -> str:
        return f"--{key}"

    def example(self, example: Example) -> str:
        return example_text(
            example, self, command=PROGRAM, option=lambda key, value: f"--{key} {_arg(value)}", arg=_arg
        )

    def example_in_sentence(self, example: Example) -> str:
        return self.example(example)


def _arg(value: str) -> str:
    """An argument as a shell takes it: quoted when it holds spaces or shell characters."""
    return value if value.startswith("<") and value.endswith(">") else shlex.quote(value)


CLI = CliStyle()


def words(message: Msg, locale: str = FALLBACK) -> str:
    return render(message, CLI, locale)


def refusal(err) -> str:
    """A UserError as the command line prints it (after `actionbot: `)."""
    said = words(err.message)
    if err.example is not None:
        said += "\nfor example: " + examples_text(err.example, CLI)
    return said
