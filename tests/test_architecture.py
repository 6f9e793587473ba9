"""Dependencies point one way: the store and the core know no chat platform (no platform library, no
platform markup, no platform ID shape), and nothing in bot/ but the composition root imports the
platforms' adapters (handlers/)."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("slack_bolt", "slack_sdk", "botbuilder", "msal", "handlers", "scheduler", "flask", "waitress")
# Where bot/ wires the platforms in: the only modules of bot/ that may import handlers/
COMPOSITION_ROOT = {
    "bot/runtime.py",
    "bot/platforms.py",
    "bot/demo.py",
    "bot/demo_teams.py",
}  # the demo drives both stand-ins
# What a platform's text or IDs look like, as source text would say it (a pattern or a literal)
PLATFORM_SHAPES = {
    "a Slack user mention": r"<@",
    "a Slack channel link": r"<#",
    "a Slack special mention": r"<![a-z]",
    "a Slack ID pattern": r"\[UW\]|\bC\[A-Z|\bT\[A-Z|\bU\[A-Z",
    "Block Kit": r"mrkdwn|[\"']blocks[\"']|plain_text|[\"']section[\"']",
    "a Teams mention or ID shape": r"<at>|@thread\\?\.",
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_store_and_core_are_platform_neutral():
    files = core_and_store_files()
    assert len(files) > 5
    offenders = {str(f.relative_to(ROOT)): sorted(n for n in imports(f) if n.split(".")[0] in FORBIDDEN) for f in files}
    assert {f: n for f, n in offenders.items() if n} == {}


def core_and_store_files() -> list[Path]:
    return list((ROOT / "store").rglob("*.py")) + list((ROOT / "bot" / "core").rglob("*.py"))


def test_store_and_core_know_no_platform_markup_or_id_shape():
    files = core_and_store_files()
    assert len(files) > 5
    found = [
        f"{f.relative_to(ROOT)}:{n}: {what}"
        for f in files
        for n, line in enumerate(f.read_text().splitlines(), 1)
        for what, pattern in PLATFORM_SHAPES.items()
        if re.search(pattern, line)
    ]
    assert found == []


@pytest.mark.parametrize(
    "line, what",
    [
        ('USER_REF = re.compile(r"^@([UW][A-Z0-9]+)")', "a Slack ID pattern"),
        ('parts.append(f"<@{self.user_id}>")', "a Slack user mention"),
        ('return "<!here>"', "a Slack special mention"),
        ('{"type": "mrkdwn", "text": text}', "Block Kit"),
        ('{"blocks": []}', "Block Kit"),
        (r'CHANNEL = re.compile(r"^19:.*@thread\.tacv2$")', "a Teams mention or ID shape"),
        ("text = f'<at>{name}</at>'", "a Teams mention or ID shape"),
    ],
)
def test_the_shapes_are_recognised(line, what):
    assert re.search(PLATFORM_SHAPES[what], line)
    assert not re.search(PLATFORM_SHAPES[what], '_MD_SPLIT = re.compile(r"(?<!\\\\)\\|")  # blocks of rows')


def test_outside_the_composition_root_nothing_in_bot_imports_handlers():
    files = [f for f in (ROOT / "bot").rglob("*.py") if str(f.relative_to(ROOT)) not in COMPOSITION_ROOT]
    assert len(files) > 5
    offenders = {
        str(f.relative_to(ROOT)): sorted(n for n in imports(f) if n.split(".")[0] == "handlers") for f in files
    }
    assert {f: n for f, n in offenders.items() if n} == {}


def test_store_does_not_import_the_core():
    for f in (ROOT / "store").rglob("*.py"):
        assert not any(n.split(".")[0] == "bot" for n in imports(f)), f


def test_every_module_says_its_role():
    for package in ("bot", "handlers", "store", "scheduler"):
        for f in (ROOT / package).rglob("*.py"):
            if f.name == "__init__.py" and not f.read_text().strip():
                continue
            assert ast.get_docstring(ast.parse(f.read_text())), f"{f} has no module docstring"
