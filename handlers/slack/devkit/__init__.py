"""Development kit: a local Slack Web API stand-in and helpers to send Slack-signed requests to the app."""
