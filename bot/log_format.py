"""The log format of every bot process: one record is one line, whatever text it carries.

A message is written with its control characters escaped (a newline in a name or a path becomes `\\n`)
and cut at MAX_MESSAGE characters, so no text from a request can start a line that reads as a record of
its own or make a line of megabytes. A stack trace keeps its lines (they come from our code), but each
exception's message in it is escaped the same way."""

from __future__ import annotations

import logging
import re
import traceback

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_MESSAGE = 2000

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text if len(text) <= limit else text[:limit] + "…"


def _trace_lines(exc: traceback.TracebackException):
    if exc.__cause__ is not None:
        yield from _trace_lines(exc.__cause__)
        yield "The above exception was the direct cause of the following exception:"
    elif exc.__context__ is not None and not exc.__suppress_context__:
        yield from _trace_lines(exc.__context__)
        yield "During handling of the above exception, another exception occurred:"
    yield "Traceback (most recent call last):"
    yield from "".join(exc.stack.format()).rstrip("\n").split("\n")
    yield one_line("".join(exc.format_exception_only()).rstrip("\n"))


class OneLineFormatter(logging.Formatter):
    """FORMAT, with every message on one line and exception messages escaped."""

    def __init__(self):
        super().__init__(FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)  # a copy: other handlers see the original
        record.msg, record.args = one_line(record.getMessage()), None
        record.exc_text = self.formatException(record.exc_info) if record.exc_info else None
        return super().format(record)

    def formatException(self, ei) -> str:
        return "\n".join(_trace_lines(traceback.TracebackException(*ei)))


def configure(level: int = logging.INFO) -> None:
    """Log to stderr in FORMAT, one line per record (the CLI's processes)."""
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter())
    logging.basicConfig(level=level, handlers=[handler])


# libraries whose INFO lines are machinery, not news for an operator: APScheduler's "Adding job
# tentatively" and its two lines a minute per sweep, waitress's "Serving on" (the start line says it),
# Alembic's plugins and migration steps (a failed migration still raises)
QUIET = ("apscheduler", "waitress", "alembic")


def quiet_libraries() -> None:
    """Only warnings and errors from QUIET: the log at INFO is the bot's own start line, each send and
    failure, and each request line."""
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
