"""(being written) mentions listener."""


def register(app, ctx) -> None:
    pass
