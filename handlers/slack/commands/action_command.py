"""`/action …`: parse, call the core, answer with an ephemeral Block Kit reply in the ack."""

from __future__ import annotations

import csv
import io
import logging

from slack_sdk import WebClient

from bot.core import grammar, regions, settings
from bot.core.errors import UserError
from bot.core.planner import summaries_now
from handlers.slack import markup, render, request_log
from handlers.slack.calendar_reply import calendar_reply
from handlers.slack.context import HandlerContext
from handlers.slack.home_refresh import after_change
from handlers.slack.identity import actor_for, confirming_admin
from handlers.slack.notify import after_assigning, send_file, send_to_response_url
from handlers.slack.render_notices import summary_messages, summary_overview
from handlers.slack.views.action_form import open_add_form, open_edit_form
from handlers.slack.views.import_form import open_import_form
from handlers.slack.views.region_form import open_region_form

log = logging.getLogger("actionbot.command")


def register(app, ctx: HandlerContext) -> None:
    @app.command("/action")
    def handle_action(ack, command, client):
        ack(**answer(ctx, client, command))


def answer(ctx: HandlerContext, client: WebClient, payload: dict) -> dict:
    """The reply to one `/action` invocation; never raises."""
    try:
        return confirming_admin(
            ctx, client, payload.get("team_id"), payload.get("user_id"), lambda: _answer(ctx, client, payload)
        )
    except UserError as err:
        request_log.refused()
        return render.error_message(err)
    except Exception:
        log.exception("/action failed (team %s)", payload.get("team_id"))
        return render.sorry_message()


def _answer(ctx: HandlerContext, client: WebClient, payload: dict) -> dict:
    cmd = grammar.parse(markup.command(payload.get("text") or ""))
    if cmd.verb == "help":
        return render.help_message()
    team_id, now = payload["team_id"], ctx.clock()
    actor = actor_for(ctx, client, team_id, payload["user_id"])
    if cmd.verb == "region":
        regions.check_may_run(actor, cmd.tokens)
        sub, spec = regions.parse_region_command(cmd.tokens)
        if sub == "edit":
            open_region_form(ctx, client, payload["trigger_id"], team_id, actor, spec.name)
            return {}
        if sub == "add":
            ctx.regions.add(team_id, actor, spec, now)
        return render.regions_message(ctx.regions.list(team_id, now))
    if cmd.verb == "summary":
        return summary_reply(ctx, team_id, cmd.query.region, now, payload.get("response_url"))
    if cmd.verb == "settings":
        settings.check_may_change(actor, cmd.tokens)
        changes = settings.parse_settings_command(cmd.tokens)
        current = ctx.settings.change(team_id, actor, changes, now) if changes else ctx.settings.get(team_id, now)
        return render.settings_message(current, changed=bool(changes))
    if cmd.verb == "list":
        listing = ctx.actions.list(team_id, actor, cmd.query, now)
        return render.listing_message(listing, markup.render(cmd.query.as_input()))
    if cmd.verb == "export":
        return export_reply(ctx, client, team_id, actor, cmd.query, now)
    if cmd.verb == "calendar":
        return calendar_reply(ctx, team_id, actor, cmd.tokens, now)
    if cmd.verb == "import":
        open_import_form(ctx, client, payload["trigger_id"], team_id, payload.get("channel_id"))
        return {}
    if cmd.verb == "add" and cmd.spec is None:
        open_add_form(ctx, client, payload["trigger_id"], team_id, actor.user_id, channel=payload.get("channel_id"))
        return {}
    if cmd.verb == "edit" and cmd.spec is None:
        open_edit_form(
            ctx, client, payload["trigger_id"], team_id, actor, cmd.number, channel=payload.get("channel_id")
        )
        return {}
    if cmd.verb == "add":
        outcome = ctx.actions.add(team_id, actor, cmd.spec, now, channel_id=payload.get("channel_id"))
    elif cmd.verb in ("done", "reopen", "cancel"):
        outcome = ctx.actions.set_status(team_id, actor, cmd.number, cmd.verb, now)
    elif cmd.verb == "note":
        outcome = ctx.actions.note(team_id, actor, cmd.number, cmd.text, now)
    elif cmd.verb == "assign":
        outcome = ctx.actions.assign(team_id, actor, cmd.number, cmd.spec, now)
    elif cmd.verb == "snooze":
        outcome = ctx.actions.snooze(team_id, actor, cmd.number, cmd.text, now)
    elif cmd.verb == "due":
        outcome = ctx.actions.set_due(team_id, actor, cmd.number, cmd.text, now)
    else:
        outcome = ctx.actions.edit(team_id, actor, cmd.number, cmd.spec, now)
    after_assigning(ctx, client, team_id, [outcome])
    after_change(ctx, client, team_id, actor.user_id, outcome.action)
    return render.outcome_message(outcome, cmd.verb)


MAX_FOLLOW_UPS = 4  # Slack takes five posts to one response URL; the ack is the first answer


def summary_reply(ctx: HandlerContext, team_id: str, region: str | None, now, response_url: str | None) -> dict:
    """One region: its full weekly summary (long ones continue through the response URL). All regions:
    one line each, pointing to the full one."""
    summaries = summaries_now(ctx.actions, team_id, region, now)
    if region is None:
        return summary_overview(summaries)
    first, *rest = summary_messages(summaries[0])
    if rest and response_url:
        ctx.later(send_to_response_url, response_url, *rest[:MAX_FOLLOW_UPS])
    return first


def export_reply(ctx: HandlerContext, client: WebClient, team_id: str, actor, query, now) -> dict:
    """`/action export [filters]`: the matching actions as a CSV file in the person's DM."""
    from bot.core.export import export_csv

    content = export_csv(ctx.actions, team_id, query, now, actor=actor)
    count = len(list(csv.reader(io.StringIO(content)))) - 1
    label = markup.render(query.as_input()) or "open"
    ctx.later(
        send_file,
        ctx.dms,
        client,
        team_id,
        actor.user_id,
        content,
        f"actions-{now:%Y%m%d}.csv",
        f"{count} actions ({label}) as CSV; the columns are described in the README.",
    )
    return render.message(
        f"Sending you a CSV of {count} actions in a DM.",
        [
            render.section(
                f":inbox_tray: Sending you a CSV of *{count}* action{'s' if count != 1 else ''} "
                f"({render.query_label(label)}) in a direct message."
            )
        ],
    )
