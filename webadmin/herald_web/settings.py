"""Django settings for the Herald web admin, on the device and on a host.

Everything that differs between the two comes from herald.environment
(HERALD_MODE, HERALD_DATA_DIR, REDIS_URL); secrets are generated into the
data directory on first start.
"""

from __future__ import annotations

import os

from herald.bus import REPLY_SECONDS
from herald.environment import current
from herald_web.keys import secret

ENVIRONMENT = current()
DATA_DIR = ENVIRONMENT.data_dir
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = secret(ENVIRONMENT.secrets_dir, "django-secret-key")
DEBUG = not ENVIRONMENT.is_device and os.environ.get("HERALD_DEBUG") == "1"
# A device is reached by whatever address or name the network gives it.
ALLOWED_HOSTS = ["*"]

# The web admin's apps: one per menu item of the manual, the shared page
# frame (ui) and the VAPIX API. Their labels are the last part of the name.
HERALD_APPS = [f"herald_web.{app}" for app in (
    "ui", "accounts", "vapix", "status", "audio", "light", "recordings", "detectors", "events",
    "system", "mqtt", "maintenance")]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    *HERALD_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "herald_web.security.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "herald_web.unavailable.BusUnavailable",
]
# VAPIX's CGIs (herald_web.vapix.registry) run behind these alone (handler.py):
# their callers bring no session, CSRF token or messages and want no static file.
CGI_MIDDLEWARE = [m for m in MIDDLEWARE if m not in (
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
)]

ROOT_URLCONF = "herald_web.urls"
ASGI_APPLICATION = "herald_web.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "herald_web.ui.context.device",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ENVIRONMENT.database,
        # Kept open by the pooled request threads (handler.py) instead of a
        # connection opened and closed for each request.
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            # WAL: readers never wait for the writer; FULL: an answered change
            # survives a power cut. IMMEDIATE: writers queue instead of failing.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Account"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# scrypt (memory-hard), sized for a small device: accounts/hashers.py.
PASSWORD_HASHERS = ["herald_web.accounts.hashers.DeviceScryptHasher"]
# The manual's rule (1 to 64 printable ASCII characters) is checked by the
# account forms; Axis devices impose no further password policy.
AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "status:index"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"
# Security headers (framing, sniffing, referrer, content policy) and Secure
# cookies over HTTPS: herald_web.security, on Django's and the streaming CGIs' replies.

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# Static files come straight from the apps' static/ directories: no
# collectstatic step and no separate web server on the device.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Logging goes to the system log (herald.system.logs), set up by each entry point.
LOGGING_CONFIG = None

REDIS_URL = ENVIRONMENT.redis_url


def _kombu_url(url: str) -> str:
    """Celery names a unix socket redis+socket:// where redis-py says unix://."""
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # No read timeout: the layer blocks on BZPOPMIN for seconds at a time,
        # longer than redis-py's default 5 s socket timeout would allow.
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": None, "socket_connect_timeout": 5}],
            "prefix": "herald:asgi",
        },
    }
}

CELERY_BROKER_URL = _kombu_url(REDIS_URL)
CELERY_RESULT_BACKEND = _kombu_url(REDIS_URL)
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# As the bus's own clients (herald.bus): a Redis command unanswered within
# REPLY_SECONDS fails, and a publish is tried once more at once (a connection
# broken by a Redis restart), not three times over seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_timeout": REPLY_SECONDS, "socket_connect_timeout": 2}
CELERY_REDIS_SOCKET_TIMEOUT = REPLY_SECONDS
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0,
                                    "interval_max": 0}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "deliver waiting notifications": {
        "task": "herald_web.events.tasks.deliver_notifications", "schedule": 30.0},
}
CELERY_TIMEZONE = TIME_ZONE

