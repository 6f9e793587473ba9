"""Where a distributed bot keeps its workspaces' tokens: slack_sdk's SQLAlchemy installation store, plus
finding and forgetting a workspace by its team ID alone, Enterprise Grid or not. A request names its
enterprise and team, but the scheduler and the uninstall events know the team; a team ID is unique
across Slack, so the team alone tells which installation it is.

An org-wide install (Enterprise Grid's "install for the whole organization": no team) is refused at the
redirect with a page that says to install into each workspace: the bot's data, settings and nudges are
per workspace."""

from __future__ import annotations

import html
import logging

from slack_bolt.error import BoltError
from slack_bolt.oauth.callback_options import FailureArgs
from slack_bolt.oauth.oauth_flow import OAuthFlow
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import desc, select

log = logging.getLogger("actionbot.installations")


class InstallationStore(SQLAlchemyInstallationStore):
    def _enterprises_of(self, team_id: str) -> list[str | None]:
        """The enterprise IDs a team's installations are stored under, newest first (None: not Grid)."""
        c = self.bots.c
        query = (
            select(c.enterprise_id)
            .where(c.client_id == self.client_id, c.team_id == team_id)
            .order_by(desc(c.installed_at))
        )
        with self.engine.connect() as conn:
            return list(dict.fromkeys(conn.execute(query).scalars()))

    def bot_for_team(self, team_id: str) -> Bot | None:
        """The newest bot installation of a workspace, under whichever enterprise it was installed."""
        for enterprise_id in self._enterprises_of(team_id):
            bot = self.find_bot(enterprise_id=enterprise_id, team_id=team_id)
            if bot is not None:
                return bot
        return None

    def forget_team(self, team_id: str) -> None:
        """Delete every token and installation of a workspace, Grid or not."""
        for enterprise_id in {None, *self._enterprises_of(team_id)}:
            self.delete_all(enterprise_id=enterprise_id, team_id=team_id)


class OrgWideInstall(BoltError):
    """An install for a whole Enterprise Grid organization, which this bot does not take."""


REFUSAL_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Install Actionbot in a workspace</title></head>
<body><h1>Actionbot installs into one workspace at a time</h1>
<p>You installed it for a whole Enterprise Grid organization. Actionbot keeps each workspace's actions,
regions and nudges apart, so it needs to be added to each workspace on its own.</p>
<p>Nothing was kept. Ask an org admin to add Actionbot to a workspace from the organization's app
settings (choose the workspace, not the organization), or run <a href="{install}">Add to Slack</a>
again from inside the workspace.</p></body></html>
"""


class WorkspaceOAuthFlow(OAuthFlow):
    """Bolt's OAuth flow, keeping only installations into a workspace (Grid's included)."""

    def store_installation(self, request, installation) -> None:
        if installation.is_enterprise_install or not installation.team_id:
            self._revoke(installation.bot_token)
            raise OrgWideInstall(f"org-wide install refused (enterprise {installation.enterprise_id})")
        super().store_installation(request, installation)

    def _revoke(self, token: str | None) -> None:
        """Give back the token of an install we refuse, so no live credential is left unstored."""
        if not token:
            return
        try:
            self.client.auth_revoke(token=token)
        except (SlackApiError, OSError) as err:
            log.warning("could not revoke a refused org-wide install's token: %s", getattr(err, "response", err))


def failure_page(args: FailureArgs) -> BoltResponse:
    """An org-wide install: the page above. Anything else: Bolt's own failure page."""
    if isinstance(args.error, OrgWideInstall):
        body = REFUSAL_PAGE.format(install=html.escape(args.settings.install_path))
        return BoltResponse(status=403, body=body, headers={"Content-Type": "text/html; charset=utf-8"})
    return args.default.failure(args)
