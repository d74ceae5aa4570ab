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
    OFFLINE_REPLAY_DAYS = _int("OFFLINE_REPLAY_DAYS", 7)  # how long a form filled offline may be sent later

    # Login throttling (tracker/core/limiter.py): only failed logins count. Per (account, client address)
    # and per address, in a moving window, then a 429 page; per account alone never a lock-out, only
    # growing delays (base × 2^k seconds, capped) once LOGIN_SLOWDOWN_AFTER failures were seen. A browser
    # the owner signed in from is a known device (signed cookie, KNOWN_DEVICE_DAYS) and skips the
    # address budget and the delays. Storage is Redis when REDIS_URL is set (shared by every app
    # server), memory otherwise (per process). Syntax of the limits: "5 per 15 minutes".
    LOGIN_THROTTLE_ENABLED = True
    LOGIN_LIMIT_PER_ACCOUNT_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS") or "5 per 15 minutes"
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS") or "20 per 15 minutes"
    LOGIN_SLOWDOWN_AFTER = _int("LOGIN_SLOWDOWN_AFTER", 5)
    LOGIN_DELAY_BASE_SECONDS = _int("LOGIN_DELAY_BASE_SECONDS", 2)
    LOGIN_DELAY_MAX_SECONDS = _int("LOGIN_DELAY_MAX_SECONDS", 120)
    KNOWN_DEVICE_DAYS = _int("KNOWN_DEVICE_DAYS", 90)
    KNOWN_DEVICE_COOKIE_NAME = "mowakaba_device"
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX") or "mowakaba"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session; long forms on slow phones

    # Number of reverse proxies in front of the app (X-Forwarded-For/Proto are trusted that many hops).
    PROXY_COUNT = _int("PROXY_COUNT", 0)

    # Outgoing e-mail for report reminders: MAIL_BACKEND, MAIL_SERVER, MAIL_PORT, MAIL_USERNAME,
    # MAIL_PASSWORD, MAIL_USE_TLS, MAIL_USE_SSL, MAIL_FROM, MAIL_TIMEOUT are read from the environment by
    # tracker/periods/mail.py, which applies their defaults. BASE_URL is the public address for e-mail links.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or None
    BASE_URL = os.environ.get("BASE_URL") or None
    APP_NAME = os.environ.get("APP_NAME") or "Mowakaba"  # in every e-mail's subject and greeting

    # Background jobs (tracker/core/jobs.py): RQ on REDIS_URL, queue JOBS_QUEUE; without Redis they run in
    # this process, on a small thread pool during a request (a slow mail server never slows a page) and at
    # once from the command line. JOBS_IN_PROCESS = "sync" runs them at once everywhere (tests).
    JOBS_QUEUE = os.environ.get("JOBS_QUEUE") or "mowakaba"
    JOBS_IN_PROCESS = os.environ.get("JOBS_IN_PROCESS") or "thread"
    # RQ stops a job after 180 s by default; a whole-programme XLSX at full scale takes longer on a worker.
    JOBS_TIMEOUT = int(os.environ.get("JOBS_TIMEOUT") or 1800)
    # Report files built by a job (tracker/reports/export_jobs.py): whole-programme XLSX/PDF, and any XLSX/PDF of
    # more projects than this; kept 24 h under UPLOAD_DIR/exports.
    EXPORT_JOB_MIN_PROJECTS = _int("EXPORT_JOB_MIN_PROJECTS", 2000)

    # Invitations and password resets (tracker/auth/tokens.py): single-use links.
    INVITATION_DAYS = _int("INVITATION_DAYS", 7)
    RESET_LINK_MINUTES = _int("RESET_LINK_MINUTES", 60)
    # "Forgot password" requests, per account (the e-mail typed) and per client address, moving window.
    RESET_THROTTLE_ENABLED = True
    RESET_LIMIT_PER_ACCOUNT = os.environ.get("RESET_LIMIT_PER_ACCOUNT") or "3 per hour"
    RESET_LIMIT_PER_ADDRESS = os.environ.get("RESET_LIMIT_PER_ADDRESS") or "20 per hour"

    # Read API (tracker/api): personal access tokens, throttled per token (moving window), CORS closed unless
    # origins are listed (comma-separated, e.g. "https://dashboard.example.org").
    API_LIMIT_PER_TOKEN = os.environ.get("API_LIMIT_PER_TOKEN") or "120 per minute"
    API_TOKEN_MAX_DAYS = 365
    API_PAGE_SIZE = _int("API_PAGE_SIZE", 50)
    API_CORS_ORIGINS = [o.strip() for o in os.environ.get("API_CORS_ORIGINS", "").split(",") if o.strip()]

    PASSWORD_MIN_LENGTH = 12  # ASVS 4.0 V2.1.1
    PROJECTS_PER_PAGE = _int("PROJECTS_PER_PAGE", 25)

    # IATI export (`flask report iati`): the reporting organisation. No default: without the programme's
    # real organisation identifier (e.g. MA-RC-12345) the export stops and says so.
    IATI_ORG_REF = os.environ.get("IATI_ORG_REF") or None
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
    RESET_THROTTLE_ENABLED = False  # tests/auth switches it on with a fresh storage
    JOBS_IN_PROCESS = "sync"
    REDIS_URL = None  # memory storage unless a test asks for Redis with its own key prefix
    API_LIMIT_PER_TOKEN = "1000 per minute"  # the fuzz suite sends hundreds per token; tests/api lowers it
    IATI_ORG_REF = "XM-DAC-00000"  # IATI's placeholder prefix: tests of the IATI file need one (never in production)


class ProductionConfig(BaseConfig):
    PROXY_COUNT = _int("PROXY_COUNT", 1)
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # __Host-: the browser only accepts these cookies over HTTPS, for this exact host, path / (ASVS 3.4.4).
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_NAME = "__Host-remember_token"
    KNOWN_DEVICE_COOKIE_NAME = "__Host-device"
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
