"""The import dialog: paste a follow-up matrix (with a meeting, default region and group), see a preview
(rows, matched owners, dates, warnings and cells to fix, by row) with Confirm and Back, and on Confirm
create every action in one transaction: the same importer as Slack's and the CLI's (bot.core.imports).
Owners are matched against the team's members (the roster, by name or e-mail).

The pasted text travels in the preview's button data, so nothing half-done is stored; the preview and
its confirmation plan the same inputs, so they agree unless the workspace changed in between."""

from __future__ import annotations

import json
import logging

from bot.core.dates import Due, format_date
from bot.core.errors import UserError, too_long
from bot.core.imports import ImportPlan, ImportService
from bot.core.owner_match import Member, OwnerMatcher
from bot.core.records import Actor, Outcome
from bot.messages import msg
from handlers.teams.context import TeamsContext
from handlers.teams.dialogs import IMPORT
from handlers.teams.dialogs._cards import (
    card,
    choice,
    choice_set,
    close,
    dialog,
    plain,
    submit,
    text,
    text_input,
    with_errors,
)
from handlers.teams.dialogs._identity import Where, actor_for, learn_names
from handlers.teams.dialogs._roster import names, roster
from handlers.teams.dialogs.action_form import NO_REGION, SORRY, after_save, field, notice
from handlers.teams.wording import plain as words

log = logging.getLogger("actionbot.teams.import_form")
PREVIEW, CONFIRM, BACK = "preview", "confirm", "back"
MAX_PASTE = 10_000  # it travels twice in the preview card (Confirm and Back), which must stay under 80 KB
MAX_CARD_BYTES = 80_000  # Teams refuses messages over about 100 KB
TOO_BIG = "That is too long for a form; import it as a file with “actionbot import”."
PREVIEW_ROWS = 40
MAX_WARNINGS = 30
TITLE = "Import actions"
HELP = (
    "Paste the follow-up matrix as copied from the report (a Word table), a spreadsheet (tab-separated), "
    "CSV with a header or a Markdown table. Columns are found by their headings: action, by whom / owner, "
    "date / deadline, region, group, status."
)


def inputs(data: dict) -> dict[str, str]:
    """What the form holds (from a submission or a preview's button)."""
    region = field(data, "region", 200).strip()
    return {
        "text": field(data, "text", MAX_PASTE),
        "meeting": field(data, "meeting", 200).strip(),
        "group": field(data, "group", 100).strip(),
        "region": "" if region == NO_REGION else region,
    }


def form_card(regions: list[str], values: dict[str, str], errors: dict[str, str] | None = None) -> dict:
    body = [
        text(HELP, size="small", isSubtle=True),
        text_input("text", "Follow-up matrix", values.get("text"), required=True, multiline=True, max_length=MAX_PASTE),
        text_input("meeting", "Meeting", values.get("meeting"), placeholder="Global KM & Comms Workshop"),
    ]
    current = values.get("region") or ""
    if regions or current:
        names_ = ([current] if current and current not in regions else []) + regions
        body.append(
            choice_set(
                "region",
                "Default region",
                [choice("No default region", NO_REGION)] + [choice(r, r) for r in names_],
                current or NO_REGION,
            )
        )
    body.append(text_input("group", "Group", values.get("group"), max_length=100, placeholder="KM"))
    return card(with_errors(body, errors or {}), [submit("Preview", {"form": IMPORT, "step": PREVIEW})])


def _due(due: Due) -> str:
    if due.date is not None:
        return format_date(due.date)
    return "ongoing" if due.kind == "ongoing" else "no due date"


def preview_card(plan: ImportPlan, values: dict[str, str], people: dict[str, str]) -> dict:
    count = len(plan.rows)
    heading = f"{count} action{'s' if count != 1 else ''} to import"
    body: list[dict] = [text(heading, weight="bolder", size="medium")]
    if values.get("meeting"):
        body.append(plain(f"from {values['meeting']}"))
    problems = plan.all_problems
    if problems:
        body.append(
            text(
                f"{len(problems)} cell{'s' if len(problems) != 1 else ''} too long to import: nothing will be "
                "imported until they are shortened (press Back).",
                color="attention",
                weight="bolder",
            )
        )
        body += [plain(f"• {words(p)}", color="attention") for p in problems[:10]]
    flagged = [r for r in plan.rows if r.problems]
    for planned in (flagged + [r for r in plan.rows if not r.problems])[:PREVIEW_ROWS]:
        spec = planned.spec
        owners = [f"{people.get(uid, uid)} (“{name}”)" for name, uid in planned.matched.items()]
        owners += [f"{n} (not a member: a named owner)" for n in spec.named_owners]
        details = [f"Owners: {', '.join(owners) or 'none'}", f"Due: {_due(planned.due)}"]
        details += [x for x in (spec.region, spec.group) if x]
        if spec.status and spec.status != "open":
            details.append(spec.status)
        lines = [f"Row {planned.row}: {spec.title}", " · ".join(details)]
        lines += [f"✗ {words(p)}" for p in planned.problems]
        body.append(
            {
                "type": "Container",
                "separator": True,
                "items": [plain(lines[0], weight="bolder"), plain(lines[1], isSubtle=True)]
                + [plain(line, color="attention") for line in lines[2:]],
            }
        )
    if count > PREVIEW_ROWS:
        body.append(text(f"…and {count - PREVIEW_ROWS} more rows.", isSubtle=True))
    warnings = plan.all_warnings
    if warnings:
        body.append(text("Check these", weight="bolder", color="warning"))
        body += [plain(f"• {words(w)}") for w in warnings[:MAX_WARNINGS]]
        if len(warnings) > MAX_WARNINGS:
            body.append(text(f"…and {len(warnings) - MAX_WARNINGS} more.", isSubtle=True))
    carried = {"form": IMPORT, **values}
    actions = [] if problems else [submit("Confirm", {**carried, "step": CONFIRM}, style="positive")]
    actions.append(submit("Back", {**carried, "step": BACK}))
    return card(body, actions)


