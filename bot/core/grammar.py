"""The `/action` command grammar: typed command input (bot.core.command_input) in, a structured command
out.

Only syntax lives here; names (regions, dates, numbers that exist) are resolved by the service,
which knows the workspace and the day. An option such as `owner:`, `lead:` or `channel:` followed
directly by a reference (a person, a channel) takes the reference as its value.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from bot.core.command_input import (
    SMART_QUOTES,
    ChannelRef,
    PersonRef,
    Reference,
    Said,
    as_text,
    clean,
    placeholders_as_text,
    reference_at,
    said,
    with_placeholders,
)
from bot.core.errors import BadInput, too_long
from bot.messages import Code, Example, Opt, Person, msg

MAX_TITLE = 500
MAX_NOTE = 2000
MAX_COMMAND = 4000  # characters of a command (a slash command's own cap on Slack)

VERBS = {
    "add": "add",
    "new": "add",
    "create": "add",
    "list": "list",
    "ls": "list",
    "show": "list",
    "done": "done",
    "complete": "done",
    "close": "done",
    "finish": "done",
    "reopen": "reopen",
    "open": "reopen",
    "cancel": "cancel",
    "drop": "cancel",
    "note": "note",
    "comment": "note",
    "assign": "assign",
    "due": "due",
    "reschedule": "due",
    "edit": "edit",
    "region": "region",
    "regions": "region",
    "summary": "summary",
    "report": "summary",
    "settings": "settings",
    "setting": "settings",
    "config": "settings",
    "snooze": "snooze",
    "import": "import",
    "export": "export",
    "calendar": "calendar",
    "ical": "calendar",
    "help": "help",
    "?": "help",
}
ACTION_KEYS = {"owner", "due", "region", "group", "meeting", "title"}
LIST_SCOPES = {
    "mine": ("mine", None),
    "my": ("mine", None),
    "open": ("status", "open"),
    "all": ("status", "all"),
    "done": ("status", "done"),
    "closed": ("status", "done"),
    "cancelled": ("status", "cancelled"),
    "canceled": ("status", "cancelled"),
    "overdue": ("overdue", None),
    "late": ("overdue", None),
}
ONGOING_WORDS = {"ongoing", "on-going", "continuous"}

# Over the text with each reference as one placeholder character (command_input.with_placeholders)
REF = "[\U000f0000-\U000ffffd]"
TOKEN = re.compile(
    rf'(?P<key>[A-Za-z]+):(?P<value>"[^"]*"|{REF}|\S+)'
    r'|(?P<quoted>"[^"]*")'
    rf"|(?P<ref>{REF})"
    r"|(?P<word>\S+)"
)


@dataclass
class Token:
    """One token as it reads: `raw` is the text typed, a reference in it read as "@name" or "#name"."""

    kind: str  # "option", "quoted", "user", "channel", "ref" (any other reference) or "word"
    raw: str
    key: str | None = None
    value: str = ""  # option value (unquoted), quoted text, or a user's or channel's ID; empty for words
    ref: Reference | None = None  # a "user" or "channel" token's reference; an option's, when it is its value


@dataclass
class ActionSpec:
    """What a user said about an action: everything optional, names unresolved."""

    title: str = ""
    user_owners: list[str] = field(default_factory=list)
    named_owners: list[str] = field(default_factory=list)
    due_phrase: str | None = None
    region: str | None = None
    group: str | None = None
    meeting: str | None = None
    note: str | None = None  # a first note (forms)
    permalink: str | None = None  # the message it was made from (message shortcut)
    status: str | None = None  # imports may bring done or cancelled rows


@dataclass
class ListQuery:
    status: str = "open"  # open, done, cancelled, all
    mine: bool = False
    overdue: bool = False
    region: str | None = None
    group: str | None = None
    meeting: str | None = None
    user_id: str | None = None
    owner_name: str | None = None

    def as_input(self) -> Said:
        """The query back as command input, e.g. `mine region:LAC` (an adapter renders it in its own
        markup, to show it or to repeat it)."""
        parts: list[str] = []
        if self.mine:
            parts.append("mine")
        if self.overdue:
            parts.append("overdue")
        elif self.status != "open":
            parts.append(self.status)
        for key in ("region", "group", "meeting"):
            if value := getattr(self, key):
                parts.append(f"{key}:{quote(value)}")
        if self.owner_name:
            parts.append(f"owner:{quote(self.owner_name)}")
        if not self.user_id:
            return said(" ".join(parts))
        return said(" ".join([*parts, ""]), PersonRef(self.user_id))


@dataclass
class Command:
    verb: str
    number: int | None = None
    spec: ActionSpec | None = None
    query: ListQuery | None = None
    text: str | None = None  # a note's text, the phrase of `due`, or region arguments
    tokens: list[Token] = field(default_factory=list)


def words(text: str) -> tuple[str, ...]:
    """The words of an example's text, each one argument."""
    return tuple(text.split())


