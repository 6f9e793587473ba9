"""Block action listeners: buttons and pickers on lists, DMs and nudges."""
from handlers.actions import done_button, new_date_picker, note_button, snooze_buttons


def register(app, ctx) -> None:
    done_button.register(app, ctx)
    snooze_buttons.register(app, ctx)
    new_date_picker.register(app, ctx)
    note_button.register(app, ctx)
