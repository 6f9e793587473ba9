"""The region form (a modal) behind `/action region edit <name>`: name, aliases, channel, lead, zone,
working days and summary time, prefilled. Admins only; mistakes are shown on their field."""

from __future__ import annotations

import dataclasses
import json
import logging

from bot.core.errors import NotAllowed, UserError
from bot.core.records import RegionInfo
from bot.core.regions import RegionSpec
from bot.messages import msg
from handlers.slack import render, request_log, wording
from handlers.slack.context import HandlerContext
from handlers.slack.identity import actor_for, confirming_admin, user_team_of
from handlers.slack.views.action_form import field_value, same_team, text_input
from handlers.slack.views.untouched import fingerprints, shown_values, untouched

log = logging.getLogger("actionbot.region_form")
CALLBACK = "region_form"
# each form block and the RegionSpec (and RegionInfo) field it shows
ATTRS = {
    "name": "name",
    "aliases": "aliases",
    "channel": "channel_id",
    "lead": "lead_user_id",
    "tz": "timezone",
    "days": "working_days",
    "summary": "summary_schedule",
}
FIELDS = {block: (block,) for block in ATTRS}


def region_view(region: RegionInfo, team_id: str) -> dict:
    channel = {
        "type": "conversations_select",
        "action_id": "value",
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if region.channel_id:
        channel["initial_conversation"] = region.channel_id
    lead = {"type": "users_select", "action_id": "value"}
    if region.lead_user_id:
        lead["initial_user"] = region.lead_user_id
    blocks = [
        text_input("name", "Name", initial=region.name, optional=False, max_length=100),
        text_input(
            "aliases",
            "Aliases",
            initial=", ".join(region.aliases),
            max_length=500,
            hint="Other names people use, separated by commas: LAC, Latam",
        ),
        {
            "type": "input",
            "block_id": "channel",
            "optional": True,
            "element": channel,
            "label": {"type": "plain_text", "text": "Channel for the weekly summary"},
        },
        {
            "type": "input",
            "block_id": "lead",
            "optional": True,
            "element": lead,
            "label": {"type": "plain_text", "text": "Region lead (hears about long-overdue actions)"},
        },
        text_input("tz", "Time zone", initial=region.timezone, max_length=64, placeholder="America/Bogota"),
        text_input(
            "days",
            "Working days",
            initial=region.working_days,
            optional=False,
            max_length=40,
            hint="mon-fri, sun-thu or mon,tue,thu",
        ),
        text_input(
            "summary",
            "Weekly summary",
            initial=region.summary_schedule,
            optional=False,
            max_length=40,
            hint="Day and time in the region's zone, e.g. mon 09:00",
        ),
    ]
    meta = json.dumps({"team": team_id, "region": region.name, "shown": fingerprints(shown_values(blocks), FIELDS)})
    return {
        "type": "modal",
        "callback_id": CALLBACK,
        "private_metadata": meta,
        "title": {"type": "plain_text", "text": "Edit region"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def open_region_form(ctx: HandlerContext, client, trigger_id: str, team_id: str, actor, name: str) -> None:
    if not actor.has_admin_rights():
        raise NotAllowed("admin_only", doing=msg("doing.change_regions"))
    region = ctx.regions.get(team_id, name, ctx.clock())
    client.views_open(trigger_id=trigger_id, view=region_view(region, team_id))


BLOCKS = ("name", "aliases", "channel", "lead", "tz", "days", "summary")


def register(app, ctx: HandlerContext) -> None:
    @app.view(CALLBACK)
    def handle_submission(ack, body, view, client):
        errors = submit(ctx, client, body, view)
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()


def submit(ctx: HandlerContext, client, body: dict, view: dict) -> dict:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
        team_id, current = same_team(body, meta["team"]), meta["region"]
    except (ValueError, KeyError, TypeError):
        return {"name": "This form is out of date; open it again."}
    values = view.get("state", {}).get("values", {})
    text = lambda block: (field_value(values, block).get("value") or "").strip()  # noqa: E731
    spec = RegionSpec(
        name=text("name"),
        aliases=[a.strip() for a in text("aliases").split(",") if a.strip()],
        channel_id=field_value(values, "channel").get("selected_conversation"),
        lead_user_id=field_value(values, "lead").get("selected_user"),
        timezone=text("tz") or None,
        working_days=text("days") or "mon-fri",
        summary_schedule=text("summary") or "mon 09:00",
    )
    try:
        kept = untouched(values, meta.get("shown"), FIELDS)
        if kept:  # a field the person left alone keeps its stored value, even one not shown whole
            stored = ctx.regions.get(team_id, current, ctx.clock())
            spec = dataclasses.replace(spec, **{ATTRS[f]: _as_spec(getattr(stored, ATTRS[f])) for f in kept})
        if spec.channel_id and "channel" not in kept:  # summaries there would fail with not_in_channel
            from handlers.slack.lookup import cannot_post

            problem = cannot_post(client, spec.channel_id)
            if problem:
                request_log.refused()
                return {"channel": problem[:150]}
        user_id = body["user"]["id"]
        confirming_admin(
            ctx,
            client,
            team_id,
            user_id,
            lambda: ctx.regions.edit(
                team_id, actor_for(ctx, client, team_id, user_id, user_team_of(body)), current, spec, ctx.clock()
            ),
        )
        return {}
    except UserError as err:
        request_log.refused()
        return {err.field if err.field in BLOCKS else "name": wording.plain(err.message)[:150]}
    except Exception:
        log.exception("region form failed (team %s)", team_id)
        return {"name": render.sorry_message()["text"][:150]}


def _as_spec(value):
    return list(value) if isinstance(value, tuple) else value
