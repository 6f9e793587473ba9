"""Message-to-reply latency of a bare Teams SDK echo bot on Actionbot's server stack: the floor that
Actionbot's Teams path is compared with.

    .venv/bin/python bench/teams_echo.py [--requests 300] [--warmup 20] [--threads 4] [--json out.json]

The Bot Connector stand-in (handlers/teams/devkit) runs in this process; the echo bot runs as a
subprocess on a loopback port, served as Actionbot serves Teams: waitress (bot/http_server.py), the
bridge (handlers/teams/bridge.py: the body cap, the Bot Framework token check against the stand-in's
OpenID metadata, the hop onto the process's event-loop thread), and the Teams SDK's App routing an
`on_message` handler that replies with `ctx.send` through the Bot Connector client (our token provider,
our retries). One client sends signed personal-chat messages one at a time; a message's latency runs
from just before its POST to the moment the stand-in records the reply. Prints p50 and p99 in ms.

`--serve` is the subprocess's own mode (not for direct use).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def serve(args: argparse.Namespace) -> None:
    """The echo bot: waitress + the bridge + a bare SDK App."""
    from bot.http_server import FreeThreadServer, listening_socket
    from handlers.teams.auth import BotFrameworkAuth, SigningKeys
    from handlers.teams.bridge import TeamsBridge, wsgi_app
    from handlers.teams.connector import BotConnector, ClientCredentials
    from handlers.teams.sdk_app import SdkHandler, make_app

    credentials = ClientCredentials(args.app_id, os.environ["BENCH_TEAMS_APP_PASSWORD"], args.token_url)
    connector = BotConnector(credentials)
    app = make_app(credentials, connector)

    @app.on_message
    async def echo(ctx):
        await ctx.send(f"echo: {ctx.activity.text}")

    bridge = TeamsBridge(BotFrameworkAuth(args.app_id, SigningKeys(args.metadata_url)), SdkHandler(app))
    sock = listening_socket("127.0.0.1", 0)
    server = FreeThreadServer(wsgi_app(bridge), sock, threads=args.threads)
    Path(args.port_file).write_text(str(sock.getsockname()[1]))
    server.run()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def _reply_to(text: str):
    def matches(sent) -> bool:
        return isinstance(sent.body, dict) and sent.body.get("text") == "echo: " + text

    return matches


def measure(args: argparse.Namespace) -> dict:
    from handlers.teams.devkit.driver import TeamsDriver
    from handlers.teams.devkit.standin import TeamsStandIn

    with TeamsStandIn() as standin, tempfile.TemporaryDirectory() as tmp:
        person = standin.add_user("Bench Person", tz="Europe/Rome")
        port_file = Path(tmp) / "port"
        env = {**os.environ, "BENCH_TEAMS_APP_PASSWORD": standin.app_password}
        env.pop("CLIENT_SECRET", None)  # the SDK would prefer MSAL to our token provider
        command = [
            sys.executable,
            __file__,
            "--serve",
            "--app-id", standin.app_id,
            "--metadata-url", standin.metadata_url,
            "--token-url", standin.token_url,
            "--threads", str(args.threads),
            "--port-file", str(port_file),
        ]  # fmt: skip
        server = subprocess.Popen(command, env=env, cwd=ROOT)
        try:
            deadline = time.monotonic() + 30
            while not port_file.exists() or not port_file.read_text():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the echo bot did not start")
                time.sleep(0.05)
            driver = TeamsDriver(standin, f"http://127.0.0.1:{port_file.read_text()}/api/messages")
            latencies = []
            for n in range(args.warmup + args.requests):
                text = f"message {n}"
                activity = driver.message(person, text)
                authorization = standin.authorization()  # signing is the channel's work, not the bot's
                started = time.monotonic()
                answer = driver.post(activity, authorization=authorization)
                if answer.status != 200:
                    raise SystemExit(f"the echo bot answered {answer.status}")
                (reply,) = standin.wait_for("send", predicate=_reply_to(text))
                if n >= args.warmup:
                    latencies.append((reply.at - started) * 1000)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return {
        "requests": len(latencies),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "threads": args.threads,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--json", help="also write the result here")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--app-id", help=argparse.SUPPRESS)
    parser.add_argument("--metadata-url", help=argparse.SUPPRESS)
    parser.add_argument("--token-url", help=argparse.SUPPRESS)
    parser.add_argument("--port-file", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args)
        return 0
    result = measure(args)
    print(
        f"bare Teams SDK echo bot, {result['requests']} messages: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
