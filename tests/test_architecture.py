"""Dependencies point one way: the store and the core never import Slack (Teams must fit later)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("slack_bolt", "slack_sdk", "handlers", "scheduler", "flask", "waitress")


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
    files = list((ROOT / "store").rglob("*.py")) + list((ROOT / "bot" / "core").rglob("*.py"))
    assert len(files) > 5
    offenders = {str(f.relative_to(ROOT)): sorted(n for n in imports(f) if n.split(".")[0] in FORBIDDEN) for f in files}
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
