"""bot.core.owner_match: owner names as written in a matrix -> workspace member IDs."""

from __future__ import annotations

import pytest

from bot.core.owner_match import Member, OwnerMatcher, fold_name, looks_like_email

MEMBERS = [
    Member("UTIM", "tim", "Tim Boyle", "Tim", "tim.boyle@un-redd.org"),
    Member("UJEN", "jennifer", "Jennifer Fergurson-Mitchel", "", "jennifer@un-redd.org"),
    Member("UPAT", "patricia", "Patricia Toquica", "Patricia T", "patricia@un-redd.org"),
    Member("ULINA", "lina", "Lina María Salazar", "Lina Salazar", ""),
    Member("UJOSE", "jperez", "José Pérez", "", "jose@un-redd.org"),
    Member("UELA", "ela", "Ela Ionescu Popescu", "", ""),
    Member("UANA1", "ana.g", "Ana García", "", "ana@un-redd.org"),
    Member("UANA2", "ana.garcia", "Ana Garcia", "", "ANA@UN-REDD.ORG"),
    Member("UHT", "heang", "Heang Thy", "", ""),
]


@pytest.fixture
def matcher():
    return OwnerMatcher(MEMBERS)


@pytest.mark.parametrize(
    "written, user_id",
    [
        ("Patricia Toquica", "UPAT"),
        ("patricia toquica", "UPAT"),
        ("  PATRICIA   TOQUICA ", "UPAT"),
        ("Jose Perez", "UJOSE"),
        ("José Pérez", "UJOSE"),
        ("jose perez", "UJOSE"),
        ("Jennifer Fergurson-Mitchel", "UJEN"),
        ("jennifer fergurson mitchel", "UJEN"),
        ("Lina Salazar", "ULINA"),  # the display name
        ("Lina Maria Salazar", "ULINA"),  # the real name, accents folded
        ("Ela Ionescu", "UELA"),  # a second surname left out
        ("Ela Popescu", "UELA"),  # first and last, a middle name left out
        ("tim", "UTIM"),  # the handle
        ("@patricia", "UPAT"),
        ("Patricia T", "UPAT"),  # the display name
        ("jperez", "UJOSE"),
        ("tim.boyle@un-redd.org", "UTIM"),
        ("Tim.Boyle@UN-REDD.org", "UTIM"),
        ("Tim Boyle <tim.boyle@un-redd.org>", "UTIM"),
    ],
)
def test_names_match_with_accents_case_and_spacing_folded(matcher, written, user_id):
    assert matcher.match(written) == user_id


@pytest.mark.parametrize(
    "written",
    [
        "Ana Garcia",  # two members fold to the same name
        "ana@un-redd.org",  # two members share the address (case folded)
        "Jose",  # a bare first name is not enough
        "Salazar",  # nor a bare last name
        "KM Regional Coordinators",
        "nobody@un-redd.org",
        "<@UHT>",  # a platform's mention markup is its adapter's to read (tests/slack/test_markup.py)
        "",
        "   ",
        "Toquica Patricia",  # the words out of order
    ],
)
def test_ambiguous_or_unknown_names_match_nobody(matcher, written):
    assert matcher.match(written) is None


def test_middle_name_matching_is_refused_when_two_members_fit():
    matcher = OwnerMatcher([Member("U1", real_name="Maria Luisa Gomez"), Member("U2", real_name="Maria Jose Gomez")])
    assert matcher.match("Maria Gomez") is None
    assert matcher.match("Maria Luisa Gomez") == "U1"


def test_an_exact_match_wins_over_a_partial_one():
    matcher = OwnerMatcher([Member("U1", real_name="Ana Lopez"), Member("U2", real_name="Ana Maria Lopez")])
    assert matcher.match("Ana Lopez") == "U1"


def test_no_members_match_nothing():
    assert OwnerMatcher([]).match("Tim Boyle") is None


def test_looks_like_email():
    assert looks_like_email("lina@un-redd.org")
    assert looks_like_email("  first.last+km@example.co.uk ")
    assert not looks_like_email("Lina Salazar")
    assert not looks_like_email("lina@localhost")
    assert not looks_like_email("two@a.org three@b.org")
    assert not looks_like_email("")


def test_fold_name():
    assert fold_name("  José   PÉREZ-García ") == "jose perez garcia"
    assert fold_name("Ｌｉｎａ") == "lina"  # NFKD also folds full-width letters
