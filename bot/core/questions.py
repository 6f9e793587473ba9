"""Questions asked in chat ("@actionbot what's open for LAC?", a DM saying "overdue"): text in, a
list query, a call for help, or "don't know" out.

The question arrives as typed command input (bot.core.command_input), the bot's own mention already
taken off by the adapter. Besides a few plain-English shapes, anything that is itself list filter
syntax is understood ("list region:LAC overdue", "mine group:KM", a person). Region names stay
unresolved here: the service looks them up and, for an unknown one, raises the BadInput that names
the known regions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.command_input import (
    SMART_QUOTES,
    Reference,
    Said,
    as_text,
    from_placeholders,
    with_placeholders,
)
from bot.core.errors import BadInput, too_long
from bot.core.grammar import LIST_SCOPES, VERBS, ListQuery, Token, parse_query, tokenize
from bot.messages import Code, Example, msg


@dataclass(frozen=True)
class Question:
    kind: str  # "list", "help" or "unknown"
    query: ListQuery | None = None  # for "list"


HELP = Question("help")
UNKNOWN = Question("unknown")

# The longest text read as a question; a longer one is refused before any pattern runs on it.
MAX_QUESTION = 2000
# Every pattern over the text is anchored at its start and free of nested quantifiers. Trailing words
# are taken off from the end by hand: an unanchored pattern ending in `$` is retried at every start,
# which is quadratic. The patterns read the text with each reference as one placeholder character
# (command_input.with_placeholders), which no word pattern matches.
FILLER_START = re.compile(r"^(?:(?:hey|hi|hello|ok|okay|so|please|pls)\b[\s,!]*)+", re.I)
FILLER_END = ("please", "pls", "thanks", "thank you", "thx")
TRAILING_PUNCTUATION = " .!?,;:"

HELP_TEXTS = re.compile(
    r"^(?:help|\?+|commands|usage|what can you do|how does (?:this|it) work|how do i use (?:this|you|it))$",
    re.I,
)
NOUN = r"(?:actions?|action items?|items?|tasks?|things?|ones|follow-?ups?|stuff)"
STATUS = r"(?P<status>open|overdue|late|done|closed|finished|completed|complete|cancell?ed)"
# "what's open for LAC", "what is open in Asia", "open items Asia", "overdue in LAC", "done",
# "which actions are overdue", "show me the open items for region Latin America", "my overdue actions"
LIST_QUESTION = re.compile(
    rf"""^
    (?:(?:what(?:'s|s)?|what\ (?:is|are)|which|show(?:\ me)?|list|give\ me|tell\ me|any(?:thing)?|are\ there)\s+)?
    (?:(?P<my>my)\s+)?
    (?:(?:all\ )?(?:the\ )?{NOUN}\s+(?:(?:are|is)\s+)?)?
    (?:(?:still|already|now)\s+)?
    {STATUS}
    (?:\s+{NOUN})?
    (?:\s+(?:are|is)\s+there)?
    (?:\s+(?P<tail>.+))?
    $""",
    re.I | re.X,
)
# "my actions", "mine", "what do I have", "what have I got", "what's on my plate"
MINE_QUESTION = re.compile(
    rf"""^(?:
        mine
      | (?:(?:what(?:'s|s)?|what\ (?:is|are)|show(?:\ me)?|list|give\ me)\s+)?(?:all\s+)?my\s+{NOUN}
      | what\ (?:do|have)\ i\ (?:have|got|own|owe)(?:\ to\ do)?
      | what(?:'s|s|\ is)\ on\ my\ plate
      | what\ am\ i\ (?:on\ the\ hook|responsible)\ for
    )
    (?:\s+(?P<tail>.+))?
    $""",
    re.I | re.X,
)
STATUS_WORDS = {
    "open": "open",
    "overdue": "overdue",
    "late": "overdue",
    "done": "done",
    "closed": "done",
    "finished": "done",
    "completed": "done",
    "complete": "done",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}
ME = {"me", "myself", "mine"}
CONNECTORS = {"for", "in", "of", "from", "at", "the", "region"}
NOT_A_REGION = re.compile(r"^(?:#?\d+|for|in|of|from|at|the|region|are|is|there|now|yet|so far)$", re.I)


def check_length(length: int) -> None:
    """Refuse a question of more than MAX_QUESTION characters (an adapter may check its own text first)."""
    if length > MAX_QUESTION:
        raise BadInput(
            msg(
                "with_advice",
                message=too_long(msg("field.question"), MAX_QUESTION, length),
                advice=msg("advice.question"),
            ),
            Example(None, (Code("what's open for LAC?"),)),
        )


def parse_question(what: Said, command: str | None = None) -> Question:
    """What a mention or a DM asks (without the bot's own mention: the adapter takes that off).

    `command` is the platform's name for the command (Slack's `/action`): a question may start with it.
    Raises BadInput only for text that is clearly meant as list command syntax but has a bad filter
    ("list region:LAC sometimes"), so the user learns what was wrong; anything else not understood is
    `Question("unknown")`, and text longer than MAX_QUESTION characters raises BadInput saying so."""
    check_length(len(as_text(what)))
    text, refs = with_placeholders(what)
    text = clean(text, command)
    if not text or HELP_TEXTS.match(text):
        return HELP
    if (m := MINE_QUESTION.match(text)) is not None:
        return _list(ListQuery(mine=True), m.group("tail"), refs)
    if (m := LIST_QUESTION.match(text)) is not None:
        return _list(_with_status(ListQuery(mine=bool(m.group("my"))), m.group("status")), m.group("tail"), refs)
    return _filter_syntax(text, refs)


def clean(text: str, command: str | None = None) -> str:
    """Without greetings, the command's name, and trailing `?`, `!` or `.`; a question ends at its
    first `?`."""
    text = " ".join((text or "").translate(SMART_QUOTES).split())
    if "?" in text.strip("?"):
        text = text.split("?", 1)[0]
    text = FILLER_START.sub("", text)
    text = text[: _end_of_question(text)]
    if command and (text.lower() == command.lower() or text.lower().startswith(command.lower() + " ")):
        text = text[len(command) :]
    return text.strip()


def _end_of_question(text: str) -> int:
    """Where `text` (spaces collapsed) ends without trailing punctuation and polite words ("overdue,
    please!" -> "overdue"); one pass back from the end."""
    end = _skip_back(text, len(text), TRAILING_PUNCTUATION)
    while True:
        word = next(
            (
                w
                for w in FILLER_END
                if end > len(w) and text[end - len(w) - 1] in " ," and text[end - len(w) : end].lower() == w
            ),
            None,
        )
        if word is None:
            return end
        end = _skip_back(text, _skip_back(text, end - len(word), " ,"), TRAILING_PUNCTUATION)


def _skip_back(text: str, end: int, chars: str) -> int:
    while end and text[end - 1] in chars:
        end -= 1
    return end


def _with_status(query: ListQuery, word: str) -> ListQuery:
    status = STATUS_WORDS[word.lower()]
    if status == "overdue":
        query.overdue = True
    else:
        query.status = status
    return query


def _list(query: ListQuery, tail: str | None, refs: tuple[Reference, ...]) -> Question:
    """A list question with what followed it: a status ("what do I have overdue"), a region after
    for/in ("for region Latin America"), "me", a person, or filters (`group:KM`)."""
    words, i = (tail or "").split(), 0
    while True:  # connectors and statuses, one word at a time: "for LAC", "overdue in Asia"
        while i < len(words) - 1 and words[i].lower() in CONNECTORS:
            i += 1
        if i == len(words):
            return Question("list", query)
        if words[i].lower() not in STATUS_WORDS:
            break
        query = _with_status(query, words[i])
        i += 1
    tail = " ".join(words[i:])
    if NOT_A_REGION.match(tail):
        return UNKNOWN
    if tail.lower() in ME:
        query.mine = True
        return Question("list", query)
    try:
        tokens = tokenize(from_placeholders(tail, refs))
    except BadInput:
        return UNKNOWN
    if all(_is_filter(t) for t in tokens):
        try:
            more = parse_query(tokens)
        except BadInput:
            return UNKNOWN
        return Question("list", _merge(query, more))
    # a region name, then perhaps filters: "for Latin America group:KM"
    cut = next((i for i, t in enumerate(tokens) if t.kind != "word" and t.kind != "quoted"), len(tokens))
    while cut > 1 and tokens[cut - 1].kind == "word" and tokens[cut - 1].raw.lower() in LIST_SCOPES:
        cut -= 1  # "in Latin America overdue"
    named, filters = tokens[:cut], tokens[cut:]
    if not all(_is_filter(t) for t in filters):
        return UNKNOWN
    region = " ".join(t.value if t.kind == "quoted" else t.raw for t in named).strip()
    if not region:
        return UNKNOWN
    query.region = region
    if filters:
        try:
            more = parse_query(filters)
        except BadInput:
            return UNKNOWN
        if more.region:
            return UNKNOWN  # two regions
        query = _merge(query, more)
    return Question("list", query)


def _merge(query: ListQuery, more: ListQuery) -> ListQuery:
    query.mine = query.mine or more.mine
    query.overdue = query.overdue or more.overdue
    if more.status != "open":
        query.status = more.status
    for name in ("region", "group", "meeting", "user_id", "owner_name"):
        if getattr(more, name):
            setattr(query, name, getattr(more, name))
    return query


def _filter_syntax(text: str, refs: tuple[Reference, ...]) -> Question:
    """`list region:LAC overdue`, or bare filters (`mine overdue`, `region:LAC`, a person)."""
    try:
        tokens = tokenize(from_placeholders(text, refs))
    except BadInput:
        return UNKNOWN
    if not tokens:
        return HELP
    first = tokens[0]
    if first.kind == "word" and first.raw.lower() in ("list", "ls"):
        return Question("list", parse_query(tokens[1:]))  # command syntax: a bad filter is explained
    if first.kind == "word" and VERBS.get(first.raw.lower()) == "list":  # "show …": maybe just talk
        tokens = tokens[2:] if len(tokens) > 1 and tokens[1].raw.lower() == "me" else tokens[1:]
    if all(_is_filter(t) for t in tokens):
        try:
            return Question("list", parse_query(tokens))
        except BadInput:
            return UNKNOWN
    return UNKNOWN


def _is_filter(token: Token) -> bool:
    """A token that can only be a list filter: a scope word, a filter option, or a person.
    A bare word is not: on its own, "hello" would read as a region name."""
    if token.kind == "word":
        return token.raw.lower() in LIST_SCOPES
    if token.kind == "option":
        return token.key in ("region", "group", "meeting", "owner")
    return token.kind == "user"
