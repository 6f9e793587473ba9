"""The action form (a modal): add (`/action add` with no text, Home's New action, the message shortcut)
and edit (`/action edit N`, every Edit button), one layout for both. Field mistakes are shown on the
field (`response_action: errors`); a saved form goes through the same core calls as the command, so
owners get the same DMs and the history the same rows."""

from __future__ import annotations

import datetime as dt
import json
import logging

from bot.core.command_input import clean
from bot.core.errors import UserError
from bot.core.grammar import ActionSpec
from bot.core.owner_cap import MAX_OWNERS, too_many_owners
from bot.core.records import ActionInfo, Actor, Outcome
from handlers.slack import render, request_log, wording
from handlers.slack.context import HandlerContext
from handlers.slack.home_refresh import after_change
from handlers.slack.identity import actor_for, confirming_admin, team_of, user_team_of
from handlers.slack.notify import tell_new_owners
from handlers.slack.views.untouched import CUT_HINT, fingerprints, shown_values, untouched

log = logging.getLogger("actionbot.action_form")
CALLBACK = "action_form"
MAX_TITLE = 500
NO_REGION = "-"
PAST_OK, ONGOING = "past_ok", "ongoing"
MAX_REGION_OPTIONS = 500  # in groups of 100 (a select's cap); the action's own region is always among them
# each field the core can keep as stored (ActionService.replace), and the form blocks that show it
FIELDS = {
    "title": ("title",),
    "users": ("owners",),
    "named": ("named",),
    "due": ("due", "due_opts"),
    "region": ("region",),
    "group": ("group",),
    "meeting": ("meeting",),
}
TEXT_BLOCKS = ("title", "named", "group", "meeting", "note")


