"""The `/action` grammar: typed command input (plain text, people, channels) → structured commands.
Slack's markup read into that input is tests/slack/test_markup.py's."""

import pytest

from bot.core import grammar
from bot.core.command_input import ChannelRef, PersonRef, SpecialRef, as_text, plain, said
from bot.core.errors import BadInput
from bot.core.grammar import Command, parse_query
from bot.messages import PLAIN, Example
from tests.core.typed import said_in


def parse(text):
    return grammar.parse(said_in(text))


def tokenize(text):
    return grammar.tokenize(said_in(text))


def add(text):
    return parse("add " + text).spec


def test_seed_row_with_user_owner_date_region_group_meeting():
    spec = add(
        "Draft the KM global strategy {@ULINA|lina} due Nov 30, 2014 region:Global group:KM "
        'meeting:"KM & Comms workshop"'
    )
    assert spec.title == "Draft the KM global strategy"
    assert spec.user_owners == ["ULINA"]
    assert spec.due_phrase == "Nov 30, 2014"
    assert (spec.region, spec.group, spec.meeting) == ("Global", "KM", "KM & Comms workshop")


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("Call partners due:2014-12-20", "2014-12-20"),
        ('Call partners due:"Dec 20"', "Dec 20"),
        ("Monthly calls on going", "ongoing"),
        ("Monthly calls ongoing group:KM", "ongoing"),
        ("Monthly calls due on going", "on going"),
        ("Call partners due next friday region:LAC", "next friday"),
        ("Call partners", None),
    ],
)
def test_due_phrases(text, phrase):
    assert add(text).due_phrase == phrase


def test_ongoing_inside_a_title_stays_in_the_title():
    spec = add('Agreement on ongoing coordination calls owner:"KM team"')
    assert spec.title == "Agreement on ongoing coordination calls"
    assert spec.due_phrase is None


def test_named_and_several_owners_and_smart_quotes():
    spec = add("Regional work plans owner:“KM Regional Coordinators” {@UPAT|patricia} {@UJEN} owner:Tim")
    assert spec.named_owners == ["KM Regional Coordinators", "Tim"]
    assert spec.user_owners == ["UPAT", "UJEN"]


def test_mention_between_title_words_is_text_not_owner():
    spec = add("Send the budget to {@UTIM|tim} before the call {@UJEN|jennifer} due Nov 30")
    assert spec.title == "Send the budget to @tim before the call"
    assert spec.user_owners == ["UJEN"]


def test_plain_text_stays_as_typed_and_a_channel_reads_as_its_name():
    spec = add("R&amp;D <draft> for @channel in {#C123|km} {@UJEN|jen}")
    assert spec.title == "R&amp;D <draft> for @channel in #km"
    assert spec.user_owners == ["UJEN"]


def test_an_option_followed_by_a_reference_takes_it_as_its_value():
    spec = add("Draft owner:{@UPAT|patricia} owner:{@UJEN} owner:@lina")
    assert (spec.user_owners, spec.named_owners) == (["UPAT", "UJEN"], ["@lina"])
    assert parse_query(tokenize("owner:{@UJEN}")).user_id == "UJEN"
    tokens = tokenize("lead:{@UPAT} channel:{#C9|lac}")
    assert [(t.kind, t.key, t.ref) for t in tokens] == [
        ("option", "lead", PersonRef("UPAT")),
        ("option", "channel", ChannelRef("C9", "lac")),
    ]


def test_a_reference_glued_to_a_word_is_text():
    spec = add("Call with{@UTIM|tim} {@UJEN}")
    assert spec.title == "Call with@tim"
    assert spec.user_owners == ["UJEN"]


def test_text_that_looks_like_another_platforms_markup_is_only_text():
    spec = grammar.parse(plain("add Reply to <@UJEN> and <#C1> in 19:abc@thread.tacv2")).spec
    assert spec.title == "Reply to <@UJEN> and <#C1> in 19:abc@thread.tacv2"
    assert spec.user_owners == []


def test_placeholder_characters_typed_in_text_are_dropped():
    spec = add("Draft \U000f0000plan {@UJEN}")
    assert spec.title == "Draft plan"
    assert spec.user_owners == ["UJEN"]


