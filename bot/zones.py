"""Which time-zone database the bot reads: the newer of the operating system's and the `tzdata` package's.

Python's zoneinfo reads the system's files first and the package only for a zone the system lacks. An old
server's files can be years behind the package (whose floor in pyproject keeps it current), and then
they disagree about zones whose rules changed meanwhile (Morocco's, for one): every nudge there would go
out an hour off. So the package is read alone unless the system's database is newer. `choose()` runs
when the `bot` package is imported, before any zone is made; `CHOSEN` says which was chosen.
"""

from __future__ import annotations

import importlib
import zoneinfo
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ZoneDatabase:
    source: str  # "tzdata package" or "system (<path>)"
    version: str | None  # the IANA release, like 2026f; None when it cannot be told

    def __str__(self) -> str:
        return f"{self.version or 'unknown version'} ({self.source})"


def _version_in(zi: Path) -> str | None:
    """The release named on the first line of a `tzdata.zi` ("# version 2026f")."""
    try:
        with zi.open(encoding="ascii", errors="replace") as f:
            first = f.readline().split()
    except OSError:
        return None
    return first[2] if len(first) == 3 and first[:2] == ["#", "version"] else None


def system_database(tzpath: tuple[str, ...] | None = None) -> ZoneDatabase | None:
    """The first system zone directory zoneinfo searches, and its release."""
    for path in zoneinfo.TZPATH if tzpath is None else tzpath:
        if Path(path, "UTC").exists():
            return ZoneDatabase(f"system ({path})", _version_in(Path(path, "tzdata.zi")))
    return None


def package_database() -> ZoneDatabase | None:
    try:
        tzdata = importlib.import_module("tzdata")  # a dependency; it ships no type information
    except ImportError:
        return None
    return ZoneDatabase("tzdata package", getattr(tzdata, "IANA_VERSION", None))


def newer(package: ZoneDatabase | None, system: ZoneDatabase | None) -> ZoneDatabase | None:
    """The database to read: the package unless the system's release is known and later."""
    if package is None or system is None:
        return package or system
    if system.version and (package.version is None or system.version > package.version):  # "2026f" > "2025b"
        return system
    return package


def choose() -> ZoneDatabase | None:
    """Point zoneinfo at the newer database (nothing to do when it is the system's) and say which."""
    package, system = package_database(), system_database()
    chosen = newer(package, system)
    if chosen is package and system is not None:
        zoneinfo.reset_tzpath(to=[])  # no system path: every zone comes from the package
    return chosen


CHOSEN = choose()
