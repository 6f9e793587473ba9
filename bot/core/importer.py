"""Reading a pasted follow-up matrix (action / by whom / expected completion date …) into rows.

Platform-neutral and read-only: `parse_matrix(text, today, date_order)` finds the table in `text`,
recognises its columns by their headings and returns an `ImportResult`; matching owners to members
(bot.core.owner_match), checking regions and storing is the caller's job (bot.core.imports).

`text` is plain text, as a form's text box or a file gives it. Four shapes are recognised, and the
table may sit inside surrounding prose (it is found by its heading row):

- "word": a table copied out of a report, one cell per line (often tab-indented), a blank line
  between rows, and possibly empty cells (a line holding only a tab) or missing trailing cells;
- "tsv": tab-separated rows under a heading row, as a spreadsheet copies them;
- "csv": comma- (or semicolon-) separated rows under a heading row, quoted cells allowed;
- "markdown": `| a | b |` rows under a heading row and a `|---|---|` separator.

Columns are recognised by heading words, in English, Spanish and French, case and accents ignored:
action, by whom/owner, date/deadline/due, region, group and status. Other columns are ignored with a
warning. Cells are read the way a careful person would retype them: owners split at "and"/"y"/"et",
"&", ";", "/", commas and line breaks, "Name, Job title" keeps the name, "On going"/"en curso"/"en
cours" is an ongoing action, a date written at the start of the by-whom cell is taken out of the
owner (the later of it and the date cell is kept, with a warning), an unreadable date leaves the row
without a due date (with a warning quoting it), and rows without action text are skipped (with a
warning). Row warnings say what was odd and what was kept; they carry no "Row N:" prefix (the
caller adds it from `ImportRow.row`). Data rows are numbered from 1 in the order the user sees them;
completely blank rows are not counted.

A cell beginning with `'` and then a formula character (`'=…`, how `actionbot export` writes a cell a
spreadsheet would run, see bot.core.cells) loses that `'`, so an export reads back as it was.

Everything is linear in the size of the text (no pattern here backtracks, nothing is rescanned per
row); date cells are parsed once per distinct text. A text longer than MAX_CHARS or a table with
more than MAX_ROWS rows is refused with a message saying so.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from bot.core.cells import unguard
from bot.core.dates import NO_DUE, ONGOING, DateParseError, Due, format_date, order_name, order_shown_by, parse_due
from bot.core.errors import BadInput, too_long
from bot.core.grammar import MAX_TITLE
from bot.messages import Code, Example, Msg, msg

SHAPES = ("word", "tsv", "csv", "markdown")
MAX_CHARS = 1_000_000  # a matrix read at once (the CLI reads no more of a file than this)
MAX_ROWS = 10_000
FIELDS = ("action", "owner", "date", "region", "group", "status")

# ---------------------------------------------------------------- heading vocabulary
# Words are compared after accents are removed and case is folded. A heading belongs to a field
# when all its words are known (a field's key words or filler) and one is a key word of that field;
# when words of several fields appear ("Task owner", "Action status"), the first field in
# _PRIORITY wins, so "action"/"task" used as a prefix does not make an action column.
_KEYS = {
    "owner": {
        "whom",
        "who",
        "owner",
        "owners",
        "responsible",
        "responsibles",
        "responsable",
        "responsables",
        "responsabilidad",
        "quien",
        "quienes",
        "qui",
        "assignee",
        "assignees",
        "assigned",
        "charge",
        "cargo",
        "encargado",
        "encargada",
        "encargados",
        "lead",
        "leads",
    },
    "status": {"status", "estado", "statut", "state", "etat", "situacion"},
    "date": {
        "date",
        "dates",
        "deadline",
        "deadlines",
        "due",
        "fecha",
        "fechas",
        "plazo",
        "plazos",
        "echeance",
        "echeances",
        "when",
        "cuando",
        "quand",
        "completion",
        "finalizacion",
        "achevement",
    },
    "region": {"region", "regions", "regiones"},
    "group": {"group", "groups", "grupo", "grupos", "groupe", "groupes", "workstream"},
    "action": {
        "action",
        "actions",
        "task",
        "tasks",
        "tarea",
        "tareas",
        "accion",
        "acciones",
        "tache",
        "taches",
        "activity",
        "activities",
        "actividad",
        "actividades",
        "activite",
        "activites",
        "what",
        "quoi",
        "item",
        "items",
        "description",
        "title",
        "titulo",
        "titre",
    },
}
_PRIORITY = ("owner", "status", "date", "region", "group", "action")
_FILLER = {
    "a",
    "an",
    "the",
    "to",
    "be",
    "taken",
    "take",
    "by",
    "of",
    "for",
    "in",
    "on",
    "de",
    "del",
    "la",
    "el",
    "los",
    "las",
    "le",
    "les",
    "du",
    "des",
    "par",
    "por",
    "para",
    "en",
    "et",
    "y",
    "and",
    "expected",
    "estimated",
    "target",
    "planned",
    "proposed",
    "final",
    "limit",
    "limite",
    "name",
    "names",
    "nombre",
    "nombres",
    "nom",
    "noms",
    "person",
    "persons",
    "persona",
    "personas",
    "personne",
    "personnes",
    "follow",
    "up",
    "mener",
    "realizar",
    "tomar",
    "entreprendre",
    "prendre",
    "main",
    "current",
    "working",
    "trabajo",
    "travail",
    "prevista",
    "previsto",
    "prevue",
    "prevu",
    "estimee",
    "estimada",
    "fin",
    "end",
    "completar",
    "cumplimiento",
}
_EXPECTED = {
    "action": "Action, Task, Tarea, Acción, Tâche",
    "owner": "By whom, Owner, Responsible, Responsable, Quién, Par qui",
    "date": "Due, Deadline, Date, Fecha, Plazo, Échéance",
    "region": "Region, Región, Région",
    "group": "Group, Grupo, Groupe",
    "status": "Status, Estado, Statut",
}
EXAMPLE_HEADER = Example(None, (Code("Action,By whom,Expected completion date"),))
_MAX_HEADER_CHARS = 60

# ---------------------------------------------------------------- cell vocabulary
_ONGOING_WORDS = {
    "ongoing",
    "on going",
    "on-going",
    "continuous",
    "continuing",
    "permanent",
    "en curso",
    "permanente",
    "continuo",
    "continua",
    "en cours",
    "continu",
    "continue",
    "en continu",
    "recurrent",
    "recurring",
    "recurrente",
}
_NO_DATE_WORDS = {
    "",
    "-",
    "--",
    "—",
    "–",
    "n/a",
    "na",
    "none",
    "no date",
    "tbd",
    "tbc",
    "tba",
    "to be defined",
    "to be determined",
    "to be confirmed",
    "por definir",
    "a definir",
    "sin fecha",
    "pendiente de definir",
    "a determiner",
    "a confirmer",
    "sans date",
    "?",
}
_STATUS_WORDS = {
    "open": {
        "open",
        "opened",
        "pending",
        "in progress",
        "to do",
        "todo",
        "not started",
        "ongoing",
        "on going",
        "abierto",
        "abierta",
        "pendiente",
        "en curso",
        "en progreso",
        "en proceso",
        "por hacer",
        "ouvert",
        "ouverte",
        "en attente",
        "en cours",
        "a faire",
    },
    "done": {
        "done",
        "complete",
        "completed",
        "closed",
        "finished",
        "achieved",
        "hecho",
        "hecha",
        "completado",
        "completada",
        "terminado",
        "terminada",
        "cerrado",
        "cerrada",
        "finalizado",
        "finalizada",
        "listo",
        "lista",
        "cumplido",
        "cumplida",
        "realizado",
        "realizada",
        "termine",
        "terminee",
        "fait",
        "faite",
        "acheve",
        "achevee",
        "clos",
        "close",
        "cloture",
        "cloturee",
        "ferme",
        "fermee",
        "realise",
        "realisee",
        "fini",
        "finie",
    },
    "cancelled": {
        "cancelled",
        "canceled",
        "dropped",
        "abandoned",
        "withdrawn",
        "cancelado",
        "cancelada",
        "anulado",
        "anulada",
        "descartado",
        "descartada",
        "annule",
        "annulee",
        "abandonne",
        "abandonnee",
    },
}
_DATE_LEAD = re.compile(
    r"^(?:by|before|until|no later than|antes del?|hasta el|para el|avant le|"
    r"d'ici le|au plus tard le)\s+"
)

# Job titles: "Name, <words with one of these>" keeps the name. Compared without accents, any case,
# singular or plural.
_ROLE_WORDS = {
    "coordinator",
    "officer",
    "manager",
    "director",
    "lead",
    "leader",
    "head",
    "specialist",
    "advisor",
    "adviser",
    "consultant",
    "assistant",
    "analyst",
    "expert",
    "chair",
    "chairperson",
    "secretary",
    "representative",
    "associate",
    "intern",
    "editor",
    "focal",
    "coordinador",
    "coordinadora",
    "coordinadores",
    "coordinadoras",
    "responsable",
    "responsables",
    "oficial",
    "oficiales",
    "especialista",
    "especialistas",
    "asesor",
    "asesora",
    "asesores",
    "directora",
    "directores",
    "gerente",
    "gerentes",
    "jefe",
    "jefa",
    "jefes",
    "consultor",
    "consultora",
    "consultores",
    "asistente",
    "analista",
    "punto",
    "charge",
    "chargee",
    "coordonnateur",
    "coordonnatrice",
    "coordinateur",
    "coordinatrice",
    "conseiller",
    "conseillere",
    "directeur",
    "directrice",
    "gestionnaire",
    "chef",
    "specialiste",
    "assistante",
    "charges",
    "chargees",
}
# Soft separators are searched in text whose spaces are collapsed: `\s*` next to an alternation is
# retried at every space of a long run otherwise (quadratic).
_SOFT_SEP = re.compile(r"\s+(?:and|y|et)\s+|\s*&\s+|\s+&\s*|\s*/\s*", re.IGNORECASE)
_HARD_SEP = re.compile(r"[\n;]|<br\s*/?>", re.IGNORECASE)
_PAREN = re.compile(r"\(([^()]*)\)")
_WORD = re.compile(r"[^\W\d_]+")
_BULLET = re.compile(r"^(?:[•·▪‣◦*–—-]\s+|[•·▪‣◦])")
_DATE_START = re.compile(r"^\s*(?:\d|[^\W\d_]{3,}\.?\s+\d)")
_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_MD_SPLIT = re.compile(r"(?<!\\)\|")


@dataclass
class ImportRow:
    row: int  # 1-based number of the data row, as the user sees it (blank rows not counted)
    title: str
    owners: list[str] = field(default_factory=list)  # as written, cleaned; matching is the caller's
    due: Due = NO_DUE
    region: str | None = None
    group: str | None = None
    status: str | None = None  # "open", "done", "cancelled" or None (not given)
    warnings: list[Msg] = field(default_factory=list)  # what was odd and what was kept


@dataclass
class ImportResult:
    rows: list[ImportRow]
    warnings: list[Msg]  # about the table and skipped rows ("Row 4: no action text; skipped")
    shape: str  # one of SHAPES


@dataclass
class _Table:
    shape: str
    headers: list[str]
    records: list[list[str]]  # data rows, cells in header order (may be shorter or longer)
    notes: list[Msg] = field(default_factory=list)  # warnings about where the table ended


def fold(text: str) -> str:
    """Accents removed, case folded, whitespace collapsed."""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


_ALL_HEADER_WORDS = set().union(*_KEYS.values()) | _FILLER


def header_field(cell: str) -> str | None:
    """The field a heading names ("By whom" -> "owner"), or None."""
    if len(cell.strip()) > _MAX_HEADER_CHARS:
        return None
    words = _tokens(_PAREN.sub(" ", cell))
    if not words or any(w not in _ALL_HEADER_WORDS for w in words):
        return None
    for name in _PRIORITY:
        if any(w in _KEYS[name] for w in words):
            return name
    return None


# ---------------------------------------------------------------- finding the table


def parse_matrix(text: str, today: dt.date, date_order: str = "MDY") -> ImportResult:
    """Read the follow-up matrix in `text` (see the module docstring).

    Raises BadInput when the text is empty or has no heading row with an action column; the message
    says which headings were found and which are expected.
    """
    if len(text or "") > MAX_CHARS:
        raise BadInput(
            msg("with_advice", message=too_long(msg("field.matrix"), MAX_CHARS), advice=msg("advice.split_matrix")),
            EXAMPLE_HEADER,
        )
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if not text.strip():
        raise BadInput("import_nothing", EXAMPLE_HEADER)
    table = _find_table(text.split("\n"))
    rows = sum(1 for record in table.records if any(cell.strip() for cell in record))
    if rows > MAX_ROWS:
        raise BadInput("import_too_many_rows", EXAMPLE_HEADER, rows=rows, limit=MAX_ROWS)
    return _read_table(table, today, date_order)


def _find_table(lines: list[str]) -> _Table:
    weak: tuple[str, list[str]] | None = None  # a heading row without an action column
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        for shape, cells in _line_candidates(line, lines[i + 1] if i + 1 < n else None):
            fields = [header_field(c) for c in cells]
            if _is_heading(cells, fields):
                return _read_lines_table(shape, lines, i)
            if weak is None and _is_weak_heading(cells, fields):
                weak = (shape, cells)
        if i == 0 or not lines[i - 1].strip():  # a block starts: a heading one cell per line?
            found = _word_heading(lines, i)
            if found is not None:
                start, end = found
                return _read_word_table(lines, start, end)
            if weak is None:
                block = _block(lines, i, limit=13)
                cells = [c.strip() for c in block]
                if 2 <= len(cells) <= 12 and _is_weak_heading(cells, [header_field(c) for c in cells]):
                    weak = ("word", cells)
        i += 1
    raise _no_action_column(weak, lines)


def _line_candidates(line: str, following: str | None):
    """(shape, cells) for each way `line` could be a one-line heading row."""
    if "|" in line and following is not None and "-" in following and _MD_SEPARATOR.match(following):
        yield "markdown", _md_cells(line)
    stripped = line.strip()
    for shape, delimiter in (("tsv", "\t"),) if "\t" in stripped else (("csv", ","), ("csv", ";")):
        if delimiter in stripped:
            try:
                yield shape, next(csv.reader([line], delimiter=delimiter))
            except csv.Error:  # a cell past csv's size limit: not a heading
                pass


def _is_heading(cells: list[str], fields: list[str | None]) -> bool:
    """A one-line heading row: an action column, another column, and every cell heading-sized."""
    filled = [c for c in cells if c.strip()]
    return len(filled) >= 2 and all(len(c.strip()) <= _MAX_HEADER_CHARS for c in filled) and "action" in fields


def _is_weak_heading(cells: list[str], fields: list[str | None]) -> bool:
    filled = [c for c in cells if c.strip()]
    return (
        len(filled) >= 2
        and all(len(c.strip()) <= _MAX_HEADER_CHARS for c in filled)
        and any(f is not None for f in fields)
    )


def _heading_like(line: str) -> bool:
    s = line.strip()
    return bool(s) and (header_field(s) is not None or (len(s) <= 30 and len(s.split()) <= 3))


def _block(lines: list[str], start: int, limit: int) -> list[str]:
    """The non-blank lines from `start` on, at most `limit` of them."""
    end = start
    while end < len(lines) and end - start < limit and lines[end].strip():
        end += 1
    return lines[start:end]


def _word_heading(lines: list[str], start: int) -> tuple[int, int] | None:
    """(first, end) line indexes of a one-cell-per-line heading in the block at `start`, or None."""
    block = _block(lines, start, limit=13)
    if len(block) < 2 or len(block) > 12 or any("\t" in line.strip() for line in block):
        return None
    skip = 0
    while skip < len(block) and not _heading_like(block[skip]):
        skip += 1  # a title glued to the heading ("11. Follow up action matrix")
    cells = [line.strip() for line in block[skip:]]
    if len(cells) < 2 or not all(_heading_like(c) for c in cells):
        return None
    fields = [header_field(c) for c in cells]
    known = sum(f is not None for f in fields)
    if "action" not in fields or known < 2 or known < len(cells) - known:
        return None
    return start + skip, start + len(block)


def _no_action_column(weak: tuple[str, list[str]] | None, lines: list[str]) -> BadInput:
    expected = msg("import_expected", names=_EXPECTED["action"])
    optional = msg(
        "import_optional", names="; ".join(_EXPECTED[f] for f in ("owner", "date", "region", "group", "status"))
    )
    if weak is not None:
        found = ", ".join(f"“{c.strip()}”" for c in weak[1] if c.strip())
        return BadInput(
            "import_no_action_column_found", EXAMPLE_HEADER, found=found, expected=expected, optional=optional
        )
    first = next(line.strip() for line in lines if line.strip())
    if len(first) > 60:
        first = first[:57] + "…"
    return BadInput("import_no_heading_row", EXAMPLE_HEADER, first=first, expected=expected, optional=optional)


# ---------------------------------------------------------------- reading each shape


def _md_cells(line: str) -> list[str]:
    s = line.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return [re.sub(r"<br\s*/?>", "\n", c.replace("\\|", "|"), flags=re.IGNORECASE).strip() for c in _MD_SPLIT.split(s)]


def _read_lines_table(shape: str, lines: list[str], at: int) -> _Table:
    if shape == "markdown":
        headers = _md_cells(lines[at])
        records = []
        for line in lines[at + 2 :]:
            if "|" not in line:
                break
            records.append(_md_cells(line))
        return _Table(shape, headers, records)
    if shape == "tsv":
        delimiter = "\t"
    else:
        header_line = lines[at]
        delimiter = max((",", ";"), key=lambda d: _csv_heading_score(header_line, d))
    example = Example(None, (Code('"Plans for 2015, with budget",KM Regional Coordinators,Dec 30'),))
    try:  # strict only to notice a quote never closed; other oddities are read leniently
        return _read_csv(shape, lines, at, delimiter, strict=True)
    except csv.Error as err:
        if "end of data" in str(err):
            raise BadInput("import_quote_open", example, quote=Code('"')) from None
    try:
        return _read_csv(shape, lines, at, delimiter, strict=False)
    except csv.Error:  # what a lenient reader still refuses: a cell past csv's size limit
        raise BadInput("import_cell_too_long", example, limit=csv.field_size_limit(), quote=Code('"')) from None


def _read_csv(shape: str, lines: list[str], at: int, delimiter: str, strict: bool) -> _Table:
    # Lines keep their ends so that a quoted cell keeps its line breaks.
    reader = csv.reader((line + "\n" for line in lines[at:]), delimiter=delimiter, strict=strict)
    headers = next(reader)
    records, notes = [], []
    width = sum(1 for h in headers if h.strip())
    after_gap = False
    for record in reader:
        if width >= 2 and len(record) == 1 and record[0].strip():
            # A line with no separator: the prose after the table. Right under a row it may also be
            # a row whose other cells were left off, so say where reading stopped.
            if not after_gap:
                line = " ".join(record[0].split())
                line = line if len(line) <= 60 else line[:57] + "…"
                kind = msg("import_tab") if delimiter == "\t" else f"“{delimiter}”"
                notes.append(msg("import_table_ends", line=line, kind=kind))
            break
        after_gap = not any(cell.strip() for cell in record)
        records.append(record)
    return _Table(shape, headers, records, notes)


def _csv_heading_score(line: str, delimiter: str) -> int:
    if delimiter not in line:
        return -1
    try:
        cells = next(csv.reader([line], delimiter=delimiter))
    except csv.Error:  # a cell past csv's size limit
        return -1
    fields = [header_field(c) for c in cells]
    return 10 * ("action" in fields) + sum(f is not None for f in fields)


def _read_word_table(lines: list[str], start: int, end: int) -> _Table:
    heading = lines[start:end]
    headers = [line.strip() for line in heading]
    width = len(headers)
    tab_mode = all(line.startswith("\t") for line in heading)

    def separator(line: str) -> bool:
        # With tab-indented cells, a line holding only a tab is an empty cell, not a gap.
        return not line.strip() and not (tab_mode and "\t" in line)

    records: list[list[str]] = []
    i, n = end, len(lines)
    while i < n:
        if separator(lines[i]):
            i += 1
            continue
        j = i
        while j < n and not separator(lines[j]):
            j += 1
        block = lines[i:j]
        if len(block) > width or (tab_mode and not all(line.startswith("\t") for line in block)):
            break  # not a row of this table: the table has ended
        records.append([line.strip() for line in block])
        i = j
    return _Table("word", headers, records)


# ---------------------------------------------------------------- rows


def _read_table(table: _Table, today: dt.date, date_order: str) -> ImportResult:
    warnings: list[Msg] = list(table.notes)
    columns: dict[str, list[int]] = {}
    for index, heading in enumerate(table.headers):
        if not heading.strip():
            continue
        name = header_field(heading)
        if name is None:
            warnings.append(msg("import_unknown_column", heading=heading.strip()))
        elif name in columns and name != "owner":
            first = table.headers[columns[name][0]].strip()
            warnings.append(msg("import_second_column", heading=heading.strip(), name=name, first=first))
        else:
            columns.setdefault(name, []).append(index)
    if "action" not in columns:  # defensive: headings are found by their action column
        raise BadInput("import_no_action_column", EXAMPLE_HEADER, expected=_EXPECTED["action"])

    date_order = _matrix_date_order(table, columns.get("date", []), date_order, warnings)
    dates: dict[str, tuple[Due, Msg | None, str | None]] = {}
    rows: list[ImportRow] = []
    number = 0
    for record in table.records:
        if not any(cell.strip() for cell in record):
            continue
        number += 1

        def cell(name: str, record: list[str] = record) -> str:  # this row's, bound now
            indexes = columns.get(name, [])  # ascending; only those this row reaches are looked at
            parts = [unguard(record[i]) for i in indexes[: bisect.bisect_left(indexes, len(record))]]
            return "\n".join(part for part in parts if part.strip())

        title = _clean_title(cell("action"))
        if not title:
            warnings.append(msg("import_row_skipped", row=number))
            continue
        row = ImportRow(number, title)
        if len(title) > MAX_TITLE:
            row.title = title[:MAX_TITLE].rstrip()
            row.warnings.append(msg("import_title_cut", size=len(title), limit=MAX_TITLE))
        owner_text = cell("owner")
        owner_date, owner_date_text, owner_text = _leading_date(owner_text, today, date_order)
        row.owners = split_owners(owner_text)

        date_text = " ".join(cell("date").split())
        if date_text not in dates:
            dates[date_text] = _read_due(date_text, today, date_order)
        row.due, date_warning, date_status = dates[date_text]
        if owner_date is not None:
            row.due, date_warning = _two_dates(owner_date, owner_date_text, row.due, date_text, date_warning)
            if not row.owners:
                row.warnings.append(msg("import_only_a_date", text=owner_date_text))
        if date_warning:
            row.warnings.append(date_warning)

        status_text = " ".join(cell("status").split())
        if status_text:
            row.status = _status(status_text)
            if row.status is None:
                row.warnings.append(msg("import_unknown_status", text=status_text))
        elif date_status:
            row.status = date_status
        row.region = " ".join(cell("region").split()) or None
        row.group = " ".join(cell("group").split()) or None
        rows.append(row)
    return ImportResult(rows, warnings, table.shape)


def _matrix_date_order(table: _Table, date_columns: list[int], date_order: str, notes: list[Msg]) -> str:
    """The order the matrix's dates are read in: the workspace's, unless a date in the date column can
    only be read the other way round (a French matrix's “31/01/2015” under month-first); then the other,
    for every date of the matrix, with a note saying so and why."""
    texts = (record[i] for record in table.records for i in date_columns if i < len(record))
    order, shown = order_shown_by(texts, date_order)
    if shown:
        notes.append(msg("import_date_order", order=order_name(order), shown=shown, usual=order_name(date_order)))
    return order


def _clean_title(text: str) -> str:
    title = " ".join(text.split())
    title = _BULLET.sub("", title)
    return title.rstrip(" .")  # spaces are collapsed; a `[\s.]+$` pattern would be quadratic


def _read_due(text: str, today: dt.date, date_order: str) -> tuple[Due, Msg | None, str | None]:
    """(due, warning, status implied by the cell)."""
    key = fold(text).rstrip(".!")
    if key in _NO_DATE_WORDS:
        return NO_DUE, None, None
    if key in _ONGOING_WORDS:
        return ONGOING, None, None
    status = _status(text)
    if status in ("done", "cancelled"):
        return NO_DUE, msg("import_date_says_status", text=text, status=status), status
    phrase = _DATE_LEAD.sub("", key)
    try:
        return parse_due(phrase, today, date_order), None, None
    except DateParseError:
        return NO_DUE, msg("import_date_unread", text=text), None


def _two_dates(owner_date: Due, owner_text: str, due: Due, date_text: str, date_warning: Msg | None) -> tuple[Due, Msg]:
    """A date written in the by-whom cell, next to whatever the date cell said."""
    owner_day = owner_date.date
    assert owner_day is not None  # the by-whom cell's date is a date
    if due.date is not None:
        if due.date == owner_day:
            return due, msg("import_owner_began_with_date", text=owner_text)
        kept = max(due.date, owner_day)
        return Due("date", kept), msg("import_two_dates", owner=owner_text, date=date_text, kept=format_date(kept))
    if due.kind == "ongoing":
        return due, msg("import_date_and_ongoing", owner=owner_text, date=date_text)
    if date_text and date_warning:  # the date cell was unreadable
        return owner_date, msg("import_used_owner_date", date=date_text, owner=owner_text, day=format_date(owner_day))
    return owner_date, msg("import_date_in_owner_cell", owner=owner_text, day=format_date(owner_day))


def _status(text: str) -> str | None:
    key = fold(text).strip(" .!")
    for status, words in _STATUS_WORDS.items():
        if key in words:
            return status
    return None


def _leading_date(text: str, today: dt.date, date_order: str) -> tuple[Due | None, str, str]:
    """A date at the start of a by-whom cell: (due, the date as written, the rest of the cell)."""
    if not text or not _DATE_START.match(text):
        return None, "", text
    spans = list(re.finditer(r"\S+", text[:200]))[:5]
    for k in range(len(spans), 0, -1):
        phrase = text[spans[0].start() : spans[k - 1].end()]
        if not any(c.isdigit() for c in phrase) or not any(c.isalnum() for c in spans[k - 1].group(0)):
            continue
        try:
            due = parse_due(phrase, today, date_order)
        except DateParseError:
            continue
        if due.kind != "date":
            continue
        rest = text[spans[k - 1].end() :].lstrip(" \t-–—:,;")
        return due, phrase.rstrip(" .,;:"), rest
    return None, "", text


# ---------------------------------------------------------------- owners


def _role_end(text: str) -> int | None:
    """Where the last job-title word in `text` ends, or None when there is none."""
    end = None
    for m in _WORD.finditer(text):
        word = fold(m.group(0))
        if word in _ROLE_WORDS or (word.endswith("s") and word[:-1] in _ROLE_WORDS):
            end = m.end()
    return end


def _strip_roles(chunk: str) -> str:
    """ "Jennifer Fergurson-Mitchel, Communications Officer and Tim" -> "Jennifer Fergurson-Mitchel and Tim"."""
    chunk = _PAREN.sub(lambda m: " " if _role_end(m.group(1)) is not None else m.group(0), chunk)
    out, pos = [], 0
    while (comma := chunk.find(",", pos)) != -1:
        head = chunk[pos:comma]
        nxt = chunk.find(",", comma + 1)
        span = chunk[comma + 1 :] if nxt == -1 else chunk[comma + 1 : nxt]
        role_end = _role_end(span)
        if role_end is None or not head.strip():
            out.append(chunk[pos : comma + 1])
            pos = comma + 1
            continue
        sep = _SOFT_SEP.search(span, role_end)
        out.append(head)
        pos = comma + 1 + (sep.start() if sep else len(span))
    out.append(chunk[pos:])
    return "".join(out)


def _clean_owner(piece: str) -> str:
    name = " ".join(piece.split()).strip(" .,:;-–—()[]\"'")
    return name.lstrip("@").strip()


def split_owners(text: str) -> list[str]:
    """The owners named in a by-whom cell, as written: people, roles or teams, without job titles.

    >>> split_owners("KM Coordinator and regional KM team")
    ['KM Coordinator', 'regional KM team']
    >>> split_owners("Jennifer Fergurson-Mitchel, Communications Officer")
    ['Jennifer Fergurson-Mitchel']
    """
    owners: dict[str, str] = {}
    for chunk in _HARD_SEP.split(text or ""):
        chunk = " ".join(chunk.split())
        for piece in _SOFT_SEP.split(_strip_roles(chunk)):
            for part in piece.split(","):
                name = _clean_owner(part)
                if name:
                    owners.setdefault(fold(name), name)
    return list(owners.values())
