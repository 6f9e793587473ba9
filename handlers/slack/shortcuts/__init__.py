"""Shortcut listeners."""

from handlers.slack.shortcuts import create_from_message


def register(app, ctx) -> None:
    create_from_message.register(app, ctx)
