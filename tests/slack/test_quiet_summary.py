"""A region with nothing open and nothing done or new in the week gets one short line on Monday, not an
empty report; the escalation names only things that exist."""

from __future__ import annotations

import datetime as dt

from bot.core.notices import RegionSummary
from handlers.slack.devkit.show import all_text
from handlers.slack.render_notices import summary_messages


def summary(**counts) -> RegionSummary:
    values = dict(
        region="Latin America and the Caribbean",
        week_of=dt.date(2014, 12, 1),
        overdue=(),
        due_soon=(),
        done=(),
        new=(),
        ongoing=0,
        open_total=0,
        owners=(),
    )
    values.update(counts)
    return RegionSummary(**values)


def test_a_quiet_week_is_one_line():
    [message] = summary_messages(summary())
    assert len(message["blocks"]) == 1
    text = all_text(message)
    assert "Weekly summary: Latin America and the Caribbean" in text and "nothing open" in text
    assert "/action" not in text


def test_a_week_with_something_done_is_the_full_report():
    [message] = summary_messages(summary(ongoing=1, open_total=1))
    assert len(message["blocks"]) > 1 and "1 open" in all_text(message)
