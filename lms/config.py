"""Settings from the environment. SQLite under instance/ unless DATABASE_URL is set.

No secret key is written in the code. Production, the default, needs SECRET_KEY; development has to
be chosen with LMS_ENV=development and then signs with the random key `make run` writes to
instance/secret_key. Anything else refuses to start rather than guess.
"""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY_FILE = ROOT / "instance" / "secret_key"
ENVIRONMENTS = ("development", "production")
MIN_SECRET_KEY_BYTES = 32
NEW_KEY = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


def _environment() -> str:
    name = os.environ.get("LMS_ENV", "production")
    if name not in ENVIRONMENTS:
        raise RuntimeError(f"LMS_ENV must be development or production, not {name!r}.")
    return name


def _secret_key(environment: str) -> str:
    """SECRET_KEY from the environment or, in development only, the key file `make run` writes."""
    key = os.environ.get("SECRET_KEY", "")
    if not key and environment == "development":
        if not SECRET_KEY_FILE.is_file():
            raise RuntimeError(f"LMS_ENV=development signs with {SECRET_KEY_FILE}, which `make run` creates.")
        key = SECRET_KEY_FILE.read_text().strip()
    if not key:
        raise RuntimeError(
            f"Set SECRET_KEY (make one with: {NEW_KEY}), or LMS_ENV=development to use the key "
            "`make run` creates in instance/secret_key. Refusing to start without a key."
        )
    if environment == "production" and len(key.encode()) < MIN_SECRET_KEY_BYTES:
        raise RuntimeError(f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes in production (make one with: {NEW_KEY}).")
    return key


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
        self.ENV_NAME = _environment()
        self.SECRET_KEY = _secret_key(self.ENV_NAME)
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
        # How long a worker holds a message it is sending; longer than any one delivery can take.
        self.OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "600"))
        # How long any one step of an SMTP conversation may stall: well inside the lease, so a server
        # that stops answering can never hold an email past it (another worker would send it again).
        self.MAIL_TIMEOUT_SECONDS = int(os.environ.get("MAIL_TIMEOUT_SECONDS", "60"))
        if self.MAIL_TIMEOUT_SECONDS * 2 > self.OUTBOX_LEASE_SECONDS:
            raise RuntimeError("MAIL_TIMEOUT_SECONDS must be at most half of OUTBOX_LEASE_SECONDS.")

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
        # Reset emails: a few an hour for one account, more for one address (an office behind one IP).
        self.PASSWORD_RESET_MAX_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_MAX_PER_ACCOUNT", "3"))
        self.PASSWORD_RESET_MAX_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_MAX_PER_ADDRESS", "20"))
        self.PASSWORD_RESET_WINDOW_SECONDS = 60 * 60

        self.CONTENT_ROOT = Path(os.environ.get("CONTENT_ROOT", ROOT))

        # Only our own files; GOV.UK Frontend's one-line inline script carries a nonce.
        self.CONTENT_SECURITY_POLICY = (
            "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
            "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
            "form-action 'self'; frame-ancestors 'none'"
        )
