"""The Teams side's SDK App: our hosting (handlers.teams.sdk_app), and every listener module in
LISTENERS registered on it with the shared TeamsContext."""

from __future__ import annotations

import importlib

from handlers.teams.connector import BotConnector, ClientCredentials
from handlers.teams.context import TeamsContext
from handlers.teams.sdk_app import make_app

LISTENERS = [
    "handlers.teams.listeners.messages",
    "handlers.teams.listeners.card_actions",
    "handlers.teams.listeners.lifecycle",
    "handlers.teams.listeners.dialogs",
    "handlers.teams.listeners.message_action",
]


def build_app(ctx: TeamsContext, credentials: ClientCredentials, connector: BotConnector, tenant_id: str | None):
    app = make_app(credentials, connector, tenant_id=tenant_id)
    for module in LISTENERS:
        importlib.import_module(module).register(app, ctx)
    return app
