"""Settings shared by every environment. Everything deployment-specific comes from env vars
(documented in README.md and .env.example)."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, env_bool, env_int, env_list, env_str, load_dotenv

load_dotenv()

VAR_DIR = BASE_DIR / "var"

DEV_SECRET_KEY = "postsale-development-only-not-secret"  # noqa: S105 — refused in production
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
POSTSALE_BASE_URL = env_str("POSTSALE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks_db",
    "postsale.core",
    "postsale.sellers",
    "postsale.orders",
    "postsale.payments",
    "postsale.tickets",
    "postsale.kb",
    "postsale.checkin",
    "postsale.notifications",
    "postsale.analytics",
    "postsale.backoffice",
    "postsale.portal",
    "postsale.api",
    "postsale.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database: DATABASE_URL, default an embedded SQLite file under ./var/.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'postsale.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Web and worker share one file: WAL lets readers run beside the writer, IMMEDIATE
    # transactions take the write lock up front instead of failing half-way.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:orders"
LOGOUT_REDIRECT_URL = "backoffice:login"

# Languages (SPEC §12).
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("pl", _("Polish")),
    ("it", _("Italian")),
    ("he", _("Hebrew")),
    ("uk", _("Ukrainian")),
]
LOCALE_PATHS = [BASE_DIR / "postsale" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"  # storage; business rules use the seller's zone
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "postsale" / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # `postsale up` serves static files without collectstatic

# Mail (Django 6.1 MAILERS). The outbox (postsale.notifications) sends through "default";
# env vars keep the familiar EMAIL_* names.
MAILERS = {
    "default": {
        "BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "127.0.0.1"),
            "port": env_int("EMAIL_PORT", 1025),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
            "timeout": env_int("EMAIL_TIMEOUT", 10),
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "postsale <no-reply@postsale.localhost>")
# Where `postsale mailcatcher` (started by `postsale up` without EMAIL_HOST) keeps mail.
POSTSALE_MAIL_DIR = Path(env_str("POSTSALE_MAIL_DIR", str(VAR_DIR / "mail")))

# Background work (django.tasks). Embedded default: the database-backed backend.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Broker-based backend for higher volume: TASKS_BACKEND=django_tasks_celery.CeleryBackend
# with a Redis or RabbitMQ broker (redis://127.0.0.1:6379/0, amqp://guest:guest@host//).
# Results are not kept: nothing reads them; the database rows are the state.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "postsale")
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task is acknowledged after it ran, so a worker killed mid-task leaves it to another
# (tasks are idempotent: they load rows by id and lock them).
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# django-tasks-celery warns that get_result() needs a result backend; we never call it.
SILENCED_SYSTEM_CHECKS = ["django_tasks_celery.W001", "django_tasks_celery.W002"]
# How often `postsale worker` runs the sweep of due items (outbox retries, timers).
POSTSALE_SWEEP_INTERVAL = env_int("POSTSALE_SWEEP_INTERVAL", 15)
# Outbox retry policy: attempt n waits base * 2**(n-1) seconds, capped.
POSTSALE_MAIL_MAX_ATTEMPTS = env_int("POSTSALE_MAIL_MAX_ATTEMPTS", 8)
POSTSALE_MAIL_RETRY_BASE = env_int("POSTSALE_MAIL_RETRY_BASE", 30)
POSTSALE_MAIL_RETRY_CAP = env_int("POSTSALE_MAIL_RETRY_CAP", 6 * 3600)

# Refund retry policy: a provider that is down is tried again with exponential backoff;
# after the last attempt the refund is "failed" and the seller is told.
POSTSALE_REFUND_MAX_ATTEMPTS = env_int("POSTSALE_REFUND_MAX_ATTEMPTS", 8)
POSTSALE_REFUND_RETRY_BASE = env_int("POSTSALE_REFUND_RETRY_BASE", 60)
POSTSALE_REFUND_RETRY_CAP = env_int("POSTSALE_REFUND_RETRY_CAP", 3600)

# Orders created through the API without a confirmed payment expire after this many
# minutes (0: never); expiry releases their places.
POSTSALE_DEFAULT_PAYMENT_MINUTES = env_int("POSTSALE_DEFAULT_PAYMENT_MINUTES", 60)
# Two paid orders of one customer with the same items this close together: a probable
# duplicate, offered to agents as a refund.
POSTSALE_DUPLICATE_WINDOW_MINUTES = env_int("POSTSALE_DUPLICATE_WINDOW_MINUTES", 120)
# How long the customer has to pay an exchange's price difference before it is canceled.
POSTSALE_EXCHANGE_PAYMENT_HOURS = env_int("POSTSALE_EXCHANGE_PAYMENT_HOURS", 48)
# How long a customer's signed order link stays valid.
POSTSALE_ORDER_LINK_DAYS = env_int("POSTSALE_ORDER_LINK_DAYS", 365)
# The thank-you page a sales channel sends the customer to after paying stays valid this
# long (it shows the entries once the payment is confirmed).
POSTSALE_THANK_YOU_HOURS = env_int("POSTSALE_THANK_YOU_HOURS", 72)
# Rate limits of the customer's self-service, per hour (0: no limit): "find my order" and
# the return-form link per client IP address and per e-mail address typed; e-mails a
# customer's actions send about one order (receipt again, new link, e-mail change).
POSTSALE_FIND_ORDER_PER_IP = env_int("POSTSALE_FIND_ORDER_PER_IP", 20)
POSTSALE_FIND_ORDER_PER_EMAIL = env_int("POSTSALE_FIND_ORDER_PER_EMAIL", 5)
POSTSALE_CUSTOMER_MAIL_PER_ORDER = env_int("POSTSALE_CUSTOMER_MAIL_PER_ORDER", 5)
# How many reverse proxies (load balancers) in front of the web processes append to
# X-Forwarded-For; 0: clients connect directly (REMOTE_ADDR is the client).
POSTSALE_PROXY_COUNT = env_int("POSTSALE_PROXY_COUNT", 0)
# A customer may rate a ticket closed by a person, and change the rating, this many days
# after it closed.
POSTSALE_RATING_DAYS = env_int("POSTSALE_RATING_DAYS", 30)
# Ticket attachments: at most this many files per message, each at most this size.
POSTSALE_ATTACHMENT_MAX_FILES = env_int("POSTSALE_ATTACHMENT_MAX_FILES", 5)
POSTSALE_ATTACHMENT_MAX_BYTES = env_int("POSTSALE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# How long a link to a digital product's file works (a fresh one comes from the order page).
POSTSALE_DOWNLOAD_LINK_HOURS = env_int("POSTSALE_DOWNLOAD_LINK_HOURS", 24)
# Check-in: an entry of a time slot lets people in from this many minutes before the slot
# starts until this many minutes after it ends.
POSTSALE_CHECKIN_EARLY_MINUTES = env_int("POSTSALE_CHECKIN_EARLY_MINUTES", 60)
POSTSALE_CHECKIN_LATE_MINUTES = env_int("POSTSALE_CHECKIN_LATE_MINUTES", 30)

# API bodies larger than this are refused (absurd sizes never reach the parser).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)

# The cache holds rate-limit counters. The default is per process; with several web
# processes set CACHE_URL=redis://… (Django's Redis cache) so
# they share one count.
CACHE_URL = env_str("CACHE_URL", "")
CACHES = {"default": (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL.startswith(("redis://", "rediss://")) else
    {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"})}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's own "django" logger setup, which would print every line twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},  # a line per task; the outbox logs failures
        "mail.log": {"level": "WARNING"},  # aiosmtpd, in the mail catcher
        "weasyprint": {"level": "WARNING"},  # a line per rendering step at INFO
        "fontTools": {"level": "WARNING"},  # font subsetting in PDFs
    },
}
