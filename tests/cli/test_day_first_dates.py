"""A French or Spanish matrix imported under the default month-first order: a date whose first number is
over 12 can only be day first, and it tells how the column's other dates are written."""

from __future__ import annotations

import re

from tests.cli.test_cli import actionbot, cli_env
from tests.conftest import TEAM

FRENCH = (
    "Action\tPar qui\tÉchéance\n"
    "Rédiger le rapport\tLina\t31/01/2015\n"
    "Envoyer le compte rendu\tTim\t05/01/2015\n"
    "Préparer l'atelier\tJen\t12/02/2015\n"
)


def dry_import(tmp_path, text: str, db_url: str) -> str:
    matrix = tmp_path / "matrice.tsv"
    matrix.write_text(text, encoding="utf-8")
    env = cli_env(tmp_path, DATABASE_URL=db_url)
    done = actionbot("import", str(matrix), "--workspace", TEAM, "--dry-run", cwd=tmp_path, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_date_only_day_first_reads_the_whole_matrix_day_first(db_url, tmp_path):
    out = dry_import(tmp_path, FRENCH, db_url)
    assert re.search(r"^1\s+Rédiger le rapport\s+Lina\s+Sat 31 Jan 2015", out, re.M), out
    assert re.search(r"^2\s+Envoyer le compte rendu\s+Tim\s+Mon 5 Jan 2015", out, re.M), out  # not 1 May
    assert re.search(r"^3\s+Préparer l'atelier\s+Jen\s+Thu 12 Feb 2015", out, re.M), out  # not 2 Dec
    [said] = [line for line in out.splitlines() if "day/month/year" in line]
    assert "“31/01/2015” can only be read that way" in said and "month/day/year" in said
    assert "no due date" not in out


def test_a_matrix_that_fits_the_workspace_order_is_read_so_without_a_note(db_url, tmp_path):
    out = dry_import(tmp_path, FRENCH.replace("31/01/2015", "01/31/2015"), db_url)
    assert re.search(r"^2\s+Envoyer le compte rendu\s+Tim\s+Fri 1 May 2015", out, re.M), out
    assert "day/month/year" not in out


def test_dates_that_contradict_each_other_keep_the_workspace_order(db_url, tmp_path):
    both = FRENCH.replace("12/02/2015", "02/13/2015")  # one only day first, one only month first
    out = dry_import(tmp_path, both, db_url)
    assert "day/month/year" not in out
    assert re.search(r"Row 1.*31/01/2015.*no due date", out), out
