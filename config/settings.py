"""Settings for the portal, read from the environment.

With no environment at all the portal runs for development: SQLite under ``var/``, uploaded files
under ``var/media``, Celery on kombu's filesystem transport under ``var/celery``, e-mail printed to
the console. Set ``DJANGO_ENV=production`` for the production mode (see ``.env.example``); it
refuses to start without a secret key and allowed hosts, and passes ``check --deploy``.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PRODUCTION = env("DJANGO_ENV", "development") == "production"
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

SECRET_KEY = env("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "development-only-key-not-for-production-use-8f3b1c2d9e7a6f5b4c3d2e1f0a9b8c7d"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# The portal's public address, printed in certificates' QR codes (their verification page).
PORTAL_URL = env("PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "config.admin.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "import_export",
    "axes",
    "csp",
    "bureaus",
    "accounts",
    "programmes",
    "cohorts",
    "workshops",
    "assessments",
    "certificates",
    "credits",
    "stipends",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.LanguageMiddleware",
    # Before anything reads a request's body: an oversize upload is refused unread.
    "bureaus.request_limits.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bureaus.middleware.BureauScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "60")), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "db.sqlite3"}
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The web server, the worker and beat share one file. WAL lets readers and the one writer go
    # on side by side, so a running job can mark itself alive while another connection writes;
    # writers queue for up to 20 s instead of failing at once. synchronous=NORMAL is WAL's
    # usual partner: a commit no longer waits for an fsync (a power cut can lose the last
    # commits, never corrupt the file).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            # A cache that is down must fail fast; callers treat it as a miss.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
else:
    # A cache the web server and the Celery worker share on one machine (import progress).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Authentication ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out (username, IP) pair before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PortalBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# django-guardian: object permissions live in direct foreign-key tables, no anonymous user.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

# django-axes: schools share one NAT address, so a lockout is keyed on username + IP together,
# and one teacher's typing errors never lock out the whole school.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(env("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = env_bool("AXES_VERBOSE", False)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "accounts.backends.client_ip"
# How many reverse proxies in front of the portal append to X-Forwarded-For (0: use REMOTE_ADDR).
PORTAL_TRUSTED_PROXY_COUNT = int(env("PORTAL_TRUSTED_PROXY_COUNT", "0"))

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "portal_language"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Uploaded files are never served from a public URL: every download goes through a view that
# checks permission. MEDIA_URL exists only because storages need one.
MEDIA_URL = "/media-not-public/"

AWS_STORAGE_BUCKET_NAME = env("S3_BUCKET")
if AWS_STORAGE_BUCKET_NAME:
    # Several web and worker machines share uploaded files through S3-compatible storage.
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("S3_ENDPOINT_URL") or None,
            "region_name": env("S3_REGION") or None,
            "access_key": env("S3_ACCESS_KEY_ID") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "location": env("S3_PREFIX", "media"),
        },
    }
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The form fields of a request, without its files (those are limited by UPLOAD_MAX_REQUEST_MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "bureaus.request_limits.RequestTotalUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- E-mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that takes the connection and then hangs must not hold a job forever: the send
# fails after this long and the outbox runs it again later.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "教师发展平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery -----------------------------------------------------------------------------------
CELERY_DIR = VAR_DIR / "celery"
CELERY_DIR.mkdir(parents=True, exist_ok=True)  # beat keeps its schedule here, whatever the broker
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(env("CELERY_FILESYSTEM_DIR", str(CELERY_DIR / "broker")))
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "portal")
# Jobs that name a queue of their own (``bureaus.outbox.job(queue=...)``) go to the broker queue
# named here: PDFs on "pdf", which a worker of its own may take (`celery worker -Q pdf`).
CELERY_JOB_QUEUES = {"pdf": env("CELERY_PDF_QUEUE", "pdf")}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No job runs without end: past the soft limit it is stopped with an error (and run again later
# by the outbox, up to its most runs); past the hard limit the worker process is replaced.
CELERY_TASK_SOFT_TIME_LIMIT = int(env("CELERY_TASK_SOFT_TIME_LIMIT", "1800"))
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing happens after the commit of the change that caused the job (bureaus.outbox): a
# broker that is down must answer quickly, so the person who acted is not kept waiting.
CELERY_BROKER_CONNECTION_TIMEOUT = float(env("CELERY_BROKER_CONNECTION_TIMEOUT", "2"))
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2}
# Outbox: a failed job runs again after 1, 2, 4 … minutes; pending jobs wait this long for
# their after-commit hand-over before the sweep takes them.
OUTBOX_RETRY_BASE_SECONDS = int(env("OUTBOX_RETRY_BASE_SECONDS", "60"))
OUTBOX_SETTLE_SECONDS = int(env("OUTBOX_SETTLE_SECONDS", "10"))
# A running job shows it is alive this often; silent for OUTBOX_LOST_AFTER_SECONDS, its worker is
# taken to be gone and the job runs again. Handed over and not started after
# OUTBOX_DISPATCH_STALE_SECONDS, the message is taken to be lost and handed over again.
OUTBOX_HEARTBEAT_SECONDS = int(env("OUTBOX_HEARTBEAT_SECONDS", "15"))
OUTBOX_LOST_AFTER_SECONDS = int(env("OUTBOX_LOST_AFTER_SECONDS", "60"))
OUTBOX_DISPATCH_STALE_SECONDS = int(env("OUTBOX_DISPATCH_STALE_SECONDS", "300"))
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DIR / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Claims make reminders at-most-once, so scanning more often than daily is harmless.
    "scan-briefing-reminders": {
        "task": "workshops.tasks.scan_reminders",
        # Every hour in the working day; REMINDER_SCAN_EVERY_SECONDS sets a plain interval.
        "schedule": float(env("REMINDER_SCAN_EVERY_SECONDS"))
        if env("REMINDER_SCAN_EVERY_SECONDS")
        else crontab(minute=5, hour="8-20"),
    },
    # Follow-up jobs the broker did not get, or whose run was lost (bureaus.outbox).
    "sweep-outbox": {
        "task": "bureaus.tasks.sweep_outbox",
        "schedule": float(env("OUTBOX_SWEEP_EVERY_SECONDS", "30")),
    },
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
}

# --- Security ---------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts, styles and images only from
# the portal itself, so the templates carry no inline script, style or event handler. A page
# that cannot do without an inline script gives it request.csp_nonce (csp.constants.NONCE).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    LANGUAGE_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
    if env_bool("DJANGO_BEHIND_TLS_PROXY", True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The health check is reached over plain HTTP by the container runtime.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Lockouts are recorded in the database (admin → axes); keep the console for warnings.
        "axes": {"level": env("AXES_LOG_LEVEL", "WARNING")},
        # WeasyPrint narrates every step of every PDF at INFO; its warnings (a refused URL) stay.
        "weasyprint": {"level": "WARNING"},
    },
}
PORTAL_SITE_NAME = _("Teacher Development Portal")

# --- Imports and exports (django-import-export) -------------------------------------------------
# Both formats read and write through bureaus.spreadsheets: a csv is decoded whatever Excel saved
# it as, a formula cell in an upload is reported, and no exported cell becomes a formula.
from bureaus.spreadsheets import SpreadsheetCSV, SpreadsheetXLSX  # noqa: E402

IMPORT_FORMATS = [SpreadsheetXLSX, SpreadsheetCSV]
EXPORT_FORMATS = [SpreadsheetXLSX, SpreadsheetCSV]
# A backstop for any other tablib format only: django-import-export's own escaping drops the
# leading "=" (changing the value), ignores + - @, and turns numbers and dates into text, which is
# why the formats above write through bureaus.spreadsheets instead of calling it.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Uploaded files wait between the preview and the confirmation in the file storage, which several
# web machines share (S3 in production), not in one machine's temporary folder.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.MediaStorage"
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
EVIDENCE_MAX_FILE_MB = int(env("EVIDENCE_MAX_FILE_MB", "20"))
# The most one request may carry, all its files together: a few files of the largest size. A larger
# body is refused before it is read (bureaus.request_limits); the reverse proxy in
# docker-compose.yml has the same limit (client_max_body_size).
UPLOAD_MAX_REQUEST_MB = int(env("UPLOAD_MAX_REQUEST_MB", str(EVIDENCE_MAX_FILE_MB * 5)))
# The most rows (besides the header) an uploaded roster may have; split larger ones.
ROSTER_MAX_ROWS = int(env("ROSTER_MAX_ROWS", "20000"))

# Briefing reminders: days before a deadline, and the overdue notice days after it.
REMINDER_DAYS_BEFORE = tuple(int(d) for d in env_list("REMINDER_DAYS_BEFORE", "7,1"))
REMINDER_OVERDUE_AFTER_DAYS = int(env("REMINDER_OVERDUE_AFTER_DAYS", "1"))
