"""What the command line says when a command fails for a reason outside it: one line naming what is
wrong and what to check (a database that is missing or down, a path that cannot be opened, a driver not
installed), instead of a traceback. `--debug` or ACTIONBOT_DEBUG=1 shows the traceback as well."""

from __future__ import annotations

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

CHECK_URL = "check DATABASE_URL"


def where(url: str | None) -> str:
    """The database as a line may name it: never its password."""
    from store.database import normalise_url

    try:
        parsed = make_url(normalise_url(url))
    except sa_exc.ArgumentError:
        return "the database"
    if parsed.get_backend_name() == "sqlite":
        return f"the SQLite file {parsed.database or ':memory:'}"
    return f"PostgreSQL database “{parsed.database or ''}” at {parsed.host or 'localhost'}:{parsed.port or 5432}"


def explain(err: BaseException, database_url: str | None) -> str | None:
    """One line for a failure an operator can fix, else None (a defect: the caller says so)."""
    if isinstance(err, sa_exc.DBAPIError) and isinstance(err, (sa_exc.OperationalError, sa_exc.InterfaceError)):
        return _database(str(err.orig) if err.orig is not None else str(err), database_url)
    if isinstance(err, sa_exc.NoSuchModuleError | sa_exc.ArgumentError):
        return f"DATABASE_URL is not a database address this bot can open ({CHECK_URL})"
    if isinstance(err, ModuleNotFoundError) and (err.name or "").split(".")[0] in ("psycopg", "psycopg2"):
        return "PostgreSQL needs its driver: pip install 'actionbot[postgres]'"
    return None


def _database(reason: str, url: str | None) -> str:
    db = where(url)
    text = reason.lower()
    if "does not exist" in text and "database" in text:
        return f"{db} does not exist: create it (createdb, or the compose file's service) or {CHECK_URL}"
    if (
        "password authentication failed" in text
        or "no password supplied" in text
        or "role" in text
        and ("does not exist" in text)
    ):
        return f"{db} refused the user or password in DATABASE_URL"
    if "unable to open database file" in text:
        return f"can't open {db}: does its folder exist, and may this user write there? ({CHECK_URL})"
    if "readonly" in text or "read-only" in text:
        return f"{db} is read-only for this user"
    if "connection refused" in text or "could not connect" in text or "connection failed" in text:
        return f"nothing answers for {db}: is the server running and reachable? ({CHECK_URL})"
    if "timeout" in text or "timed out" in text:
        return f"{db} did not answer in time: is the server reachable from here? ({CHECK_URL})"
    if "name or service not known" in text or "nodename" in text or "could not translate host" in text:
        return f"the host of {db} is not known here ({CHECK_URL})"
    first = reason.strip().splitlines()[0] if reason.strip() else "an error"
    return f"{db} failed: {first[:200]} ({CHECK_URL})"
