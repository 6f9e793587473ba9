"""Modal submission listeners."""

from handlers.slack.views import action_form, import_form, note_form, region_form


def register(app, ctx) -> None:
    action_form.register(app, ctx)
    import_form.register(app, ctx)
    note_form.register(app, ctx)
    region_form.register(app, ctx)