def quote(value: str) -> str:
    return f'"{value}"' if re.search(r"\s", value) else value


def tokenize(what: Said) -> list[Token]:
    """The tokens of typed input: options (`key:value`), quoted text, references and words."""
    try:
        text, refs = with_placeholders(what)
    except ValueError:
        raise BadInput("too_many_references") from None
    text = clean(text).translate(SMART_QUOTES)
    if text.count('"') % 2:
        raise BadInput(
            "quote_open",
            Example("add", (*words("Draft the report"), Opt("owner", "KM Regional Coordinators"))),
            quote=Code('"'),
        )
    tokens = []
    for m in TOKEN.finditer(text):
        raw = placeholders_as_text(m.group(0), refs)
        if m.group("key") and m.group("key").lower() in KNOWN_KEYS:
            value = m.group("value")
            if value.startswith('"'):
                value = value[1:-1]
            ref = reference_at(value, refs)
            tokens.append(Token("option", raw, m.group("key").lower(), placeholders_as_text(value, refs), ref))
        elif m.group("quoted"):
            tokens.append(Token("quoted", raw, value=raw[1:-1]))
        elif m.group("ref"):
            ref = reference_at(m.group(0), refs)
            if isinstance(ref, PersonRef):
                tokens.append(Token("user", raw, value=ref.user_id, ref=ref))
            elif isinstance(ref, ChannelRef):
                tokens.append(Token("channel", raw, value=ref.channel_id, ref=ref))
            else:
                tokens.append(Token("ref", raw, ref=ref))
        else:
            tokens.append(Token("word", raw))
    return tokens


KNOWN_KEYS = ACTION_KEYS | {"channel", "lead", "tz", "days", "summary", "alias", "name", "nudges", "repeat", "escalate"}


def check_length(length: int) -> None:
    """Refuse a command of more than MAX_COMMAND characters (an adapter may check its own text first)."""
    if length > MAX_COMMAND:
        raise BadInput(
            msg(
                "with_advice",
                message=too_long(msg("field.command"), MAX_COMMAND, length),
                advice=msg("advice.command"),
            ),
            Example("note", ("12", *words("Budget confirmed by Tim"))),
        )


