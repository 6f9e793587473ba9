"""Modal submission listeners."""
from handlers.views import note_form


def register(app, ctx) -> None:
    note_form.register(app, ctx)
