"""(being written) app_home listener."""


def register(app, ctx) -> None:
    pass
