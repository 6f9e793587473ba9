"""Adaptive Card pieces for dialogs, and the invoke answers that open, refresh and close a dialog.

A field error is a red line right under its field (`error_for(field)`), with the form shown again as it
was submitted (Teams has no server-side field errors: the card is answered again, `continue`).

Duplicates the card basics of handlers/teams/cards.py (teams-adapter's); fold at merge."""

from __future__ import annotations

from typing import Any

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
VERSION = "1.5"
MAX_CHOICE_TITLE = 100


def card(body: list[dict], actions: list[dict] | None = None) -> dict:
    out: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": VERSION,
        "body": body,
    }
    if actions:
        out["actions"] = actions
    return out


def text(value: str, **style: Any) -> dict:
    return {"type": "TextBlock", "text": value, "wrap": True, **style}


def plain(value: str, **style: Any) -> dict:
    """User text shown as it is: a TextRun is never read as markdown (a title with `[x](url)` stays text)."""
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": value, **style}]}


def error_for(field: str, message: str) -> dict:
    """The red line under a field (its ID `error.<field>`)."""
    return text(message, id=f"error.{field}", color="attention", size="small", spacing="none")


def submit(title: str, data: dict, *, style: str | None = None) -> dict:
    action = {"type": "Action.Submit", "title": title, "data": data}
    if style:
        action["style"] = style
    return action


def text_input(
    field: str,
    label: str,
    value: str | None = None,
    *,
    required: bool = False,
    multiline: bool = False,
    max_length: int = 200,
    placeholder: str | None = None,
) -> dict:
    element: dict[str, Any] = {"type": "Input.Text", "id": field, "label": label, "maxLength": max_length}
    if value:
        element["value"] = value
    if multiline:
        element["isMultiline"] = True
    if required:
        element["isRequired"] = True
        element["errorMessage"] = f"{label} is needed."
    if placeholder:
        element["placeholder"] = placeholder
    return element


def choice(title: str, value: str) -> dict:
    return {"title": title[:MAX_CHOICE_TITLE] or value, "value": value}


def choice_set(
    field: str,
    label: str,
    choices: list[dict],
    value: str | None = None,
    *,
    multi: bool = False,
    expanded: bool = False,
    filtered: bool = False,
    placeholder: str | None = None,
) -> dict:
    element: dict[str, Any] = {"type": "Input.ChoiceSet", "id": field, "label": label, "choices": choices}
    if value:
        element["value"] = value
    if multi:
        element["isMultiSelect"] = True
    if expanded:
        element["style"] = "expanded"
    elif filtered:
        element["style"] = "filtered"
    if placeholder:
        element["placeholder"] = placeholder
    return element


def date_input(field: str, label: str, value: str | None = None) -> dict:
    element = {"type": "Input.Date", "id": field, "label": label}
    if value:
        element["value"] = value
    return element


def with_errors(body: list[dict], errors: dict[str, str]) -> list[dict]:
    """`body` with each error under the input it is about (one with no input shows at the top)."""
    if not errors:
        return body
    out: list[dict] = []
    placed = set()
    for element in body:
        out.append(element)
        field = element.get("id")
        if field in errors:
            out.append(error_for(field, errors[field]))
            placed.add(field)
    rest = [error_for(f, m) for f, m in errors.items() if f not in placed]
    return rest + out


# -- invoke answers -------------------------------------------------------------------------


def dialog(title: str, content: dict, *, width: str = "medium", height: str = "large") -> dict:
    """Open (or show again) a dialog with this card."""
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": title,
                "width": width,
                "height": height,
                "card": {"contentType": CARD_TYPE, "content": content},
            },
        }
    }


def close(message: str) -> dict:
    """Close the dialog, showing this short message."""
    return {"task": {"type": "message", "value": message}}
