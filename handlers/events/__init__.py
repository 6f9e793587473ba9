"""Events API listeners: the App Home tab, mentions and direct messages."""
from handlers.events import app_home, mentions


def register(app, ctx) -> None:
    app_home.register(app, ctx)
    mentions.register(app, ctx)
