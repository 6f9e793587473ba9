"""The core words nothing for a platform: no `/action`, no backquoted code and no Slack bold in the string
literals of bot/core (docstrings aside), nor in the message catalogues; every message the code names
exists in the English catalogue, and every English message is named somewhere."""

import ast
import re
from pathlib import Path

from bot.messages import CATALOGUES, en

ROOT = Path(__file__).resolve().parent.parent
SLACK_WORDING = re.compile(
    r"/action\b"  # Slack's slash command
    r"|`[^`\n]+`"  # code font
    r"|(?<![\w*\\])\*[A-Za-z#][\w #]*\*(?![\w*])"  # *bold*
    r"|<[@#!][A-Za-z0-9]"  # Slack references
)
NAMING = {"msg", "BadInput", "NotFound", "NotAllowed", "UserError", "Msg"}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _literals(path: Path):
    tree = ast.parse(path.read_text())
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node


def test_the_core_writes_no_platform_wording():
    found = []
    for path in sorted((ROOT / "bot" / "core").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        for node in _literals(path):
            if SLACK_WORDING.search(node.value):
                found.append(f"{name}:{node.lineno}: {node.value[:60]!r}")
    assert found == []


def test_the_catalogues_are_neutral():
    for locale, catalogue in CATALOGUES.items():
        worded = {k: t for k, t in catalogue.items() if SLACK_WORDING.search(t)}
        assert worded == {}, locale


def _named_keys() -> set[str]:
    """Every catalogue key a literal names where a message is made (msg("…"), BadInput("…"), …), plus
    the keys kept in tables (a literal that is a key and sits anywhere else)."""
    keys = set()
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            if path.parent.name == "messages":
                continue
            for node in _literals(path):
                if node.value in en.MESSAGES:
                    keys.add(node.value)
    return keys


def test_every_named_message_exists_and_every_message_is_named():
    tree_keys = set()
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) in NAMING
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)
                ):
                    tree_keys.add((str(path.relative_to(ROOT)), node.args[0].value))
    missing = sorted(f"{p}: {k}" for p, k in tree_keys if k not in en.MESSAGES)
    assert missing == []
    unused = sorted(set(en.MESSAGES) - _named_keys())
    assert unused == []
