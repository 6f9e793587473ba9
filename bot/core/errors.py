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
