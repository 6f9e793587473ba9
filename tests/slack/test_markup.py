"""handlers.slack.markup: Slack's escaped text read into the core's typed command input and written
back from it, and Slack's text through the markup to the command grammar and the owner matcher."""

from __future__ import annotations

import pytest

from bot.core import grammar, questions
from bot.core.command_input import ChannelRef, PersonRef, SpecialRef, as_text
from bot.core.errors import BadInput
from bot.core.owner_match import Member
from handlers.slack import markup
from handlers.slack.members import SlackOwnerMatcher


def add(text: str):
    return grammar.parse(markup.command("add " + text)).spec


def test_people_and_channels_become_references_and_text_is_unescaped():
    assert markup.parse("R&amp;D &lt;draft&gt; for <@UJEN|jen> in <#C123|km> and <#C9>") == (
        "R&D <draft> for ",
        PersonRef("UJEN", "jen"),
        " in ",
        ChannelRef("C123", "km"),
        " and ",
        ChannelRef("C9"),
    )
    assert markup.parse("<@W1> ") == (PersonRef("W1"), " ")
    assert markup.parse("") == ()


def test_specials_and_links_become_references_reading_as_their_text():
    assert markup.parse("<!channel> <!subteam^S1|@km> <https://x.org|the plan> <https://y.org>") == (
        SpecialRef("@channel"),
        " ",
        SpecialRef("@km"),
        " ",
        SpecialRef("the plan (https://x.org)"),
        " ",
        SpecialRef("https://y.org"),
    )
    assert markup.to_plain("see <https://x.org|the plan> and <@U1> &amp; <#C9>") == (
        "see the plan (https://x.org) and @U1 & #C9"
    )


def test_something_that_is_not_a_slack_id_is_neither_a_person_nor_a_channel():
    assert markup.parse("<@lina> <#general>") == (SpecialRef("@lina"), " ", SpecialRef("#general"))


def test_render_escapes_text_and_writes_people_and_channels_as_references():
    rendered = markup.render(("a & <b> ", PersonRef("UJEN", "jen"), " ", ChannelRef("C1", "km"), SpecialRef(" <x>")))
    assert rendered == "a &amp; &lt;b&gt; <@UJEN> <#C1> &lt;x&gt;"
    assert markup.parse(rendered) == ("a & <b> ", PersonRef("UJEN"), " ", ChannelRef("C1"), " <x>")


def test_a_list_query_goes_back_to_slack_text_and_reads_the_same():
    query = grammar.parse_query(
        grammar.tokenize(markup.parse('mine overdue region:"R&amp;D team" group:KM <@UJEN|jennifer>'))
    )
    text = markup.render(query.as_input())
    assert text == 'mine overdue region:"R&amp;D team" group:KM <@UJEN>'
    assert grammar.parse_query(grammar.tokenize(markup.parse(text))) == query


def test_the_seed_row_through_the_markup():
    spec = add(
        "Draft the KM global strategy <@ULINA|lina> due Nov 30, 2014 region:Global group:KM "
        'meeting:"KM &amp; Comms workshop"'
    )
    assert spec.title == "Draft the KM global strategy"
    assert spec.user_owners == ["ULINA"]
    assert (spec.due_phrase, spec.region, spec.group, spec.meeting) == (
        "Nov 30, 2014",
        "Global",
        "KM",
        "KM & Comms workshop",
    )


def test_escaped_text_is_unescaped_and_specials_read_as_text():
    spec = add("R&amp;D &lt;draft&gt; for <!channel> and <!here> in <#C123|km> <@UJEN|jen>")
    assert spec.title == "R&D <draft> for @channel and @here in #km"
    assert spec.user_owners == ["UJEN"]


def test_a_mention_after_a_special_one_is_an_owner_not_title_text():
    spec = add("Budget for <!channel> <@UPAT|patricia> region-free")
    assert (spec.title, spec.user_owners) == ("Budget for @channel region-free", ["UPAT"])
    spec = add("Budget for @channel <@UPAT|patricia> region-free")  # typed, not a mention: a word
    assert (spec.title, spec.user_owners) == ("Budget for @channel @patricia region-free", [])
    with pytest.raises(BadInput, match="can't filter by “the plan \\(https://x\\)”"):
        grammar.parse(markup.command("list <https://x|the plan>"))


def test_quoted_title_keeps_mentions_as_text_and_options_take_mentions():
    spec = add('"Ask <@UTIM|tim> about due dates" <@UJEN> owner:<@UPAT> owner:"<@ULINA>"')
    assert spec.title == "Ask @tim about due dates"
    assert spec.user_owners == ["UJEN", "UPAT", "ULINA"]
    tokens = grammar.tokenize(markup.parse("lead:<@UPAT|patricia> channel:<#C9|lac>"))
    assert [t.ref for t in tokens] == [PersonRef("UPAT", "patricia"), ChannelRef("C9", "lac")]


def test_a_command_is_measured_as_slack_sent_it():
    with pytest.raises(BadInput, match="at most 4,000 characters; this one has 4,001"):
        markup.command("add " + "&amp;" * 799 + "xx")
    assert as_text(markup.command("  list mine  ")) == "list mine"


def test_the_bots_leading_mentions_are_taken_off_a_question():
    assert markup.question("<@UBOT> <@UBOT|actionbot>, what's open?", "UBOT") == ("what's open?",)
    assert markup.question("<@UPAT> overdue", "UBOT") == (PersonRef("UPAT"), " overdue")
    assert markup.question("<@UPAT> <@UJEN> overdue") == (PersonRef("UJEN"), " overdue")  # bot unknown: first
    with pytest.raises(BadInput, match="at most 2,000 characters; this one has 2,008"):
        markup.question("<@UBOT> " + "x" * 2000, "UBOT")


def test_a_question_may_start_with_the_slash_command():
    question = questions.parse_question(markup.question("please /action list mine"), markup.COMMAND)
    assert question == questions.Question("list", grammar.ListQuery(mine=True))
    assert questions.parse_question(markup.question("/action list mine")) == questions.UNKNOWN


class NoSlack:
    def users_lookupByEmail(self, **kwargs):
        raise AssertionError("a mention needs no lookup")


def test_an_owner_cell_holding_a_mention_names_that_member():
    matcher = SlackOwnerMatcher(NoSlack(), [Member("UHT", "heang", "Heang Thy")], {})  # type: ignore[arg-type]
    assert matcher.match("<@UHT>") == "UHT"
    assert matcher.match(" <@UHT|heang> ") == "UHT"
    assert matcher.match("<@UNKNOWN>") is None
    assert matcher.match("Heang Thy") == "UHT"
