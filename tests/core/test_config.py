import importlib

import pytest

import config


@pytest.fixture
def fresh_config(monkeypatch):
    """config.py reads the environment at import: reload it under a patched environment."""

    def _load(**env):
        for name in ("SECRET_KEY", "DATABASE_URL", "YOUTH_MIN_AGE", "YOUTH_MAX_AGE", "MAX_CONTENT_LENGTH",
                     "UPLOAD_DIR", "REDIS_URL", "MOWAKABA_ENV"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(config)

    yield _load
    monkeypatch.undo()
    importlib.reload(config)


def test_production_refuses_to_start_without_secret_key(fresh_config):
    cfg = fresh_config(MOWAKABA_ENV="production", DATABASE_URL="postgresql://db/x")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        cfg.ProductionConfig.init_app(None)


def test_production_starts_with_its_settings(fresh_config):
    cfg = fresh_config(MOWAKABA_ENV="production", SECRET_KEY="s3cret", DATABASE_URL="postgres://u@db/x")
    cfg.ProductionConfig.init_app(None)
    assert cfg.config_from_env() is cfg.ProductionConfig
    assert cfg.ProductionConfig.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@db/x"
    assert cfg.ProductionConfig.SESSION_COOKIE_SECURE is True


def test_defaults_and_environment_overrides(fresh_config):
    cfg = fresh_config()
    assert cfg.BaseConfig.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert cfg.BaseConfig.SQLALCHEMY_DATABASE_URI.endswith("instance/mowakaba.sqlite")
    assert (cfg.BaseConfig.YOUTH_MIN_AGE, cfg.BaseConfig.YOUTH_MAX_AGE) == (15, 34)
    assert cfg.BaseConfig.REDIS_URL is None
    cfg = fresh_config(YOUTH_MIN_AGE="18", YOUTH_MAX_AGE="35", MAX_CONTENT_LENGTH="1000", UPLOAD_DIR="/srv/up",
                       REDIS_URL="redis://127.0.0.1:6379/0")
    assert (cfg.BaseConfig.YOUTH_MIN_AGE, cfg.BaseConfig.YOUTH_MAX_AGE) == (18, 35)
    assert cfg.BaseConfig.MAX_CONTENT_LENGTH == 1000 and cfg.BaseConfig.UPLOAD_DIR == "/srv/up"
    assert cfg.BaseConfig.REDIS_URL == "redis://127.0.0.1:6379/0"


def test_wsgi_exposes_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'w.sqlite'}")
    import wsgi

    wsgi = importlib.reload(wsgi)
    assert wsgi.app.name == "tracker"
