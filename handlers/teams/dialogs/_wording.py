"""The core's messages (bot.messages) as plain text for a Teams dialog: commands as typed to the bot
(`add …`), words to type in quotes. Adaptive Card inputs and their error lines show text as it is.

Duplicates the part of handlers/teams/wording.py (teams-adapter's) that forms need; fold at merge."""

from __future__ import annotations

from bot.messages import FALLBACK, Code, Example, Msg, Opt, Person, quote_arg, render


class DialogStyle:
    def plain(self, text: str) -> str:
        return text

    def code(self, text: str) -> str:
        return f"“{text}”"

    def option(self, key: str) -> str:
        return f"“{key}:”"

    def example(self, example: Example) -> str:
        words = [example.verb] if example.verb else []
        for a in example.args:
            if isinstance(a, Opt):
                words.append(f"{a.key}:{quote_arg(a.value or '')}")
            elif isinstance(a, Code):
                words.append(a.text)
            elif isinstance(a, Person):
                words.append(f"@{a.name}")
            else:
                words.append(quote_arg(a))
        note = f" ({render(example.note, self)})" if example.note is not None else ""
        return " ".join(words) + note

    def example_in_sentence(self, example: Example) -> str:
        return f"“{self.example(example)}”"


DIALOG = DialogStyle()


def words(message: Msg, locale: str = FALLBACK) -> str:
    return render(message, DIALOG, locale)
