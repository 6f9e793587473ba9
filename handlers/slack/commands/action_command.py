"""`/action …`: parse, let the core execute it, render its result as an ephemeral Block Kit reply in the ack."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.core import grammar
from bot.core.errors import UserError
from bot.core.execute import (
    CalendarFeed,
    Exported,
    Help,
    Listed,
    OpenForm,
    Regions,
    Result,
    Settings,
    Summaries,
    execute,
)
from handlers.slack import markup, render, request_log
from handlers.slack.calendar_reply import feed_message
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
    team_id, now, channel = payload["team_id"], ctx.clock(), payload.get("channel_id")
    actor = actor_for(ctx, client, team_id, payload["user_id"])
    return _show(ctx, client, payload, actor, execute(ctx, team_id, actor, cmd, now, channel_id=channel))


def _show(ctx: HandlerContext, client: WebClient, payload: dict, actor, result: Result) -> dict:
    """The core's result as the ephemeral reply (a form opened, or a file sent, besides)."""
    team_id = payload["team_id"]
    if isinstance(result, Help):
        return render.help_message()
    if isinstance(result, OpenForm):
        trigger, channel = payload["trigger_id"], payload.get("channel_id")
        if result.form == "region":
            open_region_form(ctx, client, trigger, team_id, actor, result.name)
        elif result.form == "import":
            open_import_form(ctx, client, trigger, team_id, channel)
        elif result.form == "add":
            open_add_form(ctx, client, trigger, team_id, actor.user_id, channel=channel)
        else:
            open_edit_form(ctx, client, trigger, team_id, actor, result.number, channel=channel)
        return {}
    if isinstance(result, Regions):
        reply = render.regions_message(result.regions)
        if result.added is not None and result.added.channel_id:  # its summaries would fail: say so now
            from handlers.slack.lookup import cannot_post

            problem = cannot_post(client, result.added.channel_id)
            if problem:
                reply["blocks"].insert(0, render.section(":warning: " + render.escape(problem)))
        return reply
    if isinstance(result, Summaries):
        return summary_reply(ctx, result, payload.get("response_url"))
    if isinstance(result, Settings):
        return render.settings_message(result.current, changed=result.changed)
    if isinstance(result, Listed):
        return render.listing_message(result.listing, markup.render(result.query.as_input()))
    if isinstance(result, Exported):
        return export_reply(ctx, client, team_id, actor, result)
    if isinstance(result, CalendarFeed):
        return feed_message(ctx, result.kind, result.subject, result.secret, result.was_reset)
    after_assigning(ctx, client, team_id, [result.outcome])
    after_change(ctx, client, team_id, actor.user_id, result.outcome.action)
    return render.outcome_message(result.outcome, result.verb)


MAX_FOLLOW_UPS = 4  # Slack takes five posts to one response URL; the ack is the first answer


def summary_reply(ctx: HandlerContext, result: Summaries, response_url: str | None) -> dict:
    """One region: its full weekly summary (long ones continue through the response URL). All regions:
    one line each, pointing to the full one."""
    if result.region is None:
        return summary_overview(result.summaries)
    first, *rest = summary_messages(result.summaries[0])
    if rest and response_url:
        ctx.later(send_to_response_url, response_url, *rest[:MAX_FOLLOW_UPS])
    return first


def export_reply(ctx: HandlerContext, client: WebClient, team_id: str, actor, result: Exported) -> dict:
    """`/action export [filters]`: the matching actions as a CSV file in the person's DM."""
    count, label = result.count, markup.render(result.query.as_input()) or "open"
    ctx.later(
        send_file,
        ctx.dms,
        client,
        team_id,
        actor.user_id,
        result.content,
        result.filename,
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
