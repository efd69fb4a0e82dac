"""Settings for the test suite: the ordinary settings, made fast and self-contained."""

import os

from .settings import *  # noqa: F403
from .settings import DATABASES, REDIS_URL, VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
MEDIA_ROOT = VAR_DIR / "test-media"
DATABASES["default"]["CONN_MAX_AGE"] = 0  # no connection outlives a test

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory: the tests that start a real Celery worker share the database with it.
    # One file per test run, so that two runs on one machine never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}

# Tasks published by the test process go to a queue of their own, never the demo's.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "portal-test")
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if not REDIS_URL and not os.environ.get("CELERY_BROKER_URL"):
    CELERY_BROKER_URL = "memory://"
