"""The Teams cards of what the scheduler sends (handlers.teams.notice_cards), rendered alone: hostile titles
and names never format, link or mention; a 500-action summary is split into cards that each stay far
under Teams' size limit; each card is a valid activity for the SDK; no Slack markup anywhere."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from bot.core.dates import Due  # noqa: E402
from bot.core.notices import DeliveryProblem, Notice, OwnerCount, RegionSummary  # noqa: E402
from bot.core.records import ActionInfo, OwnerInfo  # noqa: E402
from bot.messages import msg  # noqa: E402
from handlers.teams import notice_cards  # noqa: E402
from handlers.teams.connector import _params  # noqa: E402
from tests.teams.teams_runtime import buttons, texts  # noqa: E402

UTC = dt.timezone.utc
NOW = dt.datetime(2014, 12, 4, 6, tzinfo=UTC)
HOSTILE = "Fix **this** <at>Everyone</at> [click](https://evil.test) `code` _x_ #3 <script>"
SLACK_MARKUP = re.compile(r"<@[UW]|<#C|<!|/action\b|:[a-z_]+:|(?<![*\\])\*[^*\s][^*]*\*(?!\*)")


def action(number: int = 7, title: str = "Draft the KM strategy", due: dt.date | None = dt.date(2014, 12, 5), **kw):
    values = dict(
        number=number,
        title=title,
        status="open",
        due=Due("date", due) if due else Due("none"),
        owners=(OwnerInfo("oid-lina", "Lina Haddad"),),
        region="Africa",
        group="KM",
        meeting=None,
        channel_id=None,
        created_by="oid-tim",
        created_at=NOW - dt.timedelta(days=20),
    )
    values.update(kw)
    return ActionInfo(**values)


def nudge(a: ActionInfo, days_left: int, recipient: str = "user:oid-lina", **kw) -> Notice:
    return Notice(
        kind=kw.pop("kind", "nudge"),
        team_id="tenant",
        subject="action:1",
        occurrence="x",
        recipient=recipient,
        scheduled_for=NOW,
        local_day=NOW.date(),
        timezone="Africa/Nairobi",
        action=a,
        days_left=days_left,
        action_id=1,
        **kw,
    )


def content_of(activity: dict) -> dict:
    return activity["attachments"][0]["content"]


def check_activity(activity: dict) -> None:
    """The SDK takes it as an activity, and nothing in it is Slack's markup."""
    _params(activity)
    shown = texts(content_of(activity))
    assert not SLACK_MARKUP.search(shown), SLACK_MARKUP.search(shown)
    assert len(json.dumps(activity).encode()) < 80 * 1024


@pytest.mark.parametrize(
    ("days", "said"),
    [
        (1, "**due tomorrow**, on Fri 5 Dec 2014"),
        (0, "**due today** (Fri 5 Dec 2014)"),
        (-2, "**2 days overdue** (it was due Fri 5 Dec 2014)"),
    ],
)
def test_a_nudge_says_when_and_carries_every_button(days, said):
    activity = notice_cards.nudge_activity(nudge(action(), days))
    check_activity(activity)
    content = content_of(activity)
    shown = texts(content)
    assert f"Your action **#7** Draft the KM strategy is {said}." in shown
    assert "Lina Haddad" in shown and "Africa" in shown and "KM" in shown
    titles = [b["title"] for b in buttons(content)]
    assert titles == ["Set date", "Done", "Snooze to next working day", "Snooze to next week", "Add note", "Edit"]
    executes = {b["title"]: b for b in buttons(content) if b["type"] == "Action.Execute"}
    assert executes["Done"]["verb"] == "done" and executes["Snooze to next week"]["data"] == {"n": 7, "until": "week"}
    assert executes["Set date"]["data"] == {"n": 7}
    date_input = re.search(r'"type": "Input.Date", "id": "due"[^}]*', json.dumps(content))
    assert date_input and '"value": "2014-12-05"' in date_input.group(0)


def test_hostile_titles_and_names_never_format_or_mention():
    a = action(title=HOSTILE, owners=(OwnerInfo("oid-x", "**Boss** <at>All</at>"), OwnerInfo(None, "[Team](x)")))
    for activity in (
        notice_cards.nudge_activity(nudge(a, 1)),
        notice_cards.nudge_activity(nudge(a, -3, "channel:19:c@thread.tacv2", mention="oid-tim"), "Tim *the* [boss]"),
        notice_cards.escalation_activity(nudge(a, -9, "user:oid-lead", kind="escalation", role="lead")),
    ):
        check_activity(activity)
        shown = texts(content_of(activity))
        assert HOSTILE not in shown and "<at>" not in shown
        assert r"Fix \*\*this\*\* \<at\>Everyone\</at\> \[click\]\(https://evil.test\) \`code\` \_x\_ \#3" in shown
        assert "**Boss**" not in shown and "[Team](x)" not in shown


def test_a_named_owners_nudge_mentions_the_creator_in_the_card_and_on_the_activity():
    a = action(owners=(OwnerInfo(None, "KM Regional Coordinators"),))
    creator = notice_cards.Mention("29:1abc", "Tim Boyle")
    activity = notice_cards.nudge_activity(nudge(a, 0, "channel:19:c@thread.tacv2", mention="oid-tim"), creator)
    check_activity(activity)
    entity = {"type": "mention", "text": "<at>Tim Boyle</at>", "mentioned": {"id": "29:1abc", "name": "Tim Boyle"}}
    assert activity["entities"] == [entity] and content_of(activity)["msteams"]["entities"] == [entity]
    assert "<at>Tim Boyle</at>, you created it: please pass this on to its owners." in texts(content_of(activity))
    plain = notice_cards.nudge_activity(nudge(a, 0, "channel:19:c@thread.tacv2", mention="oid-tim"), "Tim Boyle")
    assert "entities" not in plain and "Tim Boyle created it" in texts(content_of(plain))