def test_quoted_title_keeps_everything_as_text():
    spec = add('"Ask {@UTIM|tim} about due dates" {@UJEN}')
    assert spec.title == "Ask @tim about due dates"
    assert spec.user_owners == ["UJEN"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("{@UJEN} due Nov 30", "needs a title"),
        ('Draft owner:"KM team', "quote is not closed"),
        ("Draft region:LAC region:Africa", "given twice"),
        ("Draft due Nov 30 due Dec 1", "given twice"),
        ("x" * 501, "at most 500"),
    ],
)
def test_add_errors(text, message):
    with pytest.raises(BadInput, match=message) as err:
        parse("add " + text)
    example = err.value.example
    assert example is None or isinstance(example, Example)
    if example is not None and example.verb:  # a whole command to try: one the grammar takes
        parse(PLAIN.example(example))


@pytest.mark.parametrize(
    "text, verb, number",
    [
        ("done 12", "done", 12),
        ("done #12", "done", 12),
        ("reopen 3", "reopen", 3),
        ("cancel #7", "cancel", 7),
        ("complete 4", "done", 4),
        ("DONE 5", "done", 5),
    ],
)
def test_numbered_verbs(text, verb, number):
    cmd = parse(text)
    assert (cmd.verb, cmd.number) == (verb, number)


@pytest.mark.parametrize(
    "text, message",
    [
        ("done", "Which action"),
        ("done twelve", "“twelve” is not one"),
        ("done 12 13", "only an action number"),
        ("note 3", "needs some text"),
        ("due 3", "Which date"),
        ("assign 3", "Whom"),
        ("assign 3 Draft {@UJEN}", "new owners only"),
        ("edit 3 {@UJEN}", "Change owners with"),
        ("edit 3 {@UJEN}", "assign"),
        ("frobnicate 3", "don't know the command"),
    ],
)
def test_numbered_verb_errors(text, message):
    with pytest.raises(BadInput, match=message):
        parse(text)


def test_note_due_assign_edit():
    assert parse("note 3 Budget & plan agreed with {@UTIM|tim}").text == "Budget & plan agreed with @tim"
    assert parse("due #3 Dec 20, 2014").text == "Dec 20, 2014"
    assert parse("due 3 due:2014-12-20").text == "2014-12-20"
    cmd = parse('assign 3 {@UJEN} owner:"KM team"')
    assert (cmd.spec.user_owners, cmd.spec.named_owners) == (["UJEN"], ["KM team"])
    cmd = parse('edit 3 title:"New title" due Dec 1 region:LAC')
    assert (cmd.spec.title, cmd.spec.due_phrase, cmd.spec.region) == ("New title", "Dec 1", "LAC")


def test_empty_text_and_help():
    assert parse("").verb == "help"
    assert parse("help").verb == "help"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", dict(status="open")),
        ("mine", dict(mine=True)),
        ("overdue region:LAC", dict(overdue=True, region="LAC")),
        ("done group:KM", dict(status="done", group="KM")),
        ("all {@UJEN|jennifer}", dict(status="all", user_id="UJEN")),
        ('region:"Latin America"', dict(region="Latin America")),
        ("LAC", dict(region="LAC")),
        ('owner:"KM team"', dict(owner_name="KM team")),
    ],
)
def test_list_queries(text, expected):
    query = parse_query(tokenize(text))
    for key, value in expected.items():
        assert getattr(query, key) == value


def test_list_query_round_trips_through_as_input():
    query = parse_query(tokenize('mine overdue region:"Latin America" group:KM {@UJEN}'))
    assert query.as_input() == ('mine overdue region:"Latin America" group:KM ', PersonRef("UJEN"))
    assert parse_query(grammar.tokenize(query.as_input())) == query
    assert as_text(query.as_input()) == 'mine overdue region:"Latin America" group:KM @UJEN'
    assert parse_query(grammar.tokenize(plain(""))).as_input() == ()


def test_list_errors():
    with pytest.raises(BadInput, match="filter by"):
        parse_query(tokenize("LAC Africa"))
    with pytest.raises(BadInput, match="one person"):
        parse_query(tokenize("{@UJEN} {@UPAT}"))


def test_add_and_edit_without_details_open_the_form():
    assert parse("add") == Command("add")
    assert parse("edit #3") == Command("edit", number=3)


def test_another_reference_reads_as_its_text_but_is_no_word():
    spec = grammar.parse(said("add Budget for ", SpecialRef("@everyone"), " ", PersonRef("UPAT"), " soon")).spec
    assert (spec.title, spec.user_owners) == ("Budget for @everyone soon", ["UPAT"])
    with pytest.raises(BadInput, match="can't filter by “@everyone”"):
        parse_query(grammar.tokenize(said(SpecialRef("@everyone"))))
