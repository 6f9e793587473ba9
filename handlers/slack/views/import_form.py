"""`/action import`: paste a follow-up matrix into a form (text plus meeting, default region and group),
see a preview (rows, matched owners, parsed dates, warnings) with Confirm and Back, and on Confirm create
every action in one transaction; each Slack-user owner then gets one DM listing their new actions.

The pasted text travels in the views' private_metadata (compressed), so nothing half-done is stored.
"""

from __future__ import annotations

import base64
import json
import logging
import zlib

from bot.core.errors import UserError, too_long
from bot.core.imports import ImportPlan, ImportService
from bot.messages import msg
from handlers.slack import render, request_log, wording
from handlers.slack.context import HandlerContext
from handlers.slack.home_refresh import after_change
from handlers.slack.identity import actor_for
from handlers.slack.members import slack_owner_matcher
from handlers.slack.notify import after_assigning
from handlers.slack.views.action_form import field_value, region_select, same_team, text_input

log = logging.getLogger("actionbot.import_form")
FORM, PREVIEW, BACK = "import_form", "import_preview", "import_back"
MAX_PASTE = 2500  # what fits, compressed, in a view's 3000-character private_metadata
PREVIEW_ROWS = 40


def pack(data: dict) -> str:
    return base64.b64encode(zlib.compress(json.dumps(data).encode(), 9)).decode()


def unpack(meta: str) -> dict:
    return json.loads(zlib.decompress(base64.b64decode(meta)))


