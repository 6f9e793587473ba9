"""The message catalogue: one message, worded by each adapter in its own style (Slack's slash command
and code font, the command line's flags), and another language added as one more catalogue with English
as the fallback."""

import pytest

from bot import cli_wording
from bot.core.errors import BadInput
from bot.core.schedule import check_timezone
from bot.messages import CATALOGUES, PLAIN, Code, Example, Opt, Person, msg, render
from handlers.slack import wording


def test_a_refusal_is_worded_by_each_adapter():
    with pytest.raises(BadInput) as err:
        check_timezone("Mars/Olympus")
    refusal = err.value
    assert refusal.field == "tz" and refusal.message.key == "unknown_zone"
    assert wording.words(refusal.message) == "“Mars/Olympus” is not a time zone I know: give a zone as Area/City."
    assert wording.example(refusal.example) == "tz:America/Bogota or tz:Africa/Nairobi"
    assert cli_wording.refusal(refusal) == (
        "“Mars/Olympus” is not a time zone I know: give a zone as Area/City.\n"
        "for example: --tz America/Bogota or --tz Africa/Nairobi"
    )


def test_examples_and_code_in_each_style():
    example = Example("region add", ("Latin America", Opt("alias", "LAC"), Opt("lead", "@patricia")))
    assert wording.example(example) == '/action region add "Latin America" alias:LAC lead:@patricia'
    assert cli_wording.CLI.example(example) == "actionbot region add 'Latin America' --alias LAC --lead @patricia"
    assert PLAIN.example(example) == 'region add "Latin America" alias:LAC lead:@patricia'
    person = Example("list", (Person("U123", by_id=True),))
    assert wording.example(person) == "/action list <@U123>"
    said = msg("mine_or_person", mine=Code("mine"))
    assert wording.words(said) == "Use either `mine` or a person, not both."
    assert cli_wording.words(said) == "Use either 'mine' or a person, not both."


def test_user_text_is_escaped_for_slack_mrkdwn_only():
    said = msg("unknown_command", word="<!channel> & co")
    assert wording.words(said) == "I don't know the command “&lt;!channel&gt; &amp; co”."
    assert wording.plain(said) == cli_wording.words(said) == "I don't know the command “<!channel> & co”."


def test_another_language_is_one_more_catalogue_and_english_the_fallback(monkeypatch):
    monkeypatch.setitem(CATALOGUES, "es", {"which_date": "¿Qué fecha?"})
    assert render(msg("which_date"), PLAIN, "es") == "¿Qué fecha?"
    assert render(msg("which_region"), PLAIN, "es") == "Which region?"  # not translated yet
    assert render(msg("which_date"), PLAIN, "fr") == "Which date?"  # no French catalogue


def test_a_message_missing_from_the_catalogue_is_refused_where_it_is_named():
    with pytest.raises(KeyError):
        msg("No such sentence.")
