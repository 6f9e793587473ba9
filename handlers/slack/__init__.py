"""Slack: the first chat platform behind the contract in bot/platform.py (listeners, Block Kit rendering,
notifier, OAuth stores and the local stand-in under devkit/)."""
