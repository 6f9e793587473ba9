"""The region form refuses a channel the bot is not in (issue 18, item 7): its weekly summary would fail
with `not_in_channel`, so the form says how to invite the bot, and saves once it is in."""

from __future__ import annotations

from tests.helpers import all_text


def test_the_region_form_refuses_a_channel_the_bot_is_not_in(driver, slack):
    slack.add_channel("CASIA", "km-asia", bot_member=False)
    driver.command("UADMIN", "region add Asia tz:Asia/Bangkok")
    assert driver.command("UADMIN", "region edit Asia").status == 200
    view = slack.calls_to("views.open")[-1].params["view"]
    text = lambda v: {"value": {"type": "plain_text_input", "value": v}}  # noqa: E731
    values = {
        "name": text("Asia"),
        "aliases": text(""),
        "channel": {"value": {"type": "conversations_select", "selected_conversation": "CASIA"}},
        "lead": {"value": {"type": "users_select", "selected_user": None}},
        "tz": text("Asia/Bangkok"),
        "days": text("mon-fri"),
        "summary": text("mon 09:00"),
    }
    refused = driver.submit("UADMIN", view, values).json()
    assert refused["response_action"] == "errors" and list(refused["errors"]) == ["channel"], refused
    assert "/invite @actionbot" in refused["errors"]["channel"] and "#km-asia" in refused["errors"]["channel"]
    assert "<#CASIA>" not in all_text(driver.command("UADMIN", "region list").json())

    slack.add_channel("CASIA", "km-asia", bot_member=True)  # invited
    assert driver.submit("UADMIN", view, values).status == 200
    assert "<#CASIA>" in all_text(driver.command("UADMIN", "region list").json())


def test_region_add_with_a_channel_the_bot_is_not_in_says_how_to_invite_it(driver, slack):
    slack.add_channel("CASIA", "km-asia", bot_member=False)
    said = all_text(driver.command("UADMIN", "region add Asia channel:<#CASIA|km-asia>").json())
    assert "not in #km-asia" in said and "/invite @actionbot" in said, said
    slack.add_channel("CAFRICA", "km-africa")
    said = all_text(driver.command("UADMIN", "region add Africa channel:<#CAFRICA|km-africa>").json())
    assert "/invite" not in said, said
