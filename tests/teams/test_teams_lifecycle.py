"""The Teams app installed and removed, through the real `POST /api/messages`: the addresses needed to
message people and channels later are stored; the notifier sends new owners' notices to them; removing
the tenant's last installation stops every send there and keeps the data. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("microsoft_teams.apps", reason="the teams extra is not installed")

from bot.core.addresses import AddressBook  # noqa: E402
from bot.core.notices import DeliveryError, Notice  # noqa: E402
from tests.conftest import WORKSHOP_NOW  # noqa: E402
from tests.teams import teams_runtime  # noqa: E402
from tests.teams.teams_runtime import card_of, say, texts  # noqa: E402

bot = teams_runtime.bot  # the fixture


def assigned(actions, tenant: str, number: int, owner: str) -> Notice:
    info = actions.get(tenant, number, WORKSHOP_NOW)
    return Notice(
        kind="assigned",
        team_id=tenant,
        subject=f"action:{number}",
        occurrence="test",
        recipient=f"user:{owner}",
        scheduled_for=WORKSHOP_NOW,
        local_day=dt.date(2014, 11, 21),
        timezone="UTC",
        action=info,
        by=owner,
    )


def test_install_stores_addresses_and_the_last_uninstall_stops_sends(bot, standin):
    driver, runtime = bot
    teams = runtime.platforms["teams"]
    tenant, lina = standin.tenant_id, standin.lina
    book = AddressBook(teams.actions)

    assert driver.post(driver.installation_update(lina, "add")).status == 200
    stored = book.get(tenant, "user", lina["aadObjectId"])
    assert stored is not None and stored.reference["conversation"]["id"] == standin.personal_conversation(lina)
    assert stored.service_url == standin.service_url

    assert (
        driver.post(driver.conversation_update(standin.tim, standin.team, members_added=[driver.bot_member()])).status
        == 200
    )
    assert book.get(tenant, "channel", standin.team["id"]) is not None

    say(driver, standin, lina, "add Write the LAC report owner:Lina due Dec 5 region:LAC")
    notifier = teams.notifier()
    notice = assigned(teams.actions, tenant, 1, lina["aadObjectId"])
    notifier.post(notice, notifier.render(notice)[0])
    sent = standin.sent_of("send")[-1]
    assert sent.conversation_id == standin.personal_conversation(lina)
    assert "You are now an owner of this action:" in texts(card_of(sent)) and "Write the LAC report" in texts(
        card_of(sent)
    )
    assert standin.sent_of("create") == []  # the stored conversation was used

    # Lina removes the app from her chat: the team still has it, so the tenant is still served
    assert driver.post(driver.installation_update(lina, "remove")).status == 200
    assert [w.uninstalled_at for w in teams.actions.workspaces.all() if w.team_id == tenant] == [None]

    # the team removes it too: the last installation; nothing is sent there any more, the data stays
    assert driver.post(driver.installation_update(standin.tim, "remove", team=standin.team)).status == 200
    assert [w.uninstalled_at for w in teams.actions.workspaces.all() if w.team_id == tenant] == [WORKSHOP_NOW]
    before = len(standin.sent)
    with pytest.raises(DeliveryError) as refused:
        notifier.post(notice, notifier.render(notice)[0])
    assert refused.value.permanent
    assert len(standin.sent) == before
    assert teams.actions.get(tenant, 1, WORKSHOP_NOW).title == "Write the LAC report"

    # installed again: sends resume
    assert driver.post(driver.installation_update(lina, "add")).status == 200
    assert [w.uninstalled_at for w in teams.actions.workspaces.all() if w.team_id == tenant] == [None]
    notifier.post(notice, notifier.render(notice)[0])
    assert standin.sent_of("send")[-1].conversation_id == standin.personal_conversation(lina)
    notifier.loop.stop()


def test_a_blocked_person_is_a_permanent_failure(bot, standin):
    driver, runtime = bot
    teams = runtime.platforms["teams"]
    say(driver, standin, standin.lina, "add Write the LAC report owner:Lina due Dec 5 region:LAC")
    standin.block(standin.lina)
    notifier = teams.notifier()
    notice = assigned(teams.actions, standin.tenant_id, 1, standin.lina["aadObjectId"])
    with pytest.raises(DeliveryError) as refused:
        notifier.post(notice, notifier.render(notice)[0])
    assert refused.value.permanent and "403" in str(refused.value)
    notifier.loop.stop()


def test_someone_never_seen_has_no_address(bot, standin):
    _, runtime = bot
    teams = runtime.platforms["teams"]
    notifier = teams.notifier()
    notice = Notice(
        kind="summary",
        team_id=standin.tenant_id,
        subject="region:1",
        occurrence="w",
        recipient="user:00000000-0000-0000-0000-000000000000",
        scheduled_for=WORKSHOP_NOW,
        local_day=dt.date(2014, 11, 21),
        timezone="UTC",
    )
    with pytest.raises(DeliveryError) as refused:
        notifier.post(notice, {"type": "message", "text": "x"})
    assert refused.value.permanent
    notifier.loop.stop()
