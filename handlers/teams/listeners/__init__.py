"""Teams listeners, one module per kind of activity; each has `register(app, ctx)`, which adds its
handlers to the SDK `App` (handlers.teams.app lists the modules)."""
