"""Events API listeners: the App Home tab, mentions and direct messages, uninstalls."""

from handlers.slack.events import app_home, lifecycle, mentions


def register(app, ctx) -> None:
    app_home.register(app, ctx)
    mentions.register(app, ctx)
    lifecycle.register(app, ctx)