def parse(what: Said) -> Command:
    """Parse a command (what follows `/action` on Slack)."""
    check_length(len(as_text(what)))
    tokens = tokenize(what)
    if not tokens:
        return Command("help")
    first = tokens[0]
    verb = VERBS.get(first.raw.lower()) if first.kind == "word" else None
    if verb is None:
        raise BadInput("unknown_command", Example("help"), word=first.raw)
    rest = tokens[1:]
    if verb == "add":
        if not rest:  # no text: the form
            return Command("add")
        return Command("add", spec=parse_spec(rest, need_title=True), tokens=rest)
    if verb == "list":
        return Command("list", query=parse_query(rest), tokens=rest)
    if verb in ("help", "region", "settings", "calendar"):
        return Command(verb, tokens=rest)
    if verb == "import":
        if rest:
            raise BadInput("import_takes_nothing", Example("import"), verb=Code("import"), command=Example("import"))
        return Command("import")
    if verb == "export":
        return Command("export", query=parse_query(rest), tokens=rest)
    if verb == "summary":
        query = parse_query(rest)
        if query != ListQuery(region=query.region):
            raise BadInput("summary_takes_region", Example("summary", ("region:LAC",)), verb=Code("summary"))
        return Command("summary", query=query)
    number, rest = take_number(verb, rest)
    if verb == "snooze":
        until = rest[0].raw.lower() if len(rest) == 1 else ""
        if until not in ("day", "tomorrow", "week"):
            raise BadInput("snooze_until", Example("snooze", (str(number), "week")), day=Code("day"), week=Code("week"))
        return Command("snooze", number=number, text="week" if until == "week" else "day")
    if verb in ("done", "reopen", "cancel"):
        if rest:
            raise BadInput("only_number", Example(verb, (str(number),)), verb=Code(verb))
        return Command(verb, number=number)
    if verb == "note":
        note = " ".join(t.raw for t in rest).strip()
        if not note:
            raise BadInput("note_needs_text", Example("note", (str(number), *words("Budget confirmed by Tim"))))
        if len(note) > MAX_NOTE:
            raise BadInput("note_too_long", limit=MAX_NOTE)
        return Command("note", number=number, text=note)
    if verb == "due":
        phrase = " ".join(t.value if t.kind == "option" else t.raw for t in rest).strip()
        if not phrase:
            raise BadInput("which_date", Example("due", (str(number), "Dec", "20")))
        return Command("due", number=number, text=phrase)
    if verb == "assign":
        spec = parse_spec(rest, need_title=False)
        if spec.title or spec.due_phrase or spec.region or spec.group or spec.meeting:
            raise BadInput(
                "assign_only_owners",
                Example("assign", (str(number), Person("lina"), Opt("owner", "KM Regional Coordinators"))),
                verb=Code("assign"),
            )
        if not spec.user_owners and not spec.named_owners:
            raise BadInput("assign_whom", Example("assign", (str(number), Person("lina"))))
        return Command("assign", number=number, spec=spec)
    # edit
    if not rest:  # no changes given: the form, prefilled
        return Command("edit", number=number)
    spec = parse_spec(rest, need_title=False)
    if spec.user_owners or spec.named_owners:
        raise BadInput("owners_with_assign", Example("assign", (str(number), Person("lina"))), verb=Code("assign"))
    if not (spec.title or spec.due_phrase or spec.region or spec.group or spec.meeting):
        raise BadInput(
            "edit_what",
            Example(
                "edit", (str(number), Opt("title", "Draft the KM strategy"), "due", "Dec", "20", Opt("region", "LAC"))
            ),
        )
    return Command("edit", number=number, spec=spec)


def take_number(verb: str, tokens: list[Token]) -> tuple[int, list[Token]]:
    example = {
        "note": Example("note", ("12", "Budget", "confirmed")),
        "due": Example("due", ("12", "Dec", "20")),
        "assign": Example("assign", ("12", Person("lina"))),
        "edit": Example("edit", ("12", Opt("title", "New title"))),
    }.get(verb, Example(verb, ("12",)))
    if not tokens or tokens[0].kind != "word" or not re.fullmatch(r"#?\d{1,9}", tokens[0].raw):
        got = msg("which_action.not_one", word=tokens[0].raw) if tokens else msg("empty")
        raise BadInput("which_action", example, got=got)
    return int(tokens[0].raw.lstrip("#")), tokens[1:]


def _set_once(spec, name: str, value: str) -> None:
    if getattr(spec, name):
        raise BadInput("given_twice", Example(None, (Opt(name, value),)), option=Code(name))
    setattr(spec, name, value)


def _is_keyword_word(token: Token | None) -> bool:
    return token is not None and token.kind == "word" and token.raw.lower() in {"due"} | ONGOING_WORDS


def _ends_phrase(token: Token | None) -> bool:
    """After `ongoing`, only the end or another keyword/option/owner may follow."""
    return token is None or token.kind in ("option", "user") or _is_keyword_word(token)


