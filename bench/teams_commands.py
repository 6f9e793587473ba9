"""Actionbot's Teams message-to-reply latency beside a bare Teams SDK echo bot, in one run.

    .venv/bin/python bench/teams_commands.py [--requests 300] [--warmup 20] [--json out.json]

The Bot Connector stand-in (handlers/teams/devkit) runs in this process. Two servers run as
subprocesses on loopback ports, one after the other against the same stand-in: `actionbot run
--no-scheduler` serving Teams (TEAMS_* pointing at the stand-in, a fresh SQLite database migrated by
`actionbot db upgrade`), and bench/teams_echo.py's echo bot (the same waitress, bridge and SDK App, a
handler that only echoes). One person sends signed personal-chat messages one at a time; for Actionbot,
alternately `list region:LAC` and `add … owner:… due … region:LAC` (no notifications: named owners).
A message's latency runs from just before its POST to the moment the stand-in records the reply
activity. Prints p50 and p99 in ms of each, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT), str(ROOT / "bench")):
    if path not in sys.path:
        sys.path.insert(0, path)

from teams_echo import measure as measure_echo  # noqa: E402
from teams_echo import percentile  # noqa: E402

from load import actionbot_executable, child_env  # noqa: E402

ADMIN = "bench.admin@contoso.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"actionbot run exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("actionbot run did not become healthy")


def measure_actionbot(args: argparse.Namespace) -> dict:
    from handlers.teams.devkit.driver import TeamsDriver
    from handlers.teams.devkit.standin import TeamsStandIn

    with TeamsStandIn() as standin, tempfile.TemporaryDirectory() as tmp:
        admin = standin.add_user("Bench Admin", tz="Europe/Rome", email=ADMIN)
        person = standin.add_user("Bench Person", tz="America/Bogota")
        port = free_port()
        env = child_env(
            DATABASE_URL=f"sqlite:///{Path(tmp) / 'bench.db'}",
            PORT=str(port),
            TEAMS_APP_ID=standin.app_id,
            TEAMS_APP_PASSWORD=standin.app_password,
            TEAMS_TENANT_ID=standin.tenant_id,
            TEAMS_OPENID_METADATA_URL=standin.metadata_url,
            TEAMS_TOKEN_URL=standin.token_url,
            TEAMS_ADMINS=ADMIN,
        )
        env.pop("CLIENT_SECRET", None)
        subprocess.run([actionbot_executable(), "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
        server = subprocess.Popen(
            [actionbot_executable(), "run", "--no-scheduler"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            wait_healthy(url, server)
            driver = TeamsDriver(standin, url + "/api/messages")

            def exchange(user: dict, text: str) -> float:
                activity = driver.message(user, text)
                authorization = standin.authorization()  # signing is the channel's work, not the bot's
                before = len(standin.sent_of("send"))
                started = time.monotonic()
                answer = driver.post(activity, authorization=authorization)
                if answer.status != 200:
                    raise SystemExit(f"actionbot answered {answer.status}")
                reply = standin.wait_for("send", before + 1)[-1]
                body = json.dumps(reply.body)
                if "⚠️" in body or "went wrong" in body:  # a fast wrong answer is not a result
                    raise SystemExit(f"actionbot refused {text!r}: {body[:300]}")
                return (reply.at - started) * 1000

            exchange(admin, 'region add "Latin America" alias:LAC tz:America/Bogota')
            latencies = {"list": [], "add": []}
            for n in range(args.warmup + args.requests):
                kind = "list" if n % 2 == 0 else "add"
                text = (
                    "list region:LAC"
                    if kind == "list"
                    else f'add Bench action {n} owner:"Bench Team" due Dec 5 region:LAC'
                )
                took = exchange(person, text)
                if n >= args.warmup:
                    latencies[kind].append(took)
        finally:
            server.terminate()
            server.wait(timeout=20)
    every = latencies["list"] + latencies["add"]
    summary = {
        k: {"p50_ms": round(statistics.median(v), 2), "p99_ms": round(percentile(v, 99), 2)}
        for k, v in latencies.items()
    }
    return {
        "requests": len(every),
        "p50_ms": round(statistics.median(every), 2),
        "p99_ms": round(percentile(every, 99), 2),
        "by_kind": summary,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--json", help="also write the result here")
    args = parser.parse_args(argv)
    echo = measure_echo(argparse.Namespace(requests=args.requests, warmup=args.warmup, threads=4))
    bot = measure_actionbot(args)
    print(f"bare Teams SDK echo bot, {echo['requests']} messages: p50 {echo['p50_ms']} ms, p99 {echo['p99_ms']} ms")
    print(f"Actionbot over Teams,   {bot['requests']} messages: p50 {bot['p50_ms']} ms, p99 {bot['p99_ms']} ms")
    for kind, figures in bot["by_kind"].items():
        print(f"  {kind:4}: p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms")
    print(
        f"ratio to the echo bot: p50 {bot['p50_ms'] / echo['p50_ms']:.2f}x, p99 {bot['p99_ms'] / echo['p99_ms']:.2f}x"
    )
    if args.json:
        Path(args.json).write_text(json.dumps({"echo": echo, "actionbot": bot}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
