"""The command line's argument parser: argparse, with its bare rejections turned into suggestions (the
nearest flag or command to what was typed; a filter written as a flag, `--region LAC`, shown as the
filter `region:LAC`)."""

from __future__ import annotations

import argparse
import difflib
import re
from typing import NoReturn

# a flag some commands take as a filter word instead (`list --region LAC` → `list region:LAC`)
FILTER_FLAGS = ("region", "group", "meeting", "owner")
_INVALID_CHOICE = re.compile(r"invalid choice: '([^']*)'")


class Parser(argparse.ArgumentParser):
    """argparse.ArgumentParser whose rejections say what was probably meant."""

    argv: list[str] = []  # the arguments being parsed (a rejection names what was typed)
    root_flags: set[str] = set()  # `actionbot`'s own (--debug), given before the command

    def parse_args(self, args=None, namespace=None):
        import sys

        argv = list(sys.argv[1:] if args is None else args)
        Parser.argv = argv
        Parser.root_flags = {s for a in self._actions for s in a.option_strings}
        parsed, extras = self.parse_known_args(argv, namespace)
        if extras:
            leaf = self.leaf(parsed)
            leaf.error(leaf.unrecognized(extras, argv))
        return parsed

    def leaf(self, parsed: argparse.Namespace) -> Parser:
        """The (sub)command's own parser that `parsed` was read by."""
        parser: Parser = self
        while True:
            sub = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
            name = getattr(parsed, sub.dest, None) if sub is not None else None
            if sub is None or name not in sub.choices:
                return parser
            parser = sub.choices[name]

    def flags(self) -> list[str]:
        return [s for a in self._actions for s in a.option_strings if s.startswith("--")]

    def unrecognized(self, extras: list[str], argv: list[str]) -> str:
        first = next((e for e in extras if e.startswith("-")), extras[0])
        said = f"unrecognized argument{'s' if len(extras) > 1 else ''}: {' '.join(extras)}"
        if not first.startswith("-"):
            return said
        flag, _, value = first.partition("=")
        name = flag.lstrip("-")
        takes_filters = any(a.dest == "filters" for a in self._actions)
        if takes_filters and name in FILTER_FLAGS:
            at = argv.index(first) if first in argv else len(argv)
            after = value or (argv[at + 1] if at + 1 < len(argv) and not argv[at + 1].startswith("-") else "")
            return f"{said}; filters are words here: write {name}:{after or '…'}"
        close = difflib.get_close_matches(flag, self.flags(), n=1, cutoff=0.6)
        return f"{said}; did you mean {close[0]}?" if close else f"{said} (see {self.prog} --help)"

    def error(self, message: str) -> NoReturn:
        # `sweep --dryrun`: argparse first misses the required --now; the flag it did not know comes first
        known = {s for a in self._actions for s in a.option_strings} | Parser.root_flags
        strays = [a for a in Parser.argv if a.startswith("--") and a.partition("=")[0] not in known]
        if strays and message.startswith("the following arguments are required") and self.flags():
            message = self.unrecognized(strays, Parser.argv)
        m = _INVALID_CHOICE.search(message)
        sub = next((a for a in self._actions if isinstance(a, argparse._SubParsersAction)), None)
        if m and sub is not None:
            close = difflib.get_close_matches(m.group(1), list(sub.choices), n=1, cutoff=0.6)
            if close:
                message = f"no command “{m.group(1)}”; did you mean {self.prog} {close[0]}?"
        super().error(message)
