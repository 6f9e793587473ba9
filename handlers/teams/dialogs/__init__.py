"""Teams dialogs (task modules): the add and edit form, the Add note form, the region form and the import
form, each an Adaptive Card built and read here and saved through the same core calls as Slack's forms.

A card button opens one with `Action.Submit` data `open_data(form, ...)` (a `task/fetch` invoke); the
dialog's own buttons submit with `{"form": ...}` (a `task/submit` invoke); listeners/dialogs.py routes
both by that `form` field."""

from __future__ import annotations

ADD, EDIT, NOTE, REGION, IMPORT = "add", "edit", "note", "region", "import"
FORMS = (ADD, EDIT, NOTE, REGION, IMPORT)


def open_data(form: str, **extra: object) -> dict:
    """The data of a card button that opens a dialog: `open_data("edit", n=12)`, `open_data("note", n=12)`,
    `open_data("add")`, `open_data("import")`, `open_data("region", name="LAC")`."""
    return {"msteams": {"type": "task/fetch"}, "form": form, **extra}
