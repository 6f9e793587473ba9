"""Counting the SQL statements an engine sends, with SQLAlchemy's `before_cursor_execute` event.

counter = StatementCounter(engine)
with counter:
    ...                      # every statement sent meanwhile is counted (BEGIN included)
counter.count, counter.heads  # how many, and the first words of each kind with its count
"""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import Engine, event

HEAD = re.compile(r"\s+")


class StatementCounter:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.count = 0
        self.heads: Counter = Counter()

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.count += 1
        self.heads[HEAD.sub(" ", statement).strip()[:90]] += 1

    def __enter__(self) -> "StatementCounter":
        self.count = 0
        self.heads = Counter()
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)
