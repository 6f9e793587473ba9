"""Actionbot's core and wiring. Importing it first settles which time-zone database every zone comes from
(bot/zones.py), before any zone is made."""

from bot import zones as _zones  # noqa: F401  (chooses the zone database on import)
