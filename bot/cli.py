"""`actionbot …`: the command line (argparse). Each command is a small function at the bottom."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys

from bot import cli_wording, log_format
from bot.cli_parser import Parser
from bot.config import Config, ConfigError, debug_wanted
from bot.core import grammar
from bot.core.command_input import PersonRef, said
from bot.core.dates import Due, utc_now
from bot.core.errors import UserError
from bot.core.records import CLI, Actor, Listing
from bot.core.regions import RegionSpec
from bot.messages import Code, Example, Opt

WORKSPACE_HELP = "the workspace: a Slack team ID or Teams tenant ID (default: the credentials' own, or the only one)"
CLI_ACTOR = Actor("cli", is_admin=True, kind=CLI)  # the operator at the shell administers every workspace


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="actionbot", description="Follow-up actions for Slack.")
    parser.add_argument("--version", action="version", version=version_line())
    parser.add_argument(
        "--debug", action="store_true", help="on a failure, show the traceback too (or set ACTIONBOT_DEBUG=1)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="serve the bot (HTTP on $PORT, or Socket Mode with SLACK_APP_TOKEN)",
        description="Serve POST /slack/events and GET /healthz over HTTP on $PORT with a "
        "production server (waitress), or connect in Socket Mode when "
        "SLACK_APP_TOKEN is set.",
    )
    run.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    run.add_argument("--port", type=int, help="port (default $PORT, else 3000)")
    run.add_argument(
        "--threads",
        type=int,
        default=4,
        help="request threads per worker (default 4: the work is CPU-bound, and more threads "
        "only take turns at Python's one lock)",
    )
    run.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes serving HTTP on the one port, for more than one core (default $WEB_CONCURRENCY, else 1)",
    )
    run.add_argument(
        "--no-scheduler", action="store_true", help="do not run the nudge/summary scheduler in this process"
    )
    run.set_defaults(func=cmd_run)

    clock = sub.add_parser(
        "clock",
        help="run the nudge and summary scheduler alone (APScheduler)",
        description="Run the scheduler alone: a sweep every minute sends the nudges, "
        "escalations and weekly summaries that are due, plus hourly "
        "housekeeping. Safe to run beside another clock: the delivery "
        "ledger in the database sends each message once.",
    )
    clock.set_defaults(func=cmd_clock)

    swp = sub.add_parser(
        "sweep",
        help="one nudge + summary pass as of an instant",
        description="Run one pass of the scheduler as of NOW (ISO 8601; without an offset, "
        "UTC): send what is due and not yet sent. --dry-run prints what would "
        "be sent and touches nothing.",
    )
    swp.add_argument(
        "--now",
        required=True,
        type=iso_instant,
        metavar="ISO8601",
        help="e.g. 2014-11-27T14:00:00Z or 2014-11-27T09:00-05:00",
    )
    swp.add_argument("--dry-run", action="store_true", help="print what would be sent; send and write nothing")
    swp.set_defaults(func=cmd_sweep)

    db = sub.add_parser("db", help="database maintenance", description="Database maintenance.")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")
    up = db_sub.add_parser(
        "upgrade",
        help="apply Alembic migrations up to the newest",
        description="Apply Alembic migrations to DATABASE_URL (default sqlite actionbot.db).",
    )
    up.set_defaults(func=cmd_db_upgrade)

    lst = sub.add_parser(
        "list",
        help="list actions as a table",
        description="List actions with the filters of `/action list`: "
        "mine is not available here; use @U123 for a person.",
    )
    lst.add_argument("filters", nargs="*", help='e.g. overdue region:LAC group:KM @U123 owner:"KM team"')
    lst.add_argument("--workspace", help=WORKSPACE_HELP)
    lst.set_defaults(func=cmd_list)

    imp = sub.add_parser(
        "import",
        help="import a follow-up matrix from a file",
        description="Create actions from a follow-up matrix: text as copied from a report's "
        "table, CSV or TSV with a header, or a Markdown table. Columns are found "
        "by their headings (action, by whom/owner, date/deadline, region, group, "
        "status; English, Spanish or French). All rows go in one transaction. "
        "With SLACK_BOT_TOKEN set, owners are matched to workspace members and "
        "each gets one DM listing their new actions.",
    )
    imp.add_argument("file", help="the file, or - for standard input")
    imp.add_argument("--meeting", help='the meeting the actions come from, e.g. "Global KM Workshop, Nov 2014"')
    imp.add_argument("--region", help="region for rows that name none")
    imp.add_argument("--group", help="group for rows that name none")
    imp.add_argument(
        "--as", dest="as_user", metavar="USER", help="the creator recorded: user ID, @handle or e-mail address"
    )
    imp.add_argument("--dry-run", action="store_true", help="show what would be created; write nothing")
    imp.add_argument("--workspace", help=WORKSPACE_HELP)
    imp.set_defaults(func=cmd_import)

    exp = sub.add_parser(
        "export",
        help="write actions as CSV or iCalendar",
        description="Write the actions matching the filters of `/action list` (default: open "
        "ones) as CSV (the columns are in the README) or as an iCalendar file of "
        "their due dates, to standard output or --output.",
    )
    exp.add_argument("filters", nargs="*", help="e.g. all region:LAC @U123")
    exp.add_argument("--format", choices=("csv", "ics"), default="csv", help="csv (default) or ics")
    exp.add_argument("--output", "-o", metavar="FILE", help="write here instead of standard output")
    exp.add_argument("--workspace", help=WORKSPACE_HELP)
    exp.set_defaults(func=cmd_export)

    wsp = sub.add_parser(
        "workspace",
        help="list, add or delete workspaces",
        description="Workspaces in the database. After an uninstall their data stays until an admin deletes it here.",
    )
    wsp_sub = wsp.add_subparsers(dest="workspace_command", required=True, metavar="SUBCOMMAND")
    wlist = wsp_sub.add_parser("list", help="list workspaces", description="List workspaces.")
    wlist.set_defaults(func=cmd_workspace_list)
    wadd = wsp_sub.add_parser(
        "add",
        help="add a workspace before the app is installed there",
        description="Add a workspace by its ID (a Slack team ID, a Teams tenant ID) so an import or regions "
        "can be set up before the app is installed there. Commands that write refuse a workspace that is "
        "not in the database, so a mistyped --workspace creates nothing.",
    )
    wadd.add_argument("team_id", help="the Slack team ID (T0123ABC) or Teams tenant ID")
    wadd.set_defaults(func=cmd_workspace_add)
    wdel = wsp_sub.add_parser(
        "delete",
        help="delete a workspace and all its data",
        description="Delete a workspace: its actions, history, regions, people, "
        "deliveries, calendar feeds and Slack installation. Cannot be undone.",
    )
    wdel.add_argument("team_id", help="the Slack team ID, e.g. T0123ABC")
    wdel.add_argument("--yes", action="store_true", help="really delete (without it, only say what would go)")
    wdel.set_defaults(func=cmd_workspace_delete)

    region = sub.add_parser("region", help="add or list regions", description="Add or list regions.")
    region_sub = region.add_subparsers(dest="region_command", required=True, metavar="SUBCOMMAND")
    radd = region_sub.add_parser("add", help="add a region", description="Add a region.")
    radd.add_argument("name", help='the region\'s name, e.g. "Latin America and the Caribbean"')
    radd.add_argument("--alias", action="append", default=[], help="another name, e.g. LAC (repeatable)")
    radd.add_argument("--channel", help="channel for summaries: #name or ID (the bot must be able to post there)")
    radd.add_argument("--lead", help="the region lead: user ID, @handle or e-mail address")
    radd.add_argument("--tz", help="IANA time zone, e.g. America/Bogota")
    radd.add_argument("--days", help="working days (default mon-fri)")
    radd.add_argument("--summary", help='weekly summary time (default "mon 09:00")')
    radd.add_argument("--workspace", help=WORKSPACE_HELP)
    radd.set_defaults(func=cmd_region_add)
    rlist = region_sub.add_parser("list", help="list regions", description="List regions.")
    rlist.add_argument("--workspace", help=WORKSPACE_HELP)
    rlist.set_defaults(func=cmd_region_list)
    redit = region_sub.add_parser(
        "edit",
        help="change a region",
        description="Change a region: only what is given changes (an empty value, like --channel '', clears it).",
    )
    redit.add_argument("region", help="the region's name or an alias")
    redit.add_argument("--name", help="a new name")
    redit.add_argument("--alias", action="append", help="its aliases, replacing the old ones (repeatable)")
    redit.add_argument("--channel", help="channel for summaries: #name or ID")
    redit.add_argument("--lead", help="the region lead: user ID, @handle or e-mail address")
    redit.add_argument("--tz", help="IANA time zone, e.g. America/Bogota")
    redit.add_argument("--days", help="working days, e.g. mon-fri")
    redit.add_argument("--summary", help='weekly summary time, e.g. "mon 09:00"')
    redit.add_argument("--workspace", help=WORKSPACE_HELP)
    redit.set_defaults(func=cmd_region_edit)

    sett = sub.add_parser(
        "settings",
        help="show or change a workspace's settings",
        description="Show a workspace's settings, or change them: its zone and date order (copied from "
        "ACTIONBOT_TIMEZONE and ACTIONBOT_DATE_ORDER when the workspace was first seen), the nudge days, "
        "repeat and escalation.",
    )
    sett.add_argument("--tz", help="the workspace's default IANA time zone, e.g. Europe/Zurich")
    sett.add_argument("--date-order", type=str.upper, choices=("MDY", "DMY", "YMD"), help="how 03/04 is read")
    sett.add_argument("--nudges", metavar="DAYS", help="days around the due date to nudge, e.g. -3,0,1")
    sett.add_argument("--repeat", metavar="N", help="then every N days while open (0: never)")
    sett.add_argument("--escalate", metavar="N", help="tell the region lead after N days overdue (0: never)")
    sett.add_argument("--workspace", help=WORKSPACE_HELP)
    sett.set_defaults(func=cmd_settings)

    teams = sub.add_parser("teams", help="Microsoft Teams tools", description="Microsoft Teams tools.")
    teams_sub = teams.add_subparsers(dest="teams_command", required=True, metavar="SUBCOMMAND")
    package = teams_sub.add_parser(
        "package",
        help="write the Teams app package (zip) to upload to Teams",
        description="Write the Teams app package; see `actionbot teams package --help`.",
        add_help=False,  # its own options and --help are the package tool's
    )
    package.set_defaults(func=lambda args: platforms_tool("teams", "package", []))

    demo = sub.add_parser(
        "demo",
        help="play a scripted session against a local Slack stand-in",
        description="Start the real app on a temporary SQLite database against a local "
        "stand-in for Slack's Web API and play a short session from the "
        "workshop's follow-up matrix. Needs no Slack account.",
    )
    demo.set_defaults(func=cmd_demo)
    return parser


def iso_instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}” is not an ISO 8601 instant; write it like 2014-11-27T14:00:00Z"
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def version_line() -> str:
    """`actionbot --version`: the package's version and the zone database it reads (bot.zones)."""
    from importlib.metadata import PackageNotFoundError, version

    from bot import zones

    try:
        mine = version("actionbot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        mine = "unknown"
    return f"actionbot {mine}, zone database {zones.CHOSEN or 'none found'}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["teams", "package"]:  # its options are the package tool's own (argparse would take them)
        return platforms_tool("teams", "package", argv[2:])
    args = build_parser().parse_args(argv)
    log_format.configure(logging.INFO)
    log_format.quiet_libraries()
    if args.command == "demo":  # the transcript is the output; only problems should interrupt it
        logging.getLogger().setLevel(logging.WARNING)
    try:
        debug = args.debug or debug_wanted(os.environ)
    except ConfigError as err:
        print(f"actionbot: {err}", file=sys.stderr)
        return 2
    try:
        return args.func(args) or 0
    except ConfigError as err:
        if debug:
            import traceback

            traceback.print_exc()
        print(f"actionbot: {err}", file=sys.stderr)
    except UserError as err:
        print(f"actionbot: {cli_wording.refusal(err)}", file=sys.stderr)
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        from bot.cli_failures import explain

        if debug:
            import traceback

            traceback.print_exc()
        said = explain(err, os.environ.get("DATABASE_URL"))
        if said is None:  # a defect of ours, not the operator's: say so, and how to see it
            said = f"failed unexpectedly ({type(err).__name__}); run again with --debug for the traceback"
        print(f"actionbot: {said}", file=sys.stderr)
    return 2


# -- commands --------------------------------------------------------------------------------


def platforms_tool(platform: str, name: str, argv: list[str]) -> int:
    """A platform's own tool (`actionbot teams package`: the zip Teams installs)."""
    from bot import platforms

    return platforms.tool(platform, name)(argv)


def cmd_run(args) -> int:
    import signal

    from bot import platforms
    from bot.runtime import configured_kinds

    config = Config.from_env()
    configured_kinds(config, serving=True)  # a setting missing: one line, before anything starts
    if args.workers is None:  # WEB_CONCURRENCY, checked with the other settings
        args.workers = int(config.env.get("WEB_CONCURRENCY") or 1)
    if args.workers < 1:
        raise ConfigError("--workers must be 1 or more")
    single = [kind.name for kind in platforms.configured(config) if kind.one_process(config)]
    if args.workers > 1 and not single:
        from bot.http_server import listening_socket
        from bot.runtime import open_database
        from bot.workers import serve_workers

        open_database(config).dispose()  # upgrade the embedded database once, before the workers start
        sock = listening_socket(args.host, config.port if args.port is None else args.port)
        host, port = sock.getsockname()[:2]
        logging.getLogger("actionbot").info(
            "%s",
            _started(
                config,
                [f"{kind.name} over HTTP" for kind in platforms.configured(config)],
                f"listening on http://{host}:{port} with {args.workers} workers",
                "scheduler in worker 0" if not args.no_scheduler else "no scheduler",
            ),
        )
        return serve_workers(
            sock,
            args.workers,
            lambda sock, index: _serve(
                config, args, sock=sock, scheduler=index == 0 and not args.no_scheduler, name=f"worker {index}"
            ),
        )

    if args.workers > 1:
        logging.getLogger("actionbot").warning(
            "%s holds one connection: serving from one process, not %d workers", ", ".join(single), args.workers
        )

    def stop(signum, frame):  # a platform's SIGTERM stops like Ctrl-C: finish what was promised, then exit
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    return _serve(config, args, scheduler=not args.no_scheduler)


def _serve(config: Config, args, *, sock=None, scheduler: bool, name: str = "") -> int:
    """One serving process: every configured platform, their HTTP routes on one port (on `sock` when
    given) and their connections (Socket Mode) beside it, the scheduler when asked, until Ctrl-C or
    SIGTERM; then it finishes the work queued after answers. With no routes to serve (Slack alone, in
    Socket Mode) no port is opened."""
    import threading

    from bot.runtime import build_runtime

    runtime = build_runtime(config, processes=args.workers if sock is not None else 1)
    log = logging.getLogger("actionbot")
    prefix = f"{name}: " if name else ""
    clock = None
    runners = runtime.runners()
    modes = [f"{p} over {'Socket Mode' if s.runners else 'HTTP'}" for p, s in runtime.served.items()]
    sweeps = "scheduler here (a sweep a minute)" if scheduler else "no scheduler"
    try:
        for served in runtime.served.values():
            for runner in served.runners:
                runner.start()  # a refused connection: one line (ConfigError), before anything says "started"
        if scheduler:
            clock = runtime.scheduler()
            clock.start()
        if runners and not runtime.routes():
            log.info("%s", _started(config, modes, "no HTTP port (nothing to serve over HTTP)", sweeps))
            threading.Event().wait()  # until Ctrl-C or SIGTERM; the connections live in their own threads
            return 0
        server = runtime.http_server(host=args.host, port=args.port, threads=args.threads, sock=sock)
        if sock is None:
            where = f"listening on http://{server.effective_host}:{server.effective_port}"
            log.info("%s", _started(config, modes, where, sweeps))
        else:  # the parent said "started"; each worker says when it is ready (bench/load.py waits for it)
            log.info("%sserving (pid %d, %d threads)", prefix, os.getpid(), args.threads)
        server.run()
    except KeyboardInterrupt:
        log.info("%sstopping: finishing the work queued after answers", prefix)
    finally:
        for runner in runners:
            runner.close()
        if clock is not None:
            clock.shutdown(wait=False)
        runtime.settle(timeout=20)
        runtime.shutdown(wait=False)
        runtime.db.dispose()
    return 0


def _started(config: Config, modes: list[str], where: str, sweeps: str) -> str:
    """The one line a serving process logs at start: what it serves and how, where, the scheduler, the
    database (never its password) and the zone database."""
    from bot import zones
    from bot.cli_failures import where as database

    parts = [", ".join(modes), where, sweeps, f"database: {database(config.database_url)}"]
    return "started: " + " | ".join([*parts, f"zone database {zones.CHOSEN or 'none found'}"])


def cmd_clock(args) -> int:
    from bot.runtime import configured_kinds, open_database, open_platforms, services_of
    from scheduler.clock import make_scheduler

    config = Config.from_env()
    configured_kinds(config, serving=False)
    services = services_of(open_platforms(config, open_database(config), serving=False))
    scheduler = make_scheduler(services, blocking=True)
    names = ", ".join(services.outlets)
    logging.getLogger("actionbot").info(
        "%s", _started(config, [f"{names} notices"], "no HTTP port", "clock started: a sweep every minute")
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    return 0


def cmd_sweep(args) -> int:
    from bot import platforms
    from bot.runtime import action_service, configured_kinds, open_database, open_platforms, services_of
    from scheduler.sweep import Outlet, sweep_all

    config = Config.from_env()
    if not args.dry_run:
        configured_kinds(config, serving=False)
    db = open_database(config)
    if args.dry_run:  # every platform's workspaces, configured here or not: nothing is sent
        outlets = [Outlet(action_service(config, db, kind.name), None) for kind in platforms.kinds()]
    else:
        outlets = list(services_of(open_platforms(config, db, serving=False)).outlets.values())
    report = sweep_all(outlets, args.now, dry_run=args.dry_run)
    if args.dry_run:
        for notice in report.planned:
            print("would send " + notice.describe())
        print(f"{len(report.planned)} to send as of {args.now.isoformat()} (dry run: nothing sent or written)")
        return 0
    for notice in report.sent:
        print("sent " + notice.describe())
    for notice, error in report.failed:
        print(f"FAILED ({error}) " + notice.describe())
    print(
        f"{len(report.sent)} sent, {len(report.failed)} failed (retried next sweep), "
        f"{report.skipped} taken by another sender"
    )
    return 1 if report.failed else 0


def cmd_db_upgrade(args) -> int:
    from store.database import Database
    from store.migrate import upgrade

    db = Database(Config.from_env().database_url)
    upgrade(db.engine)
    print(f"database at the newest migration: {db.url}")
    return 0


def _services():
    """The core on the workspaces of the command line's platform (bot.platforms.cli_kind)."""
    from bot import platforms
    from bot.runtime import action_service, open_database

    config = Config.from_env()
    return action_service(config, open_database(config), platforms.cli_kind(config).name)


def _platform(service):
    """The command line's platform opened on `service`, when it is configured here; else None."""
    from bot import platforms

    config = Config.from_env()
    kind = platforms.kind_named(service.platform)
    return kind.open(config, service) if kind.configured(config) else None


def _sending(service):
    """The command line's platform opened to read members and send, or (None, why it cannot)."""
    from bot import platforms

    config = Config.from_env()
    kind = platforms.kind_named(service.platform)
    try:
        kind.check(config, serving=False)
    except ConfigError as err:
        return None, str(err)
    return kind.open(config, service), ""


def _team(service, given: str | None, *, creating: bool = False) -> str:
    """--workspace, else $ACTIONBOT_WORKSPACE, else the workspace of the platform's credentials (Slack's
    bot token: `auth.test`), else the only workspace in the database. A workspace not in the database is
    refused, naming those that are, except as `_first_contact` says for a command that writes (`creating`)."""
    named = given or os.environ.get("ACTIONBOT_WORKSPACE")
    team = named or _own_workspace(service)
    if team:
        if service.workspaces.known(team) is None:
            _first_contact(service, team, creating, credentials=not named)
        return team
    teams = [w.team_id for w in service.workspaces.all()]
    if len(teams) == 1:
        return teams[0]
    if not teams:
        raise UserError("cli.no_workspace", flag=Opt("workspace"))
    raise UserError("cli.several_workspaces", teams=", ".join(teams), flag=Opt("workspace"))


def _first_contact(service, team: str, creating: bool, *, credentials: bool) -> None:
    """A workspace not in the database. A read refuses it, naming those that are. A write takes it when it
    is the workspace of the platform's credentials, or when the database has no workspace yet (the first
    import on a new installation; marked as added here); any other is refused, so a mistyped --workspace
    creates nothing (`actionbot workspace add` sets one up on purpose)."""
    from bot.messages import msg

    teams = [w.team_id for w in service.workspaces.all()]
    if creating:
        if (team if credentials else _own_workspace(service)) == team:
            return  # the credentials' own workspace: made on first use, as a request would
        if not teams:
            service.workspaces.add(team, utc_now())
            return
    raise UserError(
        "cli.unknown_workspace",
        team=team,
        known=", ".join(teams) if teams else msg("cli.unknown_workspace.none"),
        command=Example(f"workspace add {team}"),
    )


def _own_workspace(service) -> str | None:
    platform = _platform(service)
    return platform.own_workspace() if platform is not None else None


def _needs_directory(text: str) -> bool:
    """What people type that only the platform's directory can turn into an ID: `#name`, `@handle`, an
    e-mail address, a name with spaces."""
    from bot.core.owner_match import looks_like_email

    return text.startswith(("#", "@")) or looks_like_email(text) or any(c.isspace() for c in text.strip())


def _person(service, team: str, text: str | None, flag: str) -> str | None:
    """The user ID of the member `text` names, through the platform's directory; refused when there is
    none. Without the platform's credentials an ID is taken as given (with a note) and a name refused."""
    if text is None or not text.strip():
        return None
    platform, why = _sending(service)
    if platform is None:
        if _needs_directory(text):
            raise UserError("cli.cannot_look_up", value=text, flag=Opt(flag), why=why)
        print(f"(--{flag} {text} is taken as given, not checked: {why})", file=sys.stderr)
        return text.strip()
    found = platform.find_person(team, text)
    if found is None:
        raise UserError("cli.no_such_person", team=team, value=text, flag=Opt(flag))
    return found


def _channel(service, team: str, text: str | None) -> str | None:
    """The ID of the channel `text` names, through the platform's directory, where the bot can post;
    refused (saying how to invite the bot) when it cannot."""
    if text is None or not text.strip():
        return None
    platform, why = _sending(service)
    if platform is None:
        if _needs_directory(text):
            raise UserError("cli.cannot_look_up", value=text, flag=Opt("channel"), why=why)
        print(f"(--channel {text} is taken as given, not checked: {why})", file=sys.stderr)
        return text.strip()
    found = platform.find_channel(team, text)
    if found is None:
        raise UserError("cli.no_such_channel", team=team, value=text, flag=Opt("channel"))
    if found.unchecked:
        if not found.channel_id:
            raise UserError("cli.channel_unchecked", value=text, why=found.unchecked, flag=Opt("channel"))
        print(f"(--channel {text} is taken as given, not checked: {found.unchecked})", file=sys.stderr)
    elif not found.can_post:
        raise UserError("cli.cannot_post", name=found.name, invite=found.invite)
    return found.channel_id


def _query(filters: list[str]):
    # a filter `@U123` names a person by their platform user ID; every other one is a word of its own
    pieces: list = []
    for w in filters:
        pieces += [" ", PersonRef(w[1:]) if w.startswith("@") and len(w) > 1 else grammar.quote(w)]
    query = grammar.parse_query(grammar.tokenize(said(*pieces)))
    if query.mine:
        raise UserError("cli.mine_needs_user", mine=Code("mine"))
    return query


def cmd_export(args) -> int:
    service = _services()
    query, team = _query(args.filters), _team(service, args.workspace)
    if args.format == "ics":
        from bot.core.calendar_feeds import export_ics

        data = export_ics(service, team, query, utc_now())
    else:
        from bot.core.export import export_csv

        data = export_csv(service, team, query, utc_now()).encode("utf-8")
    if args.output:
        try:
            with open(args.output, "wb") as f:
                f.write(data)
        except OSError as err:
            raise UserError("cli.cannot_write", path=args.output, reason=err.strerror or "") from None
        print(f"wrote {_exported(args.format, data)} to {args.output} ({len(data):,} bytes)")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _exported(form: str, data: bytes) -> str:
    """What an export holds, as `export -o` reports it: "3 actions as CSV", "2 due dates as iCalendar"."""
    import csv
    import io

    if form == "ics":
        count = data.count(b"BEGIN:VEVENT")
        return f"{count} due date{'s' if count != 1 else ''} as iCalendar"
    count = max(0, sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8")))) - 1)  # less the header
    return f"{count} action{'s' if count != 1 else ''} as CSV"


def cmd_list(args) -> int:
    service = _services()
    query = _query(args.filters)
    listing = service.list(_team(service, args.workspace), None, query, utc_now(), limit=None)
    print(format_table(listing))
    return 0


def cmd_region_add(args) -> int:
    from bot.core.regions import RegionService

    service = _services()
    team = _team(service, args.workspace, creating=True)
    spec = _region_spec(service, team, args)
    info = RegionService(service).add(team, CLI_ACTOR, spec, utc_now())
    print(f"added region {info.name}" + (f" ({', '.join(info.aliases)})" if info.aliases else ""))
    return 0


def cmd_region_edit(args) -> int:
    from bot.core.regions import RegionService

    service = _services()
    team = _team(service, args.workspace)
    regions = RegionService(service)
    now = utc_now()
    was = regions.get(team, args.region, now)
    spec = _region_spec(service, team, args, was)
    info = regions.edit(team, CLI_ACTOR, was.name, spec, now)
    print(f"changed region {info.name}" + (f" ({', '.join(info.aliases)})" if info.aliases else ""))
    return 0


def _region_spec(service, team: str, args, was=None) -> RegionSpec:
    """The region the flags describe: a flag not given keeps what `was` has (the region being edited), or
    the default of a new region; an empty one clears it (`--channel ''`)."""
    base = was if was is not None else RegionSpec(name=args.name)
    return RegionSpec(
        name=base.name if args.name is None else args.name,
        aliases=list(base.aliases) if args.alias is None else [a for a in args.alias if a.strip()],
        channel_id=base.channel_id if args.channel is None else _channel(service, team, args.channel),
        lead_user_id=base.lead_user_id if args.lead is None else _person(service, team, args.lead, "lead"),
        timezone=base.timezone if args.tz is None else (args.tz or None),
        working_days=base.working_days if args.days is None else args.days,
        summary_schedule=base.summary_schedule if args.summary is None else args.summary,
    )


def cmd_settings(args) -> int:
    from bot.core.grammar import Token
    from bot.core.settings import SettingsChanges, SettingsService, parse_settings_command

    service = _services()
    team = _team(service, args.workspace)
    settings = SettingsService(service)
    # the same checks as /action settings: each flag read as its option
    given = {"nudges": args.nudges, "repeat": args.repeat, "escalate": args.escalate, "tz": args.tz}
    tokens = [Token("option", f"{k}:{v}", k, v) for k, v in given.items() if v is not None]
    changes: SettingsChanges = parse_settings_command(tokens)
    if args.date_order:
        changes["date_order"] = args.date_order
    now = utc_now()
    shown = settings.change(team, CLI_ACTOR, changes, now) if changes else settings.get(team, now)
    print(f"workspace {team}" + (" (changed)" if changes else ""))
    print(f"zone: {shown.timezone}")
    print(f"date order: {shown.date_order}")
    print(f"nudges: {cli_wording.words(shown.nudges.describe())}")
    print(f"escalation: after {shown.nudges.escalate_after_days} days overdue (0: never)")
    return 0


def cmd_region_list(args) -> int:
    from bot.core.regions import RegionService

    service = _services()
    rows = [["Region", "Aliases", "Open", "Zone", "Days", "Summary", "Channel", "Lead"]]
    for r in RegionService(service).list(_team(service, args.workspace), utc_now()):
        rows.append(
            [
                r.name,
                ", ".join(r.aliases),
                str(r.open_count),
                r.timezone or "-",
                r.working_days,
                r.summary_schedule,
                r.channel_id or "-",
                r.lead_user_id or "-",
            ]
        )
    print(table(rows))
    return 0


def cmd_import(args) -> int:
    from bot.core.importer import MAX_CHARS
    from bot.core.imports import ImportService

    # no more than the importer reads: a bigger file is refused without being loaded whole
    text = sys.stdin.read(MAX_CHARS + 1) if args.file == "-" else _read_file(args.file, MAX_CHARS + 1)
    service = _services()
    before = {w.team_id for w in service.workspaces.all()}
    team = _team(service, args.workspace, creating=True)
    new = team not in before
    as_user = _person(service, team, args.as_user, "as")
    actor = Actor(as_user, is_admin=True) if as_user else CLI_ACTOR
    platform, unmatched = _sending(service)
    matcher = platform.directory(team) if platform is not None else None
    importer = ImportService(service)
    plan = importer.plan(
        team, actor, text, utc_now(), matcher=matcher, meeting=args.meeting, region=args.region, group=args.group
    )
    if new and (args.dry_run or not plan.rows):  # the plan met the workspace first; a dry run leaves nothing
        service.workspaces.delete(team)
    if matcher is None:
        why = unmatched or "the member list could not be read"
        print(f"({why}: owners stay named owners, unmatched to members)", file=sys.stderr)
    print(import_table(plan))
    for warning in plan.all_warnings:
        print(f"warning: {cli_wording.words(warning)}")
    for problem in plan.all_problems:
        print(f"error: {cli_wording.words(problem)}")
    if args.dry_run or not plan.rows:
        print(
            f"{len(plan.rows)} action{'s' if len(plan.rows) != 1 else ''} would be imported (dry run: nothing written)"
            if args.dry_run
            else "nothing to import"
        )
        return 0
    from tqdm import tqdm

    with tqdm(total=len(plan.rows), unit="row", desc="importing", file=sys.stderr, disable=len(plan.rows) < 100) as bar:
        outcomes = importer.commit(team, actor, plan, utc_now(), progress=bar.update)
    numbers = [o.action.number for o in outcomes]
    print(
        f"imported {len(outcomes)} action{'s' if len(outcomes) != 1 else ''}: #{numbers[0]}–#{numbers[-1]}"
        if len(numbers) > 1
        else f"imported 1 action: #{numbers[0]}"
    )
    if platform is not None and matcher is not None:
        from bot.core.people import PeopleService
        from scheduler.sweep import deliver_told

        matcher.remember(PeopleService(service), team, [u for r in plan.rows for u in r.matched.values()], utc_now())
        deliver_told(service, platform.notifier(), team, utc_now())
    return 0


def _read_file(path: str, limit: int = -1) -> str:
    try:
        with open(path, encoding="utf-8-sig") as f:
            return f.read(limit)
    except OSError as err:
        raise UserError("cli.cannot_read", path=path, reason=err.strerror or "") from None
    except UnicodeDecodeError:
        raise UserError("cli.not_utf8", path=path) from None


def cmd_workspace_add(args) -> int:
    team = args.team_id.strip()
    if not team or len(team) > 255 or any(c.isspace() or not c.isprintable() for c in team):
        raise UserError("cli.bad_workspace_id", team=team[:80])
    if not _services().workspaces.add(team, utc_now()):
        raise UserError("cli.workspace_exists", team=team, command=Example("workspace list"))
    print(f"added workspace {team} (not installed yet: install the app there to send to it)")
    return 0


def cmd_workspace_list(args) -> int:
    rows = [["Team", "Name", "Actions", "Status"]]
    for ws in _services().workspaces.all():
        state = (
            f"uninstalled {ws.uninstalled_at:%Y-%m-%d}"
            if ws.uninstalled_at
            else "added here, no installation seen"
            if ws.added_by_cli
            else "installed"
        )
        rows.append([ws.team_id, ws.name or "-", str(ws.actions), state])
    print(table(rows))
    return 0


def cmd_workspace_delete(args) -> int:
    service = _services()
    found = [w for w in service.workspaces.all() if w.team_id == args.team_id]
    if not found:
        raise UserError("cli.no_such_workspace", team=args.team_id, command=Example("workspace list"))
    count = found[0].actions
    if not args.yes:
        print(f"would delete workspace {args.team_id} and its {count} actions; add --yes to do it")
        return 1
    service.workspaces.delete(args.team_id)
    platform = _platform(service)
    if platform is not None:  # its installation's token revoked and forgotten (Slack, installed by OAuth)
        platform.forget_workspace(args.team_id)
    print(f"deleted workspace {args.team_id} and its {count} actions")
    return 0


def cmd_demo(args) -> int:
    from bot.demo import run_demo

    return run_demo()


# -- output ----------------------------------------------------------------------------------


def due_cell(due: Due, overdue: bool) -> str:
    from bot.core.dates import format_date

    text = format_date(due.date) if due.date is not None else ("ongoing" if due.kind == "ongoing" else "-")
    return text + (" !" if overdue else "")


def format_table(listing: Listing) -> str:
    rows = [["#", "Title", "Owners", "Due", "Region", "Group", "Status"]]
    for a in listing.actions:
        rows.append(
            [
                str(a.number),
                a.title if len(a.title) <= 60 else a.title[:59] + "…",
                ", ".join(o.label for o in a.owners) or "-",
                due_cell(a.due, a.overdue),
                a.region or "-",
                a.group or "-",
                a.status,
            ]
        )
    footer = f"{listing.total} action{'s' if listing.total != 1 else ''} (! = overdue)"
    return table(rows) + "\n" + footer


def import_table(plan) -> str:
    rows = [["Row", "Title", "Owners", "Due", "Region", "Group"]]
    for r in plan.rows:
        owners = [f"@{u} ({n})" for n, u in r.matched.items()] + r.spec.named_owners
        rows.append(
            [
                str(r.row),
                r.spec.title if len(r.spec.title) <= 60 else r.spec.title[:59] + "…",
                ", ".join(owners) or "-",
                due_cell(r.due, False),
                r.spec.region or "-",
                r.spec.group or "-",
            ]
        )
    return table(rows)


def table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
