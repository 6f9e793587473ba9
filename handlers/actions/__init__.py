"""Block action (button) listeners."""
from handlers.actions import done_button


def register(app, ctx) -> None:
    done_button.register(app, ctx)
