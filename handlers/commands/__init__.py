"""Slash command listeners."""

from handlers.commands import action_command


def register(app, ctx) -> None:
    action_command.register(app, ctx)
