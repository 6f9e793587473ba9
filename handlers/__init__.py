"""Slack adapter: Bolt listeners that turn payloads into core calls and records into Block Kit."""