def _matcher(members: list[dict]) -> OwnerMatcher:
    return OwnerMatcher(
        Member(
            user_id=m["aadObjectId"],
            real_name=str(m.get("name") or ""),
            display_name=" ".join(x for x in (m.get("givenName"), m.get("surname")) if isinstance(x, str)),
            email=str(m.get("email") or m.get("userPrincipalName") or ""),
        )
        for m in members
    )


def _regions(ctx: TeamsContext, tenant: str) -> list[str]:
    return [r.name for r in ctx.regions.list(tenant, ctx.clock())]


def _plan(ctx: TeamsContext, at: Where, values: dict[str, str], members: list[dict]) -> tuple[Actor, ImportPlan]:
    actor = actor_for(ctx, at)
    plan = ImportService(ctx.actions).plan(
        at.tenant,
        actor,
        values["text"],
        ctx.clock(),
        matcher=_matcher(members),
        meeting=values["meeting"] or None,
        region=values["region"] or None,
        group=values["group"] or None,
    )
    return actor, plan


async def open_import(ctx: TeamsContext, at: Where) -> dict:
    await ctx.run(actor_for, ctx, at)
    regions = await ctx.run(_regions, ctx, at.tenant)
    return dialog(TITLE, form_card(regions, {}))


async def submit_import(ctx: TeamsContext, at: Where, data: dict) -> dict:
    step = data.get("step")
    raw = data.get("text")
    if isinstance(raw, str) and len(raw) > MAX_PASTE:  # the card caps it; a forged request could carry more
        values = inputs({k: v for k, v in data.items() if k != "text"})
        message = words(too_long(msg("field.the_matrix"), MAX_PASTE, len(raw)))
        message += " Import a longer one with “actionbot import”."
        return await _form_again(ctx, at, values, {"text": message})
    values = inputs(data)
    if step == BACK:
        return await _form_again(ctx, at, values, {})
    if step not in (PREVIEW, CONFIRM):
        return notice(TITLE, "This form is out of date; open it again.")
    if not values["text"].strip():
        return await _form_again(ctx, at, values, {"text": words(msg("import_nothing"))})
    members = await roster(ctx, at)
    if step == PREVIEW:
        return await _preview(ctx, at, values, members)
    return await _confirm(ctx, at, values, members)


async def _form_again(ctx: TeamsContext, at: Where, values: dict[str, str], errors: dict[str, str]) -> dict:
    regions = await ctx.run(_regions, ctx, at.tenant)
    return dialog(TITLE, form_card(regions, values, errors))


async def _preview(ctx: TeamsContext, at: Where, values: dict[str, str], members: list[dict]) -> dict:
    try:
        _, plan = await ctx.run(_plan, ctx, at, values, members)
    except UserError as err:
        block = err.field if err.field in ("meeting", "group") else "text"
        return await _form_again(ctx, at, values, {block: words(err.message)[:500]})
    except Exception as err:
        log.error("teams import preview failed: %s", type(err).__name__)
        return await _form_again(ctx, at, values, {"text": "Something went wrong on our side. Please try again."})
    if not plan.rows:
        return await _form_again(ctx, at, values, {"text": "I found no actions in that text."})
    answer = dialog("Import preview", preview_card(plan, values, names(members)))
    if len(json.dumps(answer)) > MAX_CARD_BYTES:  # as the bridge sends it: non-ASCII text counts six-fold
        return await _form_again(ctx, at, values, {"text": TOO_BIG})
    return answer


async def _confirm(ctx: TeamsContext, at: Where, values: dict[str, str], members: list[dict]) -> dict:
    people = names(members)

    def commit() -> list[Outcome]:
        actor, plan = _plan(ctx, at, values, members)
        learn_names(ctx, at.tenant, {u: people[u] for r in plan.rows for u in r.matched.values() if u != at.user})
        return ImportService(ctx.actions).commit(at.tenant, actor, plan, ctx.clock(), channel_id=at.channel)

    try:
        outcomes = await ctx.run(commit)
    except UserError as err:
        return notice("Nothing imported", words(err.message))
    except Exception as err:
        log.error("teams import failed: %s", type(err).__name__)
        return notice("Nothing imported", SORRY.replace("saved", "imported"))
    for outcome in outcomes:
        after_save(ctx, at, outcome)
    count = len(outcomes)
    first = outcomes[0].action.number if outcomes else None
    said = f"Imported {count} action{'s' if count != 1 else ''}"
    if first and count > 1:
        said += f": #{first}–#{first + count - 1}."
    elif first:
        said += f": #{first}."
    else:
        said += "."
    return close(said)
