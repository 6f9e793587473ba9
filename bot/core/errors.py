"""Errors the user should read: each carries a short message and, where it helps, an example."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix. `str()` is the whole message, ready to show."""

    def __init__(self, message: str, example: str | None = None, *, field: str | None = None):
        self.message = message
        self.example = example
        self.field = field  # the input it is about (a form's block, an import cell), where there is one
        super().__init__(message if not example else f"{message}\nFor example: `{example}`")


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
        super().__init__(
            "I could not confirm just now that you are a workspace admin, so nothing was changed. "
            "Please try again in a minute."
        )


def too_long(what: str, limit: int, size: int | None = None, why: str = "") -> str:
    """The sentence refusing an input past its length cap: "A question can be at most 2,000 characters;
    this one has 20,004." (`size` None: it has more, how much more was not read; `why`: a remark on how
    it was counted, before the full stop)."""
    has = f"this one has {size:,}" if size is not None else "this one has more"
    return f"{what} can be at most {limit:,} characters; {has}{why}."
