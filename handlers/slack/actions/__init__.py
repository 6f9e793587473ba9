"""Block action listeners: buttons and pickers on lists, DMs, nudges and the Home tab."""

from handlers.slack.actions import done_button, edit_button, new_date_picker, note_button, show_more, snooze_buttons


def register(app, ctx) -> None:
    done_button.register(app, ctx)
    edit_button.register(app, ctx)
    show_more.register(app, ctx)
    snooze_buttons.register(app, ctx)
    new_date_picker.register(app, ctx)
    note_button.register(app, ctx)
