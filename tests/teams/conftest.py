"""Fixtures for the Teams transport tests: the Bot Connector stand-in with a tenant, two people and a
team. The test modules skip themselves when the `teams` extra is not installed, so nothing here
imports it at collection time."""

from __future__ import annotations

import pytest


@pytest.fixture
def standin():
    from handlers.teams.devkit.standin import TeamsStandIn

    with TeamsStandIn() as teams:
        teams.lina = teams.add_user("Lina Haddad", tz="Africa/Nairobi")
        teams.tim = teams.add_user("Tim Boyle", tz="Europe/Rome")
        teams.team = teams.add_team("KM Programme", ["LAC", "Africa"], members=[teams.lina, teams.tim])
        yield teams