def text_input(
    block_id: str,
    label: str,
    *,
    initial: str | None = None,
    optional: bool = True,
    multiline: bool = False,
    max_length: int = 200,
    placeholder: str | None = None,
    hint: str | None = None,
) -> dict:
    element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": max_length}
    if initial:
        element["initial_value"] = initial[:max_length]
        hint = CUT_HINT if len(initial) > max_length else hint
    if placeholder:
        element["placeholder"] = {"type": "plain_text", "text": placeholder}
    block = {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "element": element,
        "label": {"type": "plain_text", "text": label},
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def form_view(regions: list[str], meta: dict, action: ActionInfo | None = None, title: str = "") -> dict:
    """The modal; `action` prefills it for an edit."""
    editing = action is not None
    users = list(action.owner_ids) if editing else []
    named = "\n".join(o.name for o in action.owners if o.user_id is None) if editing else ""
    owners = {
        "type": "multi_users_select",
        "action_id": "value",
        "max_selected_items": MAX_OWNERS,
        "placeholder": {"type": "plain_text", "text": "People in this workspace"},
    }
    if users:
        owners["initial_users"] = users
    due = {"type": "datepicker", "action_id": "value"}
    if editing and action.due.kind == "date":
        due["initial_date"] = action.due.date.isoformat()
    checks = {
        "type": "checkboxes",
        "action_id": "value",
        "options": [option(ONGOING, "Ongoing (no due date)"), option(PAST_OK, "Keep a date that has passed")],
    }
    if editing and action.due.kind == "ongoing":
        checks["initial_options"] = [option(ONGOING, "Ongoing (no due date)")]
    blocks = [
        text_input(
            "title",
            "Action",
            initial=action.title if editing else title,
            optional=False,
            multiline=True,
            max_length=MAX_TITLE,
            placeholder="What is to be done",
        ),
        {
            "type": "input",
            "block_id": "owners",
            "optional": True,
            "element": owners,
            "label": {"type": "plain_text", "text": "Owners"},
        },
        text_input(
            "named",
            "Named owners",
            initial=named,
            multiline=True,
            max_length=1000,
            placeholder="KM Regional Coordinators",
            hint="Teams or roles that are not Slack users, one a line.",
        ),
        {
            "type": "input",
            "block_id": "due",
            "optional": True,
            "element": due,
            "label": {"type": "plain_text", "text": "Due date"},
        },
        {
            "type": "input",
            "block_id": "due_opts",
            "optional": True,
            "element": checks,
            "label": {"type": "plain_text", "text": "Due date options"},
        },
    ]
    if regions:
        blocks.append(
            {
                "type": "input",
                "block_id": "region",
                "optional": True,
                "element": region_select(regions, action.region if editing else None, "No region"),
                "label": {"type": "plain_text", "text": "Region"},
            }
        )
    blocks += [
        text_input("group", "Group", initial=action.group if editing else None, max_length=100, placeholder="KM"),
        text_input(
            "meeting",
            "Meeting",
            initial=action.meeting if editing else None,
            placeholder="Global KM & Comms Workshop, Nov 2014",
        ),
        text_input("note", "Add a note" if editing else "Notes", multiline=True, max_length=2000),
    ]
    if meta.get("permalink"):
        blocks.insert(0, render.context(f"From <{meta['permalink']}|this message>"))
    if editing:  # what each field showed, to tell an untouched one (see views.untouched)
        meta = {**meta, "shown": fingerprints(shown_values(blocks), FIELDS)}
    heading = f"Edit #{action.number}" if editing else "New action"
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": json.dumps(meta),
        "title": {"type": "plain_text", "text": heading},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def option(value: str, text: str) -> dict:
    return {"text": {"type": "plain_text", "text": text[:75]}, "value": value}


def region_select(regions: list[str], current: str | None, none_label: str) -> dict:
    """A region picker: every region up to MAX_REGION_OPTIONS (in groups of 100 past the first 99),
    always with `current` among them and chosen."""
    names = list(regions[:MAX_REGION_OPTIONS])
    if current and current not in names:
        names = [current] + names[:-1]
    choices = [option(NO_REGION, none_label)] + [option(r, r) for r in names]
    select = {
        "type": "static_select",
        "action_id": "value",
        "placeholder": {"type": "plain_text", "text": "Choose a region"},
    }
    if len(choices) <= 100:
        select["options"] = choices
    else:
        chunks = [choices[i : i + 100] for i in range(0, len(choices), 100)]
        select["option_groups"] = [{"label": {"type": "plain_text", "text": _span(c)}, "options": c} for c in chunks]
    if current:
        select["initial_option"] = option(current, current)
    return select


def _span(options: list[dict]) -> str:
    first, last = options[0]["text"]["text"][:35], options[-1]["text"]["text"][:35]
    return f"{first} – {last}"


def open_add_form(
    ctx: HandlerContext,
    client,
    trigger_id: str,
    team_id: str,
    user_id: str,
    *,
    title: str = "",
    channel: str | None = None,
    permalink: str | None = None,
) -> None:
    regions = [r.name for r in ctx.regions.list(team_id, ctx.clock())]
    meta = {"mode": "add", "team": team_id, "channel": channel, "permalink": permalink}
    client.views_open(trigger_id=trigger_id, view=form_view(regions, meta, title=title))


def open_edit_form(
    ctx: HandlerContext, client, trigger_id: str, team_id: str, actor: Actor, number: int, channel: str | None = None
) -> None:
    """Opens the prefilled form, or raises the core's refusal (unknown number, not allowed)."""
    now = ctx.clock()
    action = ctx.actions.changeable(team_id, actor, number, now)
    regions = [r.name for r in ctx.regions.list(team_id, now)]
    meta = {
        "mode": "edit",
        "team": team_id,
        "n": number,
        "channel": channel,
        "due": action.due.date.isoformat() if action.due.kind == "date" else None,
    }
    client.views_open(trigger_id=trigger_id, view=form_view(regions, meta, action))


# -- submission -----------------------------------------------------------------------------


def field_value(values: dict, block: str) -> dict:
    """One input's state; typed text has control characters removed (see command_input.clean)."""
    found = dict((values.get(block) or {}).get("value") or {})
    if isinstance(found.get("value"), str):
        found["value"] = clean(found["value"])
    return found


def same_team(body: dict, team_in_form: str) -> str:
    """The workspace of a submission is the signed request's; a form that names another is refused."""
    team_id = team_of(body)
    if team_in_form != team_id:
        raise ValueError("the form belongs to another workspace")
    return team_id


def read_form(view: dict, today: dt.date, kept_date: str | None = None) -> tuple[ActionSpec, dict[str, str]]:
    """The spec a submitted form asks for, and the errors to show on its fields. A past date needs
    confirming unless it is the one the action already had (`kept_date`)."""
    values = view.get("state", {}).get("values", {})
    errors: dict[str, str] = {}
    title = " ".join((field_value(values, "title").get("value") or "").split())
    if not title:
        errors["title"] = "Say what is to be done."
    users = field_value(values, "owners").get("selected_users") or []
    named = [n.strip() for n in (field_value(values, "named").get("value") or "").splitlines() if n.strip()]
    crowded = too_many_owners(users, named)
    if crowded:
        errors["owners"] = wording.plain(crowded)
    picked = field_value(values, "due").get("selected_date")
    flags = {o.get("value") for o in field_value(values, "due_opts").get("selected_options") or []}
    due_phrase = None
    if ONGOING in flags and picked:
        errors["due_opts"] = "Either pick a due date or tick Ongoing, not both."
    elif ONGOING in flags:
        due_phrase = "ongoing"
    elif picked:
        if dt.date.fromisoformat(picked) < today and PAST_OK not in flags and picked != kept_date:
            errors["due"] = "That date has passed. Pick another, or tick “Keep a date that has passed”."
        due_phrase = picked
    region = (field_value(values, "region").get("selected_option") or {}).get("value")
    spec = ActionSpec(
        title=title,
        user_owners=list(users),
        named_owners=named,
        due_phrase=due_phrase,
        region=None if region in (None, NO_REGION) else region,
        group=(field_value(values, "group").get("value") or "").strip() or None,
        meeting=(field_value(values, "meeting").get("value") or "").strip() or None,
        note=(field_value(values, "note").get("value") or "").strip() or None,
    )
    return spec, errors


def register(app, ctx: HandlerContext) -> None:
    @app.view(CALLBACK)
    def handle_submission(ack, body, view, client):
        errors, outcome, meta = submit(ctx, client, body, view)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        ctx.later(after_save, ctx, client, meta, body["user"]["id"], outcome)


def submit(ctx: HandlerContext, client, body: dict, view: dict) -> tuple[dict, Outcome | None, dict]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
        team_id = same_team(body, meta["team"])
    except (ValueError, KeyError, TypeError):
        return {"title": "This form is out of date; open it again."}, None, {}

    def save():
        now = ctx.clock()
        actor = actor_for(ctx, client, team_id, body["user"]["id"], user_team_of(body))
        spec, errors = read_form(view, ctx.actions.today_for(team_id, actor, now), meta.get("due"))
        kept = (
            untouched(view.get("state", {}).get("values", {}), meta.get("shown"), FIELDS)
            if (meta.get("mode") == "edit")
            else frozenset()
        )
        errors = {block: e for block, e in errors.items() if not any(block in FIELDS[f] for f in kept)}
        if errors:
            return errors, None, meta
        if meta.get("mode") == "edit":
            outcome = ctx.actions.replace(team_id, actor, int(meta["n"]), spec, now, keep=kept)
        else:
            spec.permalink = meta.get("permalink")
            outcome = ctx.actions.add(team_id, actor, spec, now, channel_id=meta.get("channel"))
        return {}, outcome, meta

    try:
        return confirming_admin(ctx, client, team_id, body["user"]["id"], save)
    except UserError as err:
        request_log.refused()  # a field's limit shows on that field; anything else on the title
        return {err.field if err.field in TEXT_BLOCKS else "title": wording.plain(err.message)[:150]}, None, meta
    except Exception:
        log.exception("action form failed (team %s)", meta.get("team"))
        return {"title": "Something went wrong on our side and nothing was saved. Please try again."}, None, meta


def after_save(ctx: HandlerContext, client, meta: dict, user_id: str, outcome: Outcome) -> None:
    """Tell the new owners, confirm to the person who saved, refresh the Homes it touches."""
    team_id = meta["team"]
    if outcome.assignments:
        tell_new_owners(ctx, client, team_id, [outcome])
    reply = render.outcome_message(outcome, "edit" if meta.get("mode") == "edit" else "add")
    channel = meta.get("channel")
    if channel and channel[:1] in ("C", "G"):
        client.chat_postEphemeral(channel=channel, user=user_id, **reply)
    else:
        ctx.dms.post(client, team_id, user_id, **reply)
    after_change(ctx, client, team_id, user_id, outcome.action)
