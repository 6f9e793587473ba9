"""Errors the user should read: each names its message in the catalogue (bot.messages) with its
parameters, the field it concerns where there is one, and, where it helps, an example to try.

The core never words them for a platform: an adapter renders `message` and `example` in its style."""

from __future__ import annotations

from bot.messages import PLAIN, Examples, Msg, examples_text, msg, render


class UserError(Exception):
    """Something the user can fix. `message` is the catalogue's message; `str()` is neutral English
    (for logs and tests), not what a user is shown."""

    def __init__(self, key: str | Msg, example: Examples | None = None, *, field: str | None = None, **params):
        self.message: Msg = key if isinstance(key, Msg) else msg(key, **params)
        self.example = example
        self.field = field  # the input it is about (a form's block, an import cell), where there is one
        super().__init__(self.text)

    @property
    def text(self) -> str:
        shown = render(self.message, PLAIN)
        if self.example is not None:
            shown += "\nFor example: " + examples_text(self.example, PLAIN)
        return shown

    def __str__(self) -> str:
        return self.text


class BadInput(UserError):
    pass


class NotFound(UserError):
    pass


class NotAllowed(UserError):
    pass


class AdminUnconfirmed(NotAllowed):
    """Only an admin may do this, and whether they are one was last asked too long ago to rest on (or
    could not be asked now). An adapter asks the chat platform again and retries once."""

    def __init__(self):
        super().__init__("admin_unconfirmed")


def too_long(what: Msg, limit: int, size: int | None = None, why: Msg | None = None) -> Msg:
    """The message refusing an input past its length cap: "A question can be at most 2,000 characters;
    this one has 20,004." (`size` None: it has more, how much more was not read; `why`: a remark on how
    it was counted, before the full stop)."""
    has = msg("too_long.has", size=size) if size is not None else msg("too_long.has_more")
    return msg("too_long", what=what, limit=limit, has=has, why=why if why is not None else msg("empty"))
