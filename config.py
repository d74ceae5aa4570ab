"""Settings per environment. Every value that differs between machines comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _normalise_db_url(url: str) -> str:
    # Heroku-style URLs and plain "postgresql://" should use the psycopg 3 driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class BaseConfig:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'mowakaba.sqlite'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    YOUTH_MIN_AGE = _int("YOUTH_MIN_AGE", 15)
    YOUTH_MAX_AGE = _int("YOUTH_MAX_AGE", 34)
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 20 * 1024 * 1024)
    REDIS_URL = os.environ.get("REDIS_URL") or None

    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("APP_TIMEZONE", "Africa/Casablanca")
    LANGUAGES = ("fr", "ar", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # "Stay signed in" lasts at most 12 hours (ASVS 3.3.2, level 2); logout and password changes end it earlier.
    REMEMBER_COOKIE_DURATION = timedelta(hours=12)
    # A signed-in session unused for this long ends: shared computers in incubators and cyber-cafés.
    IDLE_TIMEOUT_MINUTES = _int("IDLE_TIMEOUT_MINUTES", 30)

    # Login throttling (tracker/core/limiter.py): only failed logins count, per account and per client
    # address, in a moving window. Storage is Redis when REDIS_URL is set (shared by every app server),
    # memory otherwise (per process). Syntax of the limits: "10 per 15 minutes".
    LOGIN_THROTTLE_ENABLED = True
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT") or "10 per 15 minutes"
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS") or "10 per 15 minutes"
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX") or "mowakaba"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; long forms on slow phones

    # Number of reverse proxies in front of the app (X-Forwarded-For/Proto are trusted that many hops).
    PROXY_COUNT = _int("PROXY_COUNT", 0)

    # Outgoing e-mail for report reminders: MAIL_BACKEND, MAIL_SERVER, MAIL_PORT, MAIL_USERNAME,
    # MAIL_PASSWORD, MAIL_USE_TLS, MAIL_USE_SSL, MAIL_FROM, MAIL_TIMEOUT are read from the environment by
    # tracker/periods/mail.py, which applies their defaults. BASE_URL is the public address for e-mail links.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or None
    BASE_URL = os.environ.get("BASE_URL") or None

    PASSWORD_MIN_LENGTH = 12  # ASVS 4.0 V2.1.1
    PROJECTS_PER_PAGE = _int("PROJECTS_PER_PAGE", 25)

    # IATI export (`flask report iati`): the reporting organisation. The default reference is IATI's
    # placeholder prefix; set the programme's real organisation identifier before publishing.
    IATI_ORG_REF = os.environ.get("IATI_ORG_REF", "XM-DAC-00000")
    IATI_ORG_NAME = os.environ.get("IATI_ORG_NAME", "Programme d'incubation Mowakaba")
    IATI_ORG_TYPE = os.environ.get("IATI_ORG_TYPE", "22")  # IATI OrganisationType code; 22 = national NGO
    IATI_CURRENCY = os.environ.get("IATI_CURRENCY", "MAD")
    IATI_COUNTRY = os.environ.get("IATI_COUNTRY", "MA")  # recipient country (ISO 3166-1 alpha-2)
    IATI_LANGUAGE = os.environ.get("IATI_LANGUAGE", "fr")  # narratives' language (xml:lang)

    @classmethod
    def init_app(cls, app):  # noqa: D401 - hook for subclasses
        pass


class DevelopmentConfig(BaseConfig):
    DEBUG = False  # make run serves the demo as users will see it: no debugger


class TestingConfig(BaseConfig):
    TESTING = True
    SECRET_KEY = "testing-secret"
    SQLALCHEMY_DATABASE_URI = _normalise_db_url(
        os.environ.get("TEST_DATABASE_URL_ACTIVE", "sqlite:///:memory:")
    )
    WTF_CSRF_ENABLED = False
    ARGON2_FAST = True
    MAIL_BACKEND = "memory"
    # Every test client shares 127.0.0.1 and one app lives for the whole run, so failures from unrelated
    # tests would add up; tests/security/ switches the throttle on with a fresh storage.
    LOGIN_THROTTLE_ENABLED = False
    REDIS_URL = None  # memory storage unless a test asks for Redis with its own key prefix


class ProductionConfig(BaseConfig):
    PROXY_COUNT = _int("PROXY_COUNT", 1)
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # __Host-: the browser only accepts these cookies over HTTPS, for this exact host, path / (ASVS 3.4.4).
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    PREFERRED_URL_SCHEME = "https"

    @classmethod
    def init_app(cls, app):
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError(
                "Production needs these environment variables: " + ", ".join(missing)
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_env():
    return CONFIGS[os.environ.get("MOWAKABA_ENV", "development")]