def form_view(regions: list[str], data: dict) -> dict:
    blocks = [
        render.context(
            "Paste the follow-up matrix as copied from the report (a Word table), a spreadsheet "
            "(tab-separated), CSV with a header or a Markdown table. Columns are found by their "
            "headings: action, by whom / owner, date / deadline, region, group, status."
        ),
        text_input(
            "text", "Follow-up matrix", initial=data.get("text"), optional=False, multiline=True, max_length=MAX_PASTE
        ),
        text_input("meeting", "Meeting", initial=data.get("meeting"), placeholder="Global KM & Comms Workshop"),
    ]
    if regions:
        blocks.append(
            {
                "type": "input",
                "block_id": "region",
                "optional": True,
                "element": region_select(regions, data.get("region"), "No default region"),
                "label": {"type": "plain_text", "text": "Default region"},
            }
        )
    blocks.append(text_input("group", "Group", initial=data.get("group"), max_length=100, placeholder="KM"))
    return {
        "type": "modal",
        "callback_id": FORM,
        "private_metadata": pack({"team": data["team"], "channel": data.get("channel")}),
        "title": {"type": "plain_text", "text": "Import actions"},
        "submit": {"type": "plain_text", "text": "Preview"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def preview_view(plan: ImportPlan, data: dict) -> dict:
    blocks = [
        render.section(
            f"*{len(plan.rows)} action{'s' if len(plan.rows) != 1 else ''} to import*"
            + (f" from {render.escape(data['meeting'])}" if data.get("meeting") else "")
        )
    ]
    problems = plan.all_problems
    if problems:
        blocks.append(
            render.section(
                f":x: *{len(problems)} cell{'s' if len(problems) != 1 else ''} too long to import:* nothing will be "
                "imported until they are shortened (press Back).\n"
                + "\n".join(f"• {wording.words(p)}" for p in problems[:10])
            )
        )
    flagged = [r for r in plan.rows if r.problems]
    for planned in (flagged + [r for r in plan.rows if not r.problems])[:PREVIEW_ROWS]:
        spec = planned.spec
        owners = [f"<@{uid}> (“{render.escape(name)}”)" for name, uid in planned.matched.items()]
        owners += [render.escape(n) + " _(not a member: a named owner)_" for n in spec.named_owners]
        details = [f"Owners: {', '.join(owners) or 'none'}", f"Due: {render.due_text(planned.due)}"]
        details += [render.escape(x) for x in (spec.region, spec.group) if x]
        if spec.status and spec.status != "open":
            details.append(f"_{spec.status}_")
        flags = "".join(f"\n:x: {wording.words(p)}" for p in planned.problems)
        blocks.append(
            render.section(f"*Row {planned.row}* {render.escape(spec.title)}\n" + " · ".join(details) + flags)
        )
    if len(plan.rows) > PREVIEW_ROWS:
        blocks.append(render.context(f"…and {len(plan.rows) - PREVIEW_ROWS} more rows."))
    warnings = plan.all_warnings
    if warnings:
        text = ":warning: *Check these*\n" + "\n".join(f"• {wording.words(w)}" for w in warnings[:30])
        if len(warnings) > 30:
            text += f"\n…and {len(warnings) - 30} more."
        blocks.append(render.section(text))
    blocks.append(
        {
            "type": "actions",
            "block_id": "preview_actions",
            "elements": [
                {"type": "button", "action_id": BACK, "text": {"type": "plain_text", "text": "Back"}, "value": "back"}
            ],
        }
    )
    return {
        "type": "modal",
        "callback_id": PREVIEW,
        "private_metadata": pack(data),
        "title": {"type": "plain_text", "text": "Import preview"},
        "submit": {"type": "plain_text", "text": "Confirm"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks[:100],
    }


def done_view(count: int, first: int | None) -> dict:
    text = f":white_check_mark: Imported {count} action{'s' if count != 1 else ''}" + (
        f": #{first}–#{first + count - 1}." if first and count > 1 else f": #{first}." if first else "."
    )
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Import done"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [render.section(text), render.context("Each owner got a DM listing their new actions.")],
    }


def open_import_form(ctx: HandlerContext, client, trigger_id: str, team_id: str, channel: str | None) -> None:
    regions = [r.name for r in ctx.regions.list(team_id, ctx.clock())]
    client.views_open(trigger_id=trigger_id, view=form_view(regions, {"team": team_id, "channel": channel}))


def _form_data(body: dict, view: dict) -> dict:
    values = view.get("state", {}).get("values", {})
    text = lambda block: (field_value(values, block).get("value") or "").strip() or None  # noqa: E731
    region = (field_value(values, "region").get("selected_option") or {}).get("value")
    base = unpack(view["private_metadata"])
    same_team(body, base["team"])
    return {
        **base,
        "text": text("text") or "",
        "meeting": text("meeting"),
        "group": text("group"),
        "region": None if region in (None, "-") else region,
    }


def _plan(ctx: HandlerContext, client, user_id: str, data: dict, remember: bool = False):
    team_id = data["team"]
    actor = actor_for(ctx, client, team_id, user_id)
    matcher = slack_owner_matcher(client)
    plan = ImportService(ctx.actions).plan(
        team_id,
        actor,
        data["text"],
        ctx.clock(),
        matcher=matcher,
        meeting=data.get("meeting"),
        region=data.get("region"),
        group=data.get("group"),
    )
    if remember and matcher is not None:
        matcher.remember(ctx.people, team_id, [u for r in plan.rows for u in r.matched.values()], ctx.clock())
    return actor, plan


def register(app, ctx: HandlerContext) -> None:
    @app.view(FORM)
    def handle_form(ack, body, view, client):
        try:
            data = _form_data(body, view)
            if len(data["text"]) > MAX_PASTE:  # Slack's form enforces it; a request could still carry more
                ack(
                    response_action="errors",
                    errors={
                        "text": wording.plain(too_long(msg("field.the_matrix"), MAX_PASTE, len(data["text"])))
                        + " Import a longer one with `actionbot import`."
                    },
                )
                return
            _, plan = _plan(ctx, client, body["user"]["id"], data)
            if not plan.rows:
                ack(response_action="errors", errors={"text": "I found no actions in that text."})
                return
            preview = preview_view(plan, data)
            if len(preview["private_metadata"]) > 3000:
                ack(
                    response_action="errors",
                    errors={"text": "That is too long for a form; import it as a file with `actionbot import`."},
                )
                return
            ack(response_action="update", view=preview)
        except UserError as err:
            request_log.refused()
            block = err.field if err.field in ("meeting", "group") else "text"
            ack(response_action="errors", errors={block: wording.plain(err.message)[:150]})
        except (ValueError, KeyError):
            ack(response_action="errors", errors={"text": "This form is out of date; open it again."})
        except Exception:
            log.exception("import preview failed")
            ack(response_action="errors", errors={"text": "Something went wrong on our side. Please try again."})

    @app.action(BACK)
    def handle_back(ack, body, client):
        ack()
        data = unpack(body["view"]["private_metadata"])
        try:
            same_team(body, data["team"])
        except (ValueError, KeyError):
            return
        regions = [r.name for r in ctx.regions.list(data["team"], ctx.clock())]
        client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=form_view(regions, data))

    @app.view(PREVIEW)
    def handle_confirm(ack, body, view, client):
        try:
            data = unpack(view["private_metadata"])
            same_team(body, data["team"])
            actor, plan = _plan(ctx, client, body["user"]["id"], data, remember=True)
            outcomes = ImportService(ctx.actions).commit(
                data["team"], actor, plan, ctx.clock(), channel_id=data.get("channel")
            )
        except UserError as err:
            request_log.refused()
            ack(response_action="update", view=_problem_view(wording.plain(err.message)))
            return
        except (ValueError, KeyError):
            ack(response_action="update", view=_problem_view("This form is out of date; start again."))
            return
        except Exception:
            log.exception("import failed")
            ack(
                response_action="update",
                view=_problem_view("Something went wrong on our side and nothing was imported. Please try again."),
            )
            return
        ack(response_action="update", view=done_view(len(outcomes), outcomes[0].action.number if outcomes else None))
        after_assigning(ctx, client, data["team"], outcomes)
        for outcome in outcomes:  # coalesced: one Home refresh a person
            after_change(ctx, client, data["team"], actor.user_id, outcome.action)


def _problem_view(message: str) -> dict:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Nothing imported"},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": [render.section(f":warning: {render.escape(message)}")],
    }
