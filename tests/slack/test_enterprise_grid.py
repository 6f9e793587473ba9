"""Enterprise Grid (issue 14, class 7): a Grid workspace's install is nudged and forgotten like any
other; an org-wide install is refused with a page that says why, and nothing of it is kept."""

from __future__ import annotations

from bot.core.grammar import ListQuery
from bot.runtime import scheduler_services
from handlers.slack.devkit.driver import SlackDriver
from scheduler.sweep import sweep
from tests.conftest import SECRET
from tests.helpers import all_text
from tests.slack.test_distribution import approve, at, distributed, market  # noqa: F401  (fixtures)

GRID, WORKSPACE, TOKEN = "E9", "T8GRID", "xoxb-grid"


def test_a_grid_workspace_is_nudged_and_forgotten(distributed, market, clock):  # noqa: F811
    server, runtime, config = distributed
    market.authorize("code-grid", WORKSPACE, "Grid Workspace", TOKEN, enterprise_id=GRID)
    market.add_user("UG1", "gina", team_id=WORKSPACE, tz="America/Bogota")
    assert approve(server.url, "code-grid")[0] == 200
    grid = SlackDriver(server.url, market, SECRET, team_id=WORKSPACE, enterprise_id=GRID)
    assert "Added *#1*" in all_text(grid.command("UG1", "add Grid plan <@UG1|gina> due Dec 3, 2014").json())
    runtime.ctx.settle()

    services = scheduler_services(config, runtime.ctx.actions, clock)
    report = sweep(runtime.ctx.actions, services.outlet("slack").notifier, at("2014-12-03T14:05+00:00"))
    assert [(n.team_id, n.recipient) for n in report.sent] == [(WORKSPACE, "user:UG1")] and not report.failed
    assert {c.token for c in market.calls_to("chat.postMessage")} == {TOKEN}

    assert grid.event({"type": "app_uninstalled"}, event_id="EvGRIDGONE").status == 200
    assert runtime.ctx.installations.find_bot(enterprise_id=GRID, team_id=WORKSPACE) is None
    assert runtime.ctx.installations.find_installation(enterprise_id=GRID, team_id=WORKSPACE) is None
    report = sweep(runtime.ctx.actions, services.outlet("slack").notifier, at("2014-12-04T14:05+00:00"))
    assert report.planned == [] and report.failed == []
    assert runtime.ctx.actions.list(WORKSPACE, None, ListQuery(status="all"), clock.now).total == 1  # data kept


def test_an_org_wide_install_is_refused_with_a_page(distributed, market):  # noqa: F811
    server, runtime, _ = distributed
    market.authorize("code-org", "T7ORG", "Whole Org", "xoxb-org", enterprise_id=GRID, org_wide=True)
    status, page = approve(server.url, "code-org")
    assert status == 403
    assert "one workspace at a time" in page and "whole Enterprise Grid organization" in page
    assert "Nothing was kept" in page
    store = runtime.ctx.installations
    assert store.find_bot(enterprise_id=GRID, team_id=None, is_enterprise_install=True) is None
    assert store.find_installation(enterprise_id=GRID, team_id=None, is_enterprise_install=True) is None
    assert [c.token for c in market.calls_to("auth.revoke")] == ["xoxb-org"]  # its token given back
