"""Slash command listeners."""

from handlers.slack.commands import action_command


def register(app, ctx) -> None:
    action_command.register(app, ctx)
