"""Finding a region by what people type: its name or an alias (case and accents aside); an unknown one
is refused with the closest names and the list of known regions."""

from __future__ import annotations

import difflib

from bot.core.errors import BadInput
from bot.messages import Example, msg
from store import queries as q
from store.models import Region


def region_named(s, workspace_id: int, name: str) -> Region:
    region = q.region_by_name(s, workspace_id, name)
    if region is not None:
        return region
    known = q.regions(s, workspace_id)
    if not known:
        raise BadInput("no_regions_yet", name=name, add=Example("region add", ("<name>",)))
    names = [r.name for r in known] + [a.alias for r in known for a in r.aliases]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5) or difflib.get_close_matches(
        name.casefold(), [n.casefold() for n in names], n=3, cutoff=0.5
    )
    hint = msg("no_region.did_you_mean", names=" or ".join(close)) if close else msg("empty")
    listing = ", ".join(r.name + (f" ({', '.join(a.alias for a in r.aliases)})" if r.aliases else "") for r in known)
    raise BadInput("no_region", name=name, hint=hint, known=listing)
