"""bot.core.importer: a pasted follow-up matrix in each shape, the seed report's matrix, and its oddities."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from bot.core.dates import NO_DUE, ONGOING, Due
from bot.core.errors import BadInput
from bot.core.importer import header_field, parse_matrix, split_owners

SEED = Path("/work/shared/seed/000_db5a207661ba9c22.txt")
TODAY = dt.date(2014, 11, 21)  # the day after the workshop


def said(warnings) -> list[str]:
    """Warnings in neutral English (they are catalogue messages)."""
    return [str(w) for w in warnings]


def D(y, m, d):
    return Due("date", dt.date(y, m, d))


SEED_TITLES = [
    "Send information to Tim Boyle, KM coordinator on available budget for KM regional initiatives",
    "Development of Regional KM Work Plans for 2015, including budget for activities",
    "Submission of LAC KM Region proposal",
    "Agreement on monthly coordination conference calls and follow up meetings with Tim Boyle and "
    "KM regional coordinators",
    "Development of draft of KM Global Strategy",
]
SEED_OWNERS = [
    ["Jennifer Fergurson-Mitchel"],
    ["KM Regional Coordinators"],
    ["Patricia Toquica"],
    ["KM Coordinator", "regional KM team"],
    ["Lina Salazar"],
]
SEED_DUES = [D(2014, 11, 30), D(2014, 12, 30), D(2014, 12, 20), ONGOING, D(2014, 11, 30)]


def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"the seed report {SEED} is not on this machine")
    return SEED.read_text(encoding="utf-8")


def check_seed(result):
    assert result.shape == "word"
    assert said(result.warnings) == []
    assert [r.row for r in result.rows] == [1, 2, 3, 4, 5]
    assert [r.title for r in result.rows] == SEED_TITLES
    assert [r.owners for r in result.rows] == SEED_OWNERS
    assert [r.due for r in result.rows] == SEED_DUES
    assert [r.status for r in result.rows] == [None] * 5
    assert [r.region for r in result.rows] == [None] * 5
    assert [said(r.warnings) for r in result.rows[:2] + result.rows[3:]] == [[], [], [], []]
    (warning,) = said(result.rows[2].warnings)
    assert "Nov 30, 2014" in warning and "Dec 20, 2014" in warning and "Sat 20 Dec 2014" in warning


# ---------------------------------------------------------------- the seed report


def test_the_whole_seed_report_yields_its_five_actions():
    check_seed(parse_matrix(seed_text(), TODAY))


def test_the_seed_section_11_alone_yields_the_same():
    text = seed_text()
    section = text[text.index("11. Follow up action matrix") : text.index("12. Distribution list")]
    check_seed(parse_matrix(section, TODAY))
    # From the heading row on, without the section title, and with the table's trailing empty row.
    check_seed(parse_matrix(section[section.index("\tAction to be taken") :], TODAY))


def test_the_seed_matrix_survives_losing_its_tabs():
    text = seed_text()
    section = text[text.index("11. Follow up action matrix") :]
    untabbed = "\n".join(line.strip() for line in section.splitlines())
    check_seed(parse_matrix(untabbed, TODAY))


def test_the_seed_matrix_with_the_title_glued_to_the_heading():
    text = (
        "11. Follow up action matrix\nAction to be taken\nBy whom\nExpected completion date\n\n"
        "Submission of LAC KM Region proposal\nNov 30, 2014 Patricia Toquica, KM Regional Coordinator LAC\n"
        "Dec 20, 2014\n"
    )
    result = parse_matrix(text, TODAY)
    assert [(r.title, r.owners, r.due) for r in result.rows] == [
        ("Submission of LAC KM Region proposal", ["Patricia Toquica"], D(2014, 12, 20))
    ]


# ---------------------------------------------------------------- the other shapes


def test_word_table_with_an_empty_middle_cell_and_missing_trailing_cells():
    text = (
        "\tAction\n\tBy whom\n\tDeadline\n\n"
        "\tDraft the KM strategy\n\t\n\tDec 1, 2014\n\n"
        "\tShare the budget figures\n\n"
        "\tBook the venue\n\tTim Boyle\n\t\n"
    )
    result = parse_matrix(text, TODAY)
    assert result.shape == "word"
    assert [(r.title, r.owners, r.due) for r in result.rows] == [
        ("Draft the KM strategy", [], D(2014, 12, 1)),
        ("Share the budget figures", [], NO_DUE),
        ("Book the venue", ["Tim Boyle"], NO_DUE),
    ]
    assert said(result.warnings) == []


def test_tab_separated_rows_from_a_spreadsheet_inside_prose():
    text = (
        "Here is the matrix from the workshop:\n"
        "Action\tOwner\tDue\tRegion\tGroup\n"
        "Draft the KM strategy\tLina Salazar\t2014-11-30\tGlobal\tKM\n"
        'Regional work plans\t"Heang Thy\nEla Ionescu"\tDec 30, 2014\tAsia\t\n'
        "\n"
        "Monthly calls\tTim Boyle\tongoing\t\tKM\n"
        "Thanks all!\n"
        "Not an action\tNobody\t2014-12-01\n"
    )
    result = parse_matrix(text, TODAY)
    assert result.shape == "tsv"
    assert said(result.warnings) == [
        "The table ends at “Thanks all!” (a line without a tab); nothing from there on was read."
    ]
    assert [(r.row, r.title, r.owners, r.due, r.region, r.group) for r in result.rows] == [
        (1, "Draft the KM strategy", ["Lina Salazar"], D(2014, 11, 30), "Global", "KM"),
        (2, "Regional work plans", ["Heang Thy", "Ela Ionescu"], D(2014, 12, 30), "Asia", None),
        (3, "Monthly calls", ["Tim Boyle"], ONGOING, None, "KM"),
    ]


def test_prose_after_a_blank_line_ends_a_csv_table_quietly():
    text = "Action,Owner\nDraft the strategy,Lina\n\nThanks all\nSee you in Lima, Peru\n"
    result = parse_matrix(text, TODAY)
    assert [r.title for r in result.rows] == ["Draft the strategy"] and said(result.warnings) == []


def test_csv_with_quoted_commas():
    text = (
        "Action,By whom,Expected completion date\n"
        '"Send information to Tim Boyle, KM coordinator, on the budget.","Jennifer Fergurson-Mitchel, '
        'Communications Officer",Nov 30 2014\n'
        '"Plans for 2015, with budget",KM Regional Coordinators,"Dec 30, 2014"\n'
    )
    result = parse_matrix(text, TODAY)
    assert result.shape == "csv"
    assert [(r.title, r.owners, r.due) for r in result.rows] == [
        (
            "Send information to Tim Boyle, KM coordinator, on the budget",
            ["Jennifer Fergurson-Mitchel"],
            D(2014, 11, 30),
        ),
        ("Plans for 2015, with budget", ["KM Regional Coordinators"], D(2014, 12, 30)),
    ]


def test_semicolon_csv_as_spanish_excel_writes_it():
    text = "Tarea;Responsable;Fecha límite\nPropuesta de LAC;Patricia Toquica;20/12/2014\n"
    result = parse_matrix(text, TODAY, "DMY")
    assert result.shape == "csv"
    assert [(r.title, r.owners, r.due) for r in result.rows] == [
        ("Propuesta de LAC", ["Patricia Toquica"], D(2014, 12, 20))
    ]


def test_markdown_table():
    text = (
        "Follow-up actions\n\n"
        "| Action | Owner | Due | Status |\n"
        "|:-------|-------|----:|--------|\n"
        "| Draft the KM strategy | Lina Salazar | 2014-11-30 | open |\n"
        "| Fix the a\\|b export | Tim Boyle<br>Heang Thy | 12/01/2014 | done |\n"
        "|  |  |  |  |\n"
        "| Old idea | Tim Boyle | | cancelled |\n"
        "\nThat's all.\n"
    )
    result = parse_matrix(text, TODAY)
    assert result.shape == "markdown"
    assert said(result.warnings) == []
    assert [(r.row, r.title, r.owners, r.due, r.status) for r in result.rows] == [
        (1, "Draft the KM strategy", ["Lina Salazar"], D(2014, 11, 30), "open"),
        (2, "Fix the a|b export", ["Tim Boyle", "Heang Thy"], D(2014, 12, 1), "done"),
        (3, "Old idea", ["Tim Boyle"], NO_DUE, "cancelled"),
    ]


# ---------------------------------------------------------------- languages


def test_spanish_headers_and_values():
    text = (
        "Tarea\tQuién\tPlazo\tRegión\tGrupo\tEstado\n"
        "Propuesta regional de LAC\tPatricia Toquica y José Pérez\t20 de diciembre de 2014\tLAC\tKM\tHecho\n"
        "Llamadas mensuales\tCoordinadores regionales\tEn curso\tLAC\t\tpendiente\n"
    )
    result = parse_matrix(text, TODAY)
    assert said(result.warnings) == []
    assert [(r.title, r.owners, r.due, r.region, r.group, r.status) for r in result.rows] == [
        ("Propuesta regional de LAC", ["Patricia Toquica", "José Pérez"], D(2014, 12, 20), "LAC", "KM", "done"),
        ("Llamadas mensuales", ["Coordinadores regionales"], ONGOING, "LAC", None, "open"),
    ]


def test_french_headers_and_values():
    text = (
        "| Action à mener | Par qui | Échéance | Région | Groupe | Statut |\n"
        "|---|---|---|---|---|---|\n"
        "| Stratégie de gestion des connaissances. | Marie Dupont, Chargée de communication et Luc Martin "
        "| 30 novembre 2014 | Afrique | Comms | terminé |\n"
        "| Appels mensuels | Équipe régionale | en cours | Afrique | | annulé |\n"
        "| Plan de travail | Luc Martin | continu | | | en cours |\n"
    )
    result = parse_matrix(text, TODAY)
    assert result.shape == "markdown"
    assert said(result.warnings) == []
    assert [(r.title, r.owners, r.due, r.region, r.group, r.status) for r in result.rows] == [
        (
            "Stratégie de gestion des connaissances",
            ["Marie Dupont", "Luc Martin"],
            D(2014, 11, 30),
            "Afrique",
            "Comms",
            "done",
        ),
        ("Appels mensuels", ["Équipe régionale"], ONGOING, "Afrique", None, "cancelled"),
        ("Plan de travail", ["Luc Martin"], ONGOING, None, None, "open"),
    ]


@pytest.mark.parametrize(
    "heading, field",
    [
        ("Action to be taken", "action"),
        ("By whom", "owner"),
        ("Expected completion date", "date"),
        ("TAREA", "action"),
        ("Acción", "action"),
        ("Tâche", "action"),
        ("Action à mener", "action"),
        ("Owner(s)", "owner"),
        ("Responsible", "owner"),
        ("Quién", "owner"),
        ("Qui", "owner"),
        ("Par qui", "owner"),
        ("Task owner", "owner"),
        ("Deadline", "date"),
        ("Due date", "date"),
        ("Fecha", "date"),
        ("Plazo", "date"),
        ("Échéance", "date"),
        ("Date limite", "date"),
        ("Región", "region"),
        ("région", "region"),
        ("Working group", "group"),
        ("Grupo", "group"),
        ("Groupe", "group"),
        ("Action status", "status"),
        ("Estado", "status"),
        ("Statut", "status"),
        ("Comments", None),
        ("11. Follow up action matrix", None),
        ("No.", None),
    ],
)
def test_headings_are_recognised_in_three_languages(heading, field):
    assert header_field(heading) == field


def test_unknown_columns_are_ignored_with_a_warning_naming_them():
    text = "No.\tAction\tComments\tDue\n1\tDraft the strategy\tsee notes\t2014-12-01\n"
    result = parse_matrix(text, TODAY)
    assert [(r.title, r.due) for r in result.rows] == [("Draft the strategy", D(2014, 12, 1))]
    assert len(said(result.warnings)) == 2
    assert "“No.”" in said(result.warnings)[0] and "ignored" in said(result.warnings)[0]
    assert "“Comments”" in said(result.warnings)[1] and "ignored" in said(result.warnings)[1]


# ---------------------------------------------------------------- the oddities


@pytest.mark.parametrize(
    "cell, owners",
    [
        ("Jennifer Fergurson-Mitchel, Communications Officer", ["Jennifer Fergurson-Mitchel"]),
        ("Lina Salazar, Secretariat KM Coordinator", ["Lina Salazar"]),
        ("Patricia Toquica, KM Regional Coordinator LAC", ["Patricia Toquica"]),
        ("KM Regional Coordinators", ["KM Regional Coordinators"]),
        ("KM Coordinator and regional KM team", ["KM Coordinator", "regional KM team"]),
        ("Ana Gómez y Luis Pérez", ["Ana Gómez", "Luis Pérez"]),
        ("Marie Dupont et Luc Martin", ["Marie Dupont", "Luc Martin"]),
        ("Tim Boyle & Heang Thy; Ela Ionescu", ["Tim Boyle", "Heang Thy", "Ela Ionescu"]),
        ("Comms/KM team", ["Comms", "KM team"]),
        ("Tim Boyle\nHeang Thy", ["Tim Boyle", "Heang Thy"]),
        ("Jennifer, Communications Officer and Tim Boyle, KM Coordinator", ["Jennifer", "Tim Boyle"]),
        ("Nina Doetinchem, FCPF KM/Comms Specialist", ["Nina Doetinchem"]),
        ("Jane Doe, Monitoring and Evaluation Officer", ["Jane Doe"]),
        ("María López, Coordinadora regional", ["María López"]),
        ("Ela Ionescu (Africa KM Specialist)", ["Ela Ionescu"]),
        ("UNEP, UNDP, FAO", ["UNEP", "UNDP", "FAO"]),
        ("M&E team", ["M&E team"]),
        ("@lina", ["lina"]),
        ("Tim Boyle and tim boyle", ["Tim Boyle"]),
        ("", []),
    ],
)
def test_owner_cells_split_into_people_and_roles(cell, owners):
    assert split_owners(cell) == owners


@pytest.mark.parametrize(
    "cell", ["On going", "ongoing", "On-going", "en curso", "Permanente", "en cours", "continu", "Continuous"]
)
def test_ongoing_words_in_three_languages(cell):
    result = parse_matrix(f"Action\tDue\nMonthly calls\t{cell}\n", TODAY)
    assert result.rows[0].due == ONGOING and said(result.rows[0].warnings) == []


def test_a_date_in_the_by_whom_cell():
    text = (
        "Action\tBy whom\tDate\n"
        "Later in the date cell\tNov 30, 2014 Patricia Toquica, KM Regional Coordinator LAC\tDec 20, 2014\n"
        "Later in the by-whom cell\t2014-12-24: Tim Boyle\t2014-12-01\n"
        "Only there\tDec 5, 2014 - Heang Thy\t\n"
        "Same date twice\tDec 5, 2014 Ela Ionescu\tDec 5, 2014\n"
        "Unreadable date cell\tDec 5, 2014 Ela Ionescu\tsoonish\n"
        "Ongoing anyway\tDec 5, 2014 Ela Ionescu\tongoing\n"
        "Only a date\tDec 5, 2014\tDec 6, 2014\n"
    )
    rows = parse_matrix(text, TODAY).rows
    assert [(r.owners, r.due) for r in rows] == [
        (["Patricia Toquica"], D(2014, 12, 20)),
        (["Tim Boyle"], D(2014, 12, 24)),
        (["Heang Thy"], D(2014, 12, 5)),
        (["Ela Ionescu"], D(2014, 12, 5)),
        (["Ela Ionescu"], D(2014, 12, 5)),
        (["Ela Ionescu"], ONGOING),
        ([], D(2014, 12, 6)),
    ]
    assert "“Nov 30, 2014”" in said(rows[0].warnings)[0] and "“Dec 20, 2014”" in said(rows[0].warnings)[0]
    assert "kept the later, Sat 20 Dec 2014" in said(rows[0].warnings)[0]
    assert "“2014-12-24”" in said(rows[1].warnings)[0] and "Wed 24 Dec 2014" in said(rows[1].warnings)[0]
    assert "“Dec 5, 2014”" in said(rows[2].warnings)[0]
    assert "“soonish”" in said(rows[4].warnings)[0] and "“Dec 5, 2014”" in said(rows[4].warnings)[0]
    assert "kept ongoing" in said(rows[5].warnings)[0]
    assert any("no owner" in w for w in said(rows[6].warnings))
    assert all(said(r.warnings) for r in rows)


def test_names_that_merely_start_like_a_date_stay_names():
    rows = parse_matrix("Action\tOwner\nA\tMay Chen\nB\t2 regional officers\nC\tMarch 2015 task force\n", TODAY).rows
    assert [r.owners for r in rows] == [["May Chen"], ["2 regional officers"], ["March 2015 task force"]]
    assert [r.due for r in rows] == [NO_DUE] * 3 and all(not said(r.warnings) for r in rows)


def test_an_unreadable_date_leaves_no_due_date_and_a_warning_quoting_it():
    result = parse_matrix("Action\tDue\nDraft the strategy\tsometime next spring\nB\tTBD\nC\tby Dec 1, 2014\n", TODAY)
    first, second, third = result.rows
    assert first.due == NO_DUE
    assert said(first.warnings) == ["couldn't read the date “sometime next spring”; imported it with no due date."]
    assert (second.due, said(second.warnings)) == (NO_DUE, [])
    assert (third.due, said(third.warnings)) == (D(2014, 12, 1), [])


def test_date_order_settles_numeric_dates():
    text = "Action\tDue\nA\t03/04/2015\n"
    assert parse_matrix(text, TODAY, "MDY").rows[0].due == D(2015, 3, 4)
    assert parse_matrix(text, TODAY, "DMY").rows[0].due == D(2015, 4, 3)


def test_a_date_without_a_year_is_the_next_one():
    assert parse_matrix("Action\tDue\nA\tNov 30\nB\tJan 15\n", TODAY).rows[1].due == D(2015, 1, 15)


def test_titles_are_trimmed_and_rows_without_action_text_are_skipped():
    text = (
        "Action\tOwner\tDue\n"
        "  Draft the strategy...  \tLina\t2014-12-01\n"
        "\tTim Boyle\t2014-12-02\n"
        "\t\t\n"
        "• Book the venue.\tTim\t\n"
        " . \tHeang Thy\t\n"
    )
    result = parse_matrix(text, TODAY)
    assert [(r.row, r.title) for r in result.rows] == [(1, "Draft the strategy"), (3, "Book the venue")]
    assert said(result.warnings) == ["Row 2: no action text; skipped.", "Row 4: no action text; skipped."]


@pytest.mark.parametrize(
    "word, status",
    [
        ("Done", "done"),
        ("completed", "done"),
        ("Hecho", "done"),
        ("terminé", "done"),
        ("Terminado", "done"),
        ("fait", "done"),
        ("Cancelled", "cancelled"),
        ("canceled", "cancelled"),
        ("cancelado", "cancelled"),
        ("annulé", "cancelled"),
        ("open", "open"),
        ("in progress", "open"),
        ("pendiente", "open"),
        ("en cours", "open"),
        ("", None),
    ],
)
def test_status_words_in_three_languages(word, status):
    row = parse_matrix(f"Action\tStatus\nA\t{word}\n", TODAY).rows[0]
    assert (row.status, said(row.warnings)) == (status, [])


def test_an_unknown_status_is_a_warning():
    row = parse_matrix("Action\tStatus\nA\tblocked\n", TODAY).rows[0]
    assert row.status is None and said(row.warnings) == ["didn't understand the status “blocked”; left it open."]


def test_a_date_cell_saying_done_marks_the_action_done():
    row = parse_matrix("Action\tDue\nA\tCompleted\n", TODAY).rows[0]
    assert (row.status, row.due) == ("done", NO_DUE) and "Completed" in said(row.warnings)[0]


def test_a_very_long_title_is_cut_with_a_warning():
    row = parse_matrix("Action\tDue\n" + "x" * 700 + "\t\n", TODAY).rows[0]
    assert len(row.title) == 500 and "700" in said(row.warnings)[0]


# ---------------------------------------------------------------- scale


def test_two_thousand_csv_rows_parse_fast_and_one_bad_date_is_warned():
    lines = ["Action,Owner,Due,Region"]
    for i in range(2000):
        due = "the 31st of Smarch" if i == 1233 else (TODAY + dt.timedelta(days=i % 400)).strftime("%b %d, %Y")
        lines.append(f'"Action {i}, with a comma",Person {i % 37} and Team {i % 11},"{due}",LAC')
    text = "\n".join(lines) + "\n"
    started = time.perf_counter()
    result = parse_matrix(text, TODAY)
    elapsed = time.perf_counter() - started
    assert elapsed < 1.0, f"took {elapsed:.2f}s"
    assert len(result.rows) == 2000 and said(result.warnings) == []
    bad = result.rows[1233]
    assert (bad.row, bad.due) == (1234, NO_DUE)
    assert said(bad.warnings) == ["couldn't read the date “the 31st of Smarch”; imported it with no due date."]
    assert all(not said(r.warnings) and r.due.kind == "date" for i, r in enumerate(result.rows) if i != 1233)
    assert result.rows[7].title == "Action 7, with a comma" and result.rows[7].owners == ["Person 7", "Team 7"]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("text", ["", "   \n\t\n", None])
def test_empty_text_is_bad_input(text):
    with pytest.raises(BadInput) as err:
        parse_matrix(text, TODAY)
    assert "nothing to import" in str(err.value)
    assert err.value.example


def test_text_without_a_heading_row_is_bad_input_naming_what_is_expected():
    with pytest.raises(BadInput) as err:
        parse_matrix("Draft the strategy, Lina, Nov 30\nBook the venue, Tim, Dec 1\n", TODAY)
    message = str(err.value)
    assert "heading row" in message and "“Draft the strategy, Lina, Nov 30”" in message
    assert "Action" in message and "Tarea" in message and "Tâche" in message and "By whom" in message


def test_headings_without_an_action_column_are_named_in_the_error():
    with pytest.raises(BadInput) as err:
        parse_matrix("Owner\tDeadline\tNotes\nLina\tNov 30\tbudget\n", TODAY)
    message = str(err.value)
    assert "“Owner”, “Deadline”, “Notes”" in message and "no action column" in message
    assert "Task" in message and "Acción" in message


def test_the_seed_report_without_its_matrix_is_bad_input():
    text = seed_text()
    with pytest.raises(BadInput):
        parse_matrix(text[: text.index("\tAction to be taken")], TODAY)


def test_an_unclosed_quote_in_csv_is_bad_input_not_a_crash():
    with pytest.raises(BadInput) as err:
        parse_matrix('Action,Owner\n"Draft the strategy,Lina\nBook the venue,Tim\n', TODAY)
    assert "never closed" in str(err.value)


def test_stray_quotes_inside_a_csv_cell_are_read_leniently():
    rows = parse_matrix('Action,Owner\nDraft the "quick wins" list,Lina\n"Quoted" then more,Tim\n', TODAY).rows
    assert [(r.title, r.owners) for r in rows] == [
        ('Draft the "quick wins" list', ["Lina"]),
        ("Quoted then more", ["Tim"]),
    ]
