"""What a deployer touches without running code: the Slack manifest, the Procfile, the README's commands."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_manifest_creates_the_app_the_code_expects():
    manifest = yaml.safe_load((ROOT / "manifest.yaml").read_text())
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/action"]
    assert commands[0]["should_escape"] is True  # the parser reads <@U…|name> and <#C…|name>
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True and settings["interactivity"]["is_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "commands",
        "chat:write",
        "im:write",
        "users:read",
        "app_mentions:read",
        "im:history",
        "users:read.email",
        "files:write",
    } <= scopes
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_home_opened", "app_mention", "message.im"}
    (shortcut,) = manifest["features"]["shortcuts"]
    from handlers.slack.shortcuts.create_from_message import CALLBACK

    assert (shortcut["type"], shortcut["callback_id"]) == ("message", CALLBACK)
    # every Web API method the handlers call needs one of these scopes
    handlers = " ".join(p.read_text() for p in (ROOT / "handlers").rglob("*.py") if "devkit" not in p.parts)
    assert "conversations_open" in handlers and "users_info" in handlers and "chat_postMessage" in handlers


def test_procfile_names_real_commands():
    entries = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert set(entries) == {"web", "clock", "release"}
    for name, command in entries.items():
        argv = shlex.split(command)
        assert argv[0] == "actionbot"
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli", *argv[1:], "--help"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert done.returncode == 0, f"{name}: {done.stderr}"


def test_readme_names_the_two_commands_ci_runs():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test$", ci, re.M)