def parse_spec(tokens: list[Token], need_title: bool) -> ActionSpec:
    spec = ActionSpec()
    title: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        low = tok.raw.lower()
        if tok.kind == "option":
            value = tok.value.strip()
            if not value:
                raise BadInput("needs_value", Example(None, (Opt(tok.key or "", '"…"'),)), option=Opt(tok.key or ""))
            if tok.key == "owner":
                if isinstance(tok.ref, PersonRef):
                    spec.user_owners.append(tok.ref.user_id)
                else:
                    spec.named_owners.append(value)
            elif tok.key == "due":
                _set_once(spec, "due_phrase", value)
            elif tok.key == "title":
                title.append(tok.value)
            elif tok.key in ("region", "group", "meeting"):
                _set_once(spec, tok.key, value)
            else:
                raise BadInput(
                    "action_option_unknown",
                    Example("add", (*words("Draft the plan"), Person("lina"), *words("due Nov 30 region:LAC"))),
                    option=Opt(tok.key or ""),
                )
        elif tok.kind == "word" and low == "due" and nxt is not None and nxt.kind == "word":
            j = i + 1
            while j < len(tokens) and tokens[j].kind == "word" and not _is_keyword_word(tokens[j]):
                j += 1
            _set_once(spec, "due_phrase", " ".join(t.raw for t in tokens[i + 1 : j]))
            i = j
            continue
        elif tok.kind == "word" and low in ONGOING_WORDS and _ends_phrase(nxt):
            _set_once(spec, "due_phrase", "ongoing")
        elif (
            tok.kind == "word"
            and low == "on"
            and nxt is not None
            and nxt.raw.lower() == "going"
            and _ends_phrase(tokens[i + 2] if i + 2 < len(tokens) else None)
        ):
            _set_once(spec, "due_phrase", "ongoing")
            i += 2
            continue
        elif tok.kind == "user":
            prev = tokens[i - 1] if i else None
            inside_title = (
                prev is not None
                and prev.kind in ("word", "quoted")
                and title
                and nxt is not None
                and nxt.kind == "word"
                and not _is_keyword_word(nxt)
            )
            if inside_title:
                title.append(tok.raw)
            else:
                spec.user_owners.append(tok.value)
        elif tok.kind == "quoted":
            title.append(tok.value)
        else:
            title.append(tok.raw)
        i += 1
    spec.title = " ".join(part.strip() for part in title if part.strip()).strip()
    if need_title and not spec.title:
        raise BadInput(
            "needs_title",
            Example(
                "add", (*words("Draft the KM global strategy"), Person("lina"), *words("due Nov 30 region:Global"))
            ),
        )
    if len(spec.title) > MAX_TITLE:
        raise BadInput("title_too_long", limit=MAX_TITLE, size=len(spec.title))
    spec.user_owners = list(dict.fromkeys(spec.user_owners))  # once each, first place kept
    spec.named_owners = list(dict.fromkeys(spec.named_owners))
    return spec


def parse_query(tokens: list[Token]) -> ListQuery:
    query = ListQuery()
    for tok in tokens:
        low = tok.raw.lower()
        if tok.kind == "word" and low in LIST_SCOPES:
            kind, status = LIST_SCOPES[low]
            if kind == "mine":
                query.mine = True
            elif kind == "overdue":
                query.overdue = True
            else:
                assert status is not None  # every status scope names its status
                query.status = status
        elif tok.kind == "option" and tok.key in ("region", "group", "meeting", "owner"):
            value = tok.value.strip()
            if tok.key == "owner" and isinstance(tok.ref, PersonRef):
                query.user_id = tok.ref.user_id
            elif tok.key == "owner":
                query.owner_name = value
            else:
                setattr(query, tok.key, value)
        elif tok.kind == "user":
            if query.user_id and query.user_id != tok.value:
                raise BadInput("one_person", Example("list", (Person("lina"),)))
            query.user_id = tok.value
        elif tok.kind in ("word", "quoted") and not query.region:
            # friendly variant: `/action list LAC` means region:LAC; a bare word one letter or so from a
            # filter word (`overdu`) is a typo of it, not a region (`region:overdu` still names one)
            close = difflib.get_close_matches(low, LIST_SCOPES, n=1, cutoff=0.8) if tok.kind == "word" else []
            if close:
                raise BadInput(
                    "filter_did_you_mean",
                    Example("list", words("mine overdue region:LAC group:KM")),
                    word=tok.raw,
                    filter=Code(close[0]),
                    region=Code(f"region:{tok.raw}"),
                )
            query.region = tok.value if tok.kind == "quoted" else tok.raw
        else:
            raise BadInput("cannot_filter", Example("list", words("mine overdue region:LAC group:KM")), word=tok.raw)
    return query