def test_an_escalation_says_why_and_offers_only_add_note():
    a = action(owners=(OwnerInfo("oid-lina", "Lina Haddad"), OwnerInfo("oid-tim", "Tim Boyle")))
    lead = notice_cards.escalation_activity(nudge(a, -8, "user:oid-lead", kind="escalation", role="lead"))
    check_activity(lead)
    shown = texts(content_of(lead))
    assert "**8 days overdue** (it was due Fri 5 Dec 2014)" in shown
    assert "You hear about it as the lead of Africa." in shown and "Ask them how it is going" in shown
    assert [b["title"] for b in buttons(content_of(lead))] == ["Add note"]
    creator = notice_cards.escalation_activity(nudge(a, -8, "user:oid-tim", kind="escalation", role="creator"))
    assert "as its creator" in texts(content_of(creator))
    # a lead the core would refuse a note is offered no button that would fail
    plain = notice_cards.escalation_activity(nudge(a, -8, "user:oid-lead", kind="escalation", role="lead"), False)
    assert buttons(content_of(plain)) == [] and "Add note" not in texts(content_of(plain))
    assert "its owners, its creator or an admin can record what you hear" in texts(content_of(plain))


def summary(n: int, title: str = "Action") -> RegionSummary:
    week = dt.date(2014, 12, 8)
    acts = [action(i, f"{title} {i} " + "x" * 250, dt.date(2014, 12, 1)) for i in range(1, n + 1)]
    quarter = n // 4
    return RegionSummary(
        region="Latin America & <Caribbean>",
        week_of=week,
        overdue=tuple((a, 7) for a in acts[:quarter]),
        due_soon=tuple(acts[quarter : 2 * quarter]),
        done=tuple(acts[2 * quarter : 3 * quarter]),
        new=tuple(acts[3 * quarter :]),
        ongoing=3,
        open_total=2 * quarter,
        owners=tuple(
            OwnerCount(f"{'@' if i % 2 else ''}Owner {i} *bold*", f"oid-{i}" if i % 2 else None, 3, i % 3)
            for i in range(200)
        ),
    )


def test_a_500_action_summary_is_split_into_small_cards_each_item_once():
    s = summary(500, HOSTILE)
    activities = notice_cards.summary_activities(s)
    assert len(activities) >= 500 // notice_cards.SUMMARY_ITEMS
    seen = []
    for i, activity in enumerate(activities):
        check_activity(activity)
        size = len(json.dumps(activity).encode())
        assert size <= notice_cards.MAX_CARD_BYTES + 2_000, size
        shown = texts(content_of(activity))
        items = re.findall(r"^\*\*#(\d+)\*\* ", shown, re.M)
        assert len(items) <= notice_cards.SUMMARY_ITEMS
        seen += items
        if i:
            assert f"(part {i + 1} of {len(activities)})" in shown
    assert sorted(map(int, seen)) == list(range(1, 501))  # every action once, none lost at a split
    first = texts(content_of(activities[0]))
    assert "Weekly summary: Latin America & \\<Caribbean\\>" in first and "250 open · 125 overdue" in first
    assert "🔴 **Overdue (125)**" in first and "**7 days late**" in first
    assert "🔴 **Overdue (125)** _(continued)_" in texts(content_of(activities[1]))  # a group split across cards
    last = texts(content_of(activities[-1]))
    assert "👤 **Open per owner**" in last and "@Owner 1 \\*bold\\* 3 (1 overdue)" in last and "@@" not in last
    assert "`done <N>`" in last


def test_a_quiet_region_is_one_line():
    s = RegionSummary("LAC", dt.date(2014, 12, 8), (), (), (), (), 0, 0, ())
    (activity,) = notice_cards.summary_activities(s)
    check_activity(activity)
    body = content_of(activity)["body"]
    assert len(body) == 1 and "nothing open, and nothing done or new in the last 7 days" in body[0]["text"]


def test_a_problem_names_whom_and_says_what_to_do_in_teams():
    problem = nudge(
        action(),
        -1,
        "user:oid-tim",
        kind="problem",
        mention="user:oid-lina",
        problem=DeliveryProblem(
            msg("problem.about_action", number=7, title="Draft *it*"), "teams 403 MessageWritesBlocked"
        ),
    )
    activity = notice_cards.problem_activity(problem, "Lina Haddad")
    check_activity(activity)
    shown = texts(content_of(activity))
    assert "I can't deliver to Lina Haddad for #7 Draft \\*it\\*" in shown and "blocked or removed" in shown
    assert "`assign 7 @person`" in shown
    region = Notice(
        kind="problem",
        team_id="tenant",
        subject="region:1",
        occurrence="x",
        recipient="user:oid-lead",
        scheduled_for=NOW,
        local_day=NOW.date(),
        timezone="UTC",
        mention="channel:19:c@thread.tacv2",
        problem=DeliveryProblem(msg("problem.about_summary", region="Latin America"), "teams 404 ConversationNotFound"),
        region_name="Latin America",
        region_id=1,
    )
    shown = texts(content_of(notice_cards.problem_activity(region, None)))
    assert "the weekly summary of Latin America" in shown and '`region edit "Latin America"`' in shown


def test_after_a_press_only_the_buttons_that_still_apply():
    closed = notice_cards.after_press_card(action(status="done"), "✅ done")
    assert [b["title"] for b in buttons(closed)] == ["Add note", "Edit"]
    assert "Input.Date" not in json.dumps(closed)
    snoozed = notice_cards.after_press_card(action(), "💤 snoozed")
    assert [b["title"] for b in buttons(snoozed)] == ["Set date", "Done", "Add note", "Edit"]
