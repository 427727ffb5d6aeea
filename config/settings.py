"""One settings module, read from environment variables (see README: Configuration)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the data folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_NAME = os.environ.get("SITE_NAME", "民情")

INSTALLED_APPS = [
    "directory.admin_config.MinqingAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "django_q",
    "directory",
    "rules",
    "visits",
    "petitions",
    "proposals",
    "assistance",
    "reports",
    "benchmark",  # manage.py benchmark (imports every app; nothing imports it)
    "config",  # manage.py demo (imports every app; nothing imports it)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "directory.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "directory.middleware.LoginRequiredMiddleware",
    "directory.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "directory.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'minqing.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        # A kept connection the database has dropped (restart, failover, idle timeout) is
        # replaced before the request uses it, instead of failing that request.
        conn_health_checks=envbool("DB_CONN_HEALTH_CHECKS", "True"),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the queue worker write while the web process reads.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    # The deadline board's covering indexes (rules.Clock) carry non-key columns on PostgreSQL;
    # SQLite builds them as plain indexes on their key, which is all the demo needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and envbool(
    "DB_JIT_OFF", "True"
):
    # No JIT compilation: the pages' queries run in milliseconds, and a count over many rows
    # whose estimate crosses jit_above_cost spent ~70 ms compiling itself (the deadline board's
    # trend, with 5 years of clocks) to save nothing.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "directory.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "login"

# Every sign-in attempt is recorded and repeated failures lock out (directory.login).
AUTHENTICATION_BACKENDS = ["directory.login.ThrottledModelBackend"]
LOGIN_FAILURES_BEFORE_LOCKOUT = envint("LOGIN_FAILURES_BEFORE_LOCKOUT", "5")
LOGIN_FAILURES_PER_ADDRESS = envint("LOGIN_FAILURES_PER_ADDRESS", "20")
LOGIN_LOCKOUT_SECONDS = envint("LOGIN_LOCKOUT_SECONDS", "900")
# The header a trusted reverse proxy puts the client's address in (e.g. HTTP_X_REAL_IP); empty:
# REMOTE_ADDR. Used by the login lockout and the public form's limits.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
LEDGER_UPLOAD_MAX_BYTES = envint("LEDGER_UPLOAD_MAX_BYTES", str(20 * 1024 * 1024))
# An archive (.xlsx, .zip) is refused before it is parsed when it unpacks to more than this, or
# a member of it is compressed more than this ratio to 1 (a "zip bomb").
LEDGER_UNPACKED_MAX_BYTES = envint("LEDGER_UNPACKED_MAX_BYTES", str(256 * 1024 * 1024))
LEDGER_UNPACKED_MAX_RATIO = envint("LEDGER_UNPACKED_MAX_RATIO", "100")
# Uploads larger than this are imported on the queue (the page shows the progress).
LEDGER_INLINE_MAX_BYTES = envint("LEDGER_INLINE_MAX_BYTES", str(512 * 1024))

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Mail: console by default so a demo prints what it would send.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "minqing@localhost")

# The queue. The database broker (the default) keeps a task whose worker died; Redis is an option.
Q_BROKER = os.environ.get("Q_BROKER", "orm")  # "orm" or "redis"
Q_CLUSTER: dict[str, object] = {
    "name": "minqing",
    "workers": envint("Q_WORKERS", "2"),
    "recycle": envint("Q_RECYCLE", "50"),
    "timeout": envint("Q_TIMEOUT", "600"),
    "retry": envint("Q_RETRY", "720"),
    "max_attempts": envint("Q_MAX_ATTEMPTS", "3"),
    "catch_up": False,
    "save_limit": 1000,
    "label": _("Queue"),
}
# Year-end PDFs render on a cluster of their own whose one worker is replaced after every report
# (WeasyPrint holds the whole document in memory). Start it with Q_CLUSTER_NAME=reports qcluster.
REPORTS_Q_CLUSTER = os.environ.get("REPORTS_Q_CLUSTER", "reports")
Q_CLUSTER["ALT_CLUSTERS"] = {
    "reports": {
        "workers": 1,
        "recycle": 1,
        "timeout": envint("REPORTS_JOB_TIMEOUT", "1800"),
        "retry": envint("REPORTS_JOB_TIMEOUT", "1800") + 120,
        "max_attempts": 1,
    }
}
if Q_BROKER == "redis":
    Q_CLUSTER["redis"] = REDIS_URL or "redis://127.0.0.1:6379/0"
else:
    Q_CLUSTER["orm"] = "default"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES")
CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if envbool("BEHIND_HTTPS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HTTPS only, once the site is served over TLS (README: Deployment).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD")
# Every asset is served by the application itself: pages may load nothing from elsewhere and
# run no inline script or style (directory.middleware.ContentSecurityPolicyMiddleware).
CONTENT_SECURITY_POLICY = os.environ.get(
    "CONTENT_SECURITY_POLICY",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# Reminders: working days before a due date at which people are reminded, and how many
# working days after the due date an overdue item escalates from the supervising office to the
# leader in charge.
REMINDER_DUE_SOON_WORKDAYS = [int(n) for n in envlist("REMINDER_DUE_SOON_WORKDAYS", "3,1")]
ESCALATE_TO_LEADER_AFTER_WORKDAYS = envint("ESCALATE_TO_LEADER_AFTER_WORKDAYS", "3")
# A reminder claimed by a worker that died is handed to another after this many seconds.
REMINDER_CLAIM_TIMEOUT = envint("REMINDER_CLAIM_TIMEOUT", "900")
# Reminders handed to workers in batches of this many; batches follow one another until none is
# left or the task's time is up (DELIVERY_RUN_SECONDS, by default 80 % of Q_TIMEOUT).
REMINDER_BATCH_SIZE = envint("REMINDER_BATCH_SIZE", "500")
DELIVERY_RUN_SECONDS = envint("DELIVERY_RUN_SECONDS", str(envint("Q_TIMEOUT", "600") * 4 // 5))

# Outside delivery (e-mail, text messages, duty-group robots): one delivery per notification and
# channel, retried after DELIVERY_RETRY_SECONDS × 4ⁿ⁻¹ and given up after DELIVERY_MAX_ATTEMPTS
# tries. A worker holds one delivery for DELIVERY_LEASE_SECONDS; each channel's timeout is kept
# below it.
DELIVERY_MAX_ATTEMPTS = envint("DELIVERY_MAX_ATTEMPTS", "6")
DELIVERY_RETRY_SECONDS = envint("DELIVERY_RETRY_SECONDS", "60")
DELIVERY_LEASE_SECONDS = envint("DELIVERY_LEASE_SECONDS", "120")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "30")
# The SMS gateway of the government messaging platform (HTTP, form-encoded POST): empty URL = no
# text messages. SMS_GATEWAY_EXTRA holds fixed fields (`action=send&userid=12`);
# SMS_GATEWAY_SUCCESS, when set, must appear in the gateway's answer.
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_ACCOUNT = os.environ.get("SMS_GATEWAY_ACCOUNT", "")
SMS_GATEWAY_PASSWORD = os.environ.get("SMS_GATEWAY_PASSWORD", "")
SMS_GATEWAY_TEMPLATE = os.environ.get("SMS_GATEWAY_TEMPLATE", "【{site}】{title}")
SMS_GATEWAY_EXTRA = os.environ.get("SMS_GATEWAY_EXTRA", "")
SMS_GATEWAY_SUCCESS = os.environ.get("SMS_GATEWAY_SUCCESS", "")
SMS_GATEWAY_TIMEOUT = envint("SMS_GATEWAY_TIMEOUT", "15")
WEBHOOK_TIMEOUT = envint("WEBHOOK_TIMEOUT", "15")
