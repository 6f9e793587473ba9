"""The region dialog: name, aliases, the channel for the weekly summary (a channel of a team the app is
installed in, "Team › Channel": handlers.teams.channels), the lead (people the bot has met and the
team's members), zone, working days and summary time, prefilled. Admins only; a mistake shows under its
field, with the form as it was submitted. A channel or lead that was not offered (a forged or stale
value) is refused on its field, unless it is the one the region already has. A lead picked from the
roster is remembered with the address of their personal chat, where escalations go."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core.addresses import AddressBook
from bot.core.errors import NotAllowed, UserError
from bot.core.records import RegionInfo
from bot.core.regions import RegionSpec
from bot.messages import msg
from handlers.teams import channels as team_channels
from handlers.teams.context import TeamsContext
from handlers.teams.dialogs import REGION
from handlers.teams.dialogs._cards import card, choice, choice_set, close, dialog, submit, text_input, with_errors
from handlers.teams.dialogs._identity import GUID, Where, actor_for
from handlers.teams.dialogs._roster import choosable, roster
from handlers.teams.dialogs.action_form import OUT_OF_DATE, SORRY, field, notice
from handlers.teams.wording import plain as words

log = logging.getLogger("actionbot.teams.region_form")
NONE = "-"
CHANNEL = team_channels.CHANNEL_ID
GONE = " (the app is not in this team)"
MAX_CHANNEL_CHOICES = 300  # a card stays far under Teams' ~80 KB; the CLI reaches every channel
MAX_ALIASES = 5000  # a region's stored aliases are shown whole, so saving the form never cuts them
FIELDS = ("name", "aliases", "channel", "lead", "tz", "days", "summary")


def values_of(region: RegionInfo) -> dict[str, str]:
    return {
        "name": region.name,
        "aliases": ", ".join(region.aliases),
        "channel": region.channel_id or "",
        "lead": region.lead_user_id or "",
        "tz": region.timezone or "",
        "days": region.working_days,
        "summary": region.summary_schedule,
    }


@dataclass(frozen=True)
class Channels:
    offered: dict[str, str]  # ID → "Team › Channel" of the teams the app is in
    labels: dict[str, str]  # ID → how to show any stored channel (those of teams it left, marked)


def region_card(
    current: str, values: dict[str, str], channels: Channels, people: dict[str, str], errors: dict[str, str]
) -> dict:
    """`channels` and `people` to choose from (the chosen ones are always among them: a channel of a team
    the app left is shown only when it is the region's)."""
    channel, lead = values.get("channel") or "", values.get("lead") or ""
    shown = {**({channel: channels.labels.get(channel, channel)} if channel else {}), **channels.offered}
    people = {**({lead: lead} if lead else {}), **people}
    body = [
        text_input("name", "Name", values.get("name"), required=True, max_length=100),
        text_input(
            "aliases",
            "Aliases (other names people use, separated by commas)",
            values.get("aliases"),
            max_length=MAX_ALIASES,
        ),
        choice_set(
            "channel",
            "Channel for the weekly summary",
            [choice("No channel", NONE)] + [choice(n, i) for i, n in shown.items()],
            channel or NONE,
        ),
        choice_set(
            "lead",
            "Region lead (hears about long-overdue actions)",
            [choice("No lead", NONE)]
            + [choice(n, i) for i, n in sorted(people.items(), key=lambda p: p[1].casefold())],
            lead or NONE,
            filtered=True,
        ),
        text_input("tz", "Time zone", values.get("tz"), max_length=64, placeholder="America/Bogota"),
        text_input(
            "days", "Working days (mon-fri, sun-thu or mon,tue,thu)", values.get("days"), required=True, max_length=40
        ),
        text_input(
            "summary",
            "Weekly summary (day and time in the region's zone, e.g. mon 09:00)",
            values.get("summary"),
            required=True,
            max_length=40,
        ),
    ]
    return card(with_errors(body, errors), [submit("Save", {"form": REGION, "region": current}, style="positive")])


async def _channels(ctx: TeamsContext, at: Where) -> Channels:
    """Channel ID → "Team › Channel" of the teams the app is installed in (the team the form was opened
    in read afresh), and of any other stored ones, marked, so a region's current channel shows by name."""
    if at.team and at.service_url:
        await team_channels.learn_team(ctx, at.tenant, at.team, "", at.service_url, present=True)
    known = await ctx.run(team_channels.known_channels, AddressBook(ctx.actions), at.tenant)
    offered = {c.channel_id: c.label for c in known if c.installed}
    labels = {c.channel_id: c.label + ("" if c.installed else GONE) for c in known}
    return Channels(dict(list(offered.items())[:MAX_CHANNEL_CHOICES]), labels)


async def _choices(ctx: TeamsContext, at: Where, members: list[dict] | None = None) -> tuple[Channels, dict]:
    return await _channels(ctx, at), await choosable(ctx, at, members)


async def open_region(ctx: TeamsContext, at: Where, name: object) -> dict:
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        return notice("Edit region", OUT_OF_DATE)

    def load() -> RegionInfo:
        actor = actor_for(ctx, at)
        if not actor.has_admin_rights():
            raise NotAllowed("admin_only", doing=msg("doing.change_regions"))
        return ctx.regions.get(at.tenant, name, ctx.clock())

    try:
        region = await ctx.run(load)
    except UserError as err:
        return notice("Edit region", words(err.message))
    channels, people = await _choices(ctx, at)
    return dialog("Edit region", region_card(region.name, values_of(region), channels, people, {}))


def read_spec(data: dict) -> tuple[RegionSpec, dict[str, str]]:
    errors: dict[str, str] = {}
    channel = field(data, "channel", 255).strip()
    if channel in ("", NONE):
        channel = ""
    elif not CHANNEL.fullmatch(channel):
        errors["channel"] = "Choose the channel from the list."
        channel = ""
    lead = field(data, "lead", 64).strip()
    if lead in ("", NONE):
        lead = ""
    elif not GUID.fullmatch(lead):
        errors["lead"] = "Choose the lead from the list."
        lead = ""
    spec = RegionSpec(
        name=field(data, "name", 100).strip(),
        aliases=[a.strip() for a in field(data, "aliases", MAX_ALIASES).split(",") if a.strip()],
        channel_id=channel or None,
        lead_user_id=lead or None,
        timezone=field(data, "tz", 64).strip() or None,
        working_days=field(data, "days", 40).strip() or "mon-fri",
        summary_schedule=field(data, "summary", 40).strip() or "mon 09:00",
    )
    return spec, errors


async def submit_region(ctx: TeamsContext, at: Where, data: dict) -> dict:
    current = data.get("region")
    if not isinstance(current, str) or not current.strip() or len(current) > 200:
        return notice("Edit region", OUT_OF_DATE)
    spec, errors = read_spec(data)
    members = await roster(ctx, at)
    channels, people = await _choices(ctx, at, members)

    def save() -> dict[str, str]:
        if errors:
            return errors
        actor, now = actor_for(ctx, at), ctx.clock()
        if not actor.has_admin_rights():
            raise NotAllowed("admin_only", doing=msg("doing.change_regions"))
        was = ctx.regions.get(at.tenant, current, now)
        problems = {}
        if spec.channel_id and spec.channel_id != was.channel_id and spec.channel_id not in channels.offered:
            problems["channel"] = "Choose the channel from the list (a channel of a team the app is in)."
        if spec.lead_user_id and spec.lead_user_id != was.lead_user_id and spec.lead_user_id not in people:
            problems["lead"] = "Choose the lead from the list."
        if problems:
            return problems
        _remember_lead(ctx, at, spec.lead_user_id, members)
        try:
            ctx.regions.edit(at.tenant, actor, current, spec, now)
        except NotAllowed as err:
            raise err
        except UserError as err:
            return {err.field if err.field in FIELDS else "name": words(err.message)[:300]}
        return {}

    try:
        problems = await ctx.run(save)
    except UserError as err:  # not an admin: nothing on the form will mend that
        return notice("Edit region", words(err.message))
    except Exception as err:
        log.error("teams region form failed: %s", type(err).__name__)
        return notice("Edit region", SORRY)
    if problems:
        shown = {f: field(data, f, MAX_ALIASES) for f in FIELDS}
        return dialog("Edit region", region_card(current, shown, channels, people, problems))
    return close(f"Saved the region {spec.name}.")


def _remember_lead(ctx: TeamsContext, at: Where, lead: str | None, members: list[dict]) -> None:
    """A lead picked from the roster: their name and where their personal chat can be opened, so an
    escalation reaches them before they have written to the bot."""
    from handlers.teams.turns import directory  # here: turns imports the listeners' modules' helpers

    member = next((m for m in members if str(m.get("aadObjectId", "")).lower() == lead), None) if lead else None
    if member is not None:
        directory(ctx).learn_members(at.tenant, [member], at.service_url)
