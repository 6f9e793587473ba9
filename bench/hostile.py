"""Hostile text against `actionbot run`: how long a huge DM takes to answer, and how long someone else's
`/action help` takes meanwhile.

    .venv/bin/python bench/hostile.py [--repeat 5] [--threads N]

A fresh SQLite database, the Slack stand-in in this process and `actionbot run --no-scheduler` as a
subprocess on a loopback port (bench/load.py's). For each text, --repeat times: a signed DM event with
that text is posted and, at the same moment from another thread, a signed `/action help`. The DM is timed from
its POST until the stand-in receives the answer in its thread (`chat.postMessage`), the help from its
POST to its reply. The texts: the issue's `", " * 10000 + "x"` (20,001 characters, refused at the
question cap), 20,000 characters of other adversarial shapes, and the same shapes just under the cap
(1,999 characters, parsed in full). Prints median and worst in ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (str(ROOT), str(ROOT / "bench")):
    if path not in sys.path:
        sys.path.insert(0, path)

from handlers.slack.devkit.requests import event_body, post_signed, slash_command_body  # noqa: E402
from handlers.slack.devkit.standin import SlackStandIn  # noqa: E402

from load import BotProcess, child_env, fresh_database, migrate  # noqa: E402

TEAM, BOT_TOKEN, SECRET, USER = "T0HOSTILE", "xoxb-hostile", "hostile-bench-secret", "UMEMBER"
SHAPES = {
    "commas": lambda n: (", " * n)[: n - 1] + "x",
    "trailing dots": lambda n: "x" + (" ." * n)[: n - 2] + "y",
    "statuses": lambda n: ("open " * n)[:n],
    "bot mentions": lambda n: ("<@UBOT> " * n)[:n],
}


def texts() -> list[tuple[str, str]]:
    found = [("issue's DM, 20,001 chars", ", " * 10000 + "x")]
    found += [(f"{name}, 20,000 chars", make(20_000)) for name, make in SHAPES.items()]
    found += [(f"{name}, 1,999 chars", make(1999)) for name, make in SHAPES.items()]
    return found


def dm_then_help(events_url: str, standin: SlackStandIn, text: str, n: int) -> tuple[float, float]:
    """(ms until the DM is answered, ms for the `/action help` sent with it)."""
    ts = f"1700000000.{n:06d}"
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D" + USER,
        "user": USER,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "team": TEAM,
    }
    body = event_body(event, team_id=TEAM, event_id=f"EvHostile{n:06d}")
    help_ms: list[float] = []

    def ask_help():
        start = time.perf_counter()
        reply = post_signed(
            events_url,
            slash_command_body("help", user_id="UOTHER", team_id=TEAM, response_url=standin.response_url()),
            SECRET,
            timeout=120,
        )
        help_ms.append((time.perf_counter() - start) * 1000)
        assert reply.status == 200 and "/action add" in reply.text, reply.text[:200]

    helper = threading.Thread(target=ask_help)
    start = time.perf_counter()
    helper.start()
    reply = post_signed(events_url, body, SECRET, content_type="application/json", timeout=120)
    assert reply.status == 200, reply.text
    standin.wait_for("chat.postMessage", predicate=lambda c: c.params.get("thread_ts") == ts, timeout=120)
    dm_ms = (time.perf_counter() - start) * 1000
    helper.join()
    return dm_ms, help_ms[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, help="the server's threads (default: actionbot run's)")
    args = parser.parse_args(argv)
    with fresh_database("sqlite", None) as url, SlackStandIn(team_id=TEAM, bot_token=BOT_TOKEN) as standin:
        for uid in (USER, "UOTHER"):
            standin.add_user(uid, uid.lower())
        migrate(url)
        env = child_env(
            SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=standin.api_url, DATABASE_URL=url
        )
        with tempfile.TemporaryDirectory(prefix="actionbot-hostile-") as cwd:
            bot = BotProcess(env, cwd, threads=args.threads)
            try:
                events_url = bot.url.rstrip("/") + "/slack/events"
                dm_then_help(events_url, standin, "help", 0)  # warm up
                n = 1
                print(f"{'DM text':32} {'DM answered (ms)':>22} {'concurrent help (ms)':>24}")
                print(f"{'':32} {'median':>10} {'worst':>11} {'median':>12} {'worst':>11}")
                for name, text in texts():
                    dms, helps = [], []
                    for _ in range(args.repeat):
                        dm_ms, help_ms = dm_then_help(events_url, standin, text, n)
                        dms.append(dm_ms)
                        helps.append(help_ms)
                        n += 1
                    print(
                        f"{name:32} {statistics.median(dms):10.1f} {max(dms):11.1f} "
                        f"{statistics.median(helps):12.1f} {max(helps):11.1f}",
                        flush=True,
                    )
            finally:
                bot.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
