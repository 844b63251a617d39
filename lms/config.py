"""Settings from the environment. SQLite under instance/ unless DATABASE_URL is set."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-only-not-secret"


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def driver_url(url: str) -> str:
    """Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named."""
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgres://")
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _database_url() -> str:
    return driver_url(os.environ.get("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'lms.sqlite'}"))


class Config:
    def __init__(self) -> None:
        self.ENV_NAME = os.environ.get("LMS_ENV", "development")
        self.SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
        self.SQLALCHEMY_DATABASE_URI = _database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        self.SERVICE_NAME = os.environ.get("SERVICE_NAME", "Hidden Harm training")
        self.BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        # Who issues the certificates: the partnership the training belongs to.
        self.PARTNERSHIP_NAME = os.environ.get("PARTNERSHIP_NAME", "Hidden Harm training partnership")

        self.MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
        self.MAIL_USE_TLS = _flag("MAIL_USE_TLS")
        self.MAIL_USE_SSL = _flag("MAIL_USE_SSL")
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "training@lms.invalid")
        self.OUTBOX_MAX_TRIES = int(os.environ.get("OUTBOX_MAX_TRIES", "8"))

        production = self.ENV_NAME == "production"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = production or _flag("SESSION_COOKIE_SECURE")
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.PERMANENT_SESSION_LIFETIME = 8 * 60 * 60  # one working day
        self.WTF_CSRF_TIME_LIMIT = 8 * 60 * 60
        self.MAX_CONTENT_LENGTH = 5 * 1024 * 1024  # uploads are CSV/YAML files
        self.ANALYZE_AFTER_IMPORT_ROWS = int(os.environ.get("ANALYZE_AFTER_IMPORT_ROWS", "10000"))

        self.LOGIN_MAX_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", "10"))
        self.LOGIN_MAX_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "30"))
        self.LOGIN_WINDOW_SECONDS = 60
        self.PASSWORD_RESET_HOURS = 2

        self.CONTENT_ROOT = Path(os.environ.get("CONTENT_ROOT", ROOT))

        # Only our own files; GOV.UK Frontend's one-line inline script carries a nonce.
        self.CONTENT_SECURITY_POLICY = (
            "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
            "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'"
        )

        if production and self.SECRET_KEY == DEV_SECRET_KEY:
            raise RuntimeError("Set SECRET_KEY: refusing to run in production with the development key.")
