"""Security hooks: response headers, session idle timeout, login throttling."""


def init_app(app) -> None:
    pass
