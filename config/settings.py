"""Overstap settings, read from the environment.

With no variables set the platform runs embedded: SQLite, Celery tasks in-process, e-mail to the console.
``EMBEDDED_WORKER=true`` (set by ``./overstap start``) runs tasks in a real worker without Redis (config/embedded.py).
``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` to a Redis broker and cache with a separate worker.
``DEBUG=false`` is production mode and requires ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.embedded import SQLITE_OPTIONS, broker_transport_options
from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)
PRODUCTION = not DEBUG

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production mode (DEBUG=false) needs a long random SECRET_KEY; "
            'generate one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Calendar UIDs are meeting-<id>@CALENDAR_UID_DOMAIN: one UID per meeting whatever SITE_URL or the request's
# host is, so the feed and the mails update the same event. Never change it once calendars hold events.
CALENDAR_UID_DOMAIN = env_str("CALENDAR_UID_DOMAIN", "overstap.nl")
CALENDAR_KEEP_CANCELLED_DAYS = env_int("CALENDAR_KEEP_CANCELLED_DAYS", 30)  # feed lists them as cancelled

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "parler",
    "core",
    "accounts",
    "pupils",
    "courses",
    "matching",
    "caseloads",
    "parents",
    "placement",
    "api",
    "demo",
]

MIDDLEWARE = [
    "core.headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages and API answers compressed. BREACH (secrets guessed from compressed sizes) is mitigated:
    # since Django 4.2 GZipMiddleware adds random padding to every compressed response (and the CSRF
    # token is masked per response).
    "django.middleware.gzip.GZipMiddleware",
    # Inside gzip, outside session and locale: shareable caching of the public parents' pages.
    "parents.middleware.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "core.errors.NotFoundMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "db.sqlite3")}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the embedded worker write at once: wait for each other instead of failing.
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery and cache -------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Without Redis, ./overstap start still runs a real worker and beat, on kombu's filesystem transport under var/.
EMBEDDED_WORKER = env_bool("EMBEDDED_WORKER", False) and not REDIS_URL
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
CELERY_BROKER_URL = REDIS_URL or ("filesystem://" if EMBEDDED_WORKER else "memory://")
CELERY_RESULT_BACKEND = None  # Results live in our own tables (runs, outbox); nobody reads Celery results.
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or EMBEDDED_WORKER)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Amsterdam"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this many seconds; longer than the hard time limit.
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}

if REDIS_URL:
    # Fails soft to a per-process fallback while Redis is down (core/cache.py): the request path does not
    # depend on Redis. Short socket timeouts so an unreachable host costs half a second, not a minute.
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
elif EMBEDDED_WORKER:
    CELERY_BROKER_TRANSPORT_OPTIONS = broker_transport_options(VAR_DIR)
    # Progress written by the worker must reach the web server: a cache both processes read.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# Exports of personal data need a login or re-authentication this recent (core/reauth.py).
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Overstap] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Overstap"
# Roles that see pupil data must use a second factor. On by default in production.
MFA_REQUIRED_FOR_PUPIL_ROLES = env_bool("MFA_REQUIRED_FOR_PUPIL_ROLES", PRODUCTION)

INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)

# --- Pupil data -------------------------------------------------------------------------------------------
PUPIL_DATA_RETENTION_MONTHS = env_int("PUPIL_DATA_RETENTION_MONTHS", 12)
# Months after a child moved to a regular school before the register record is anonymised.
PLACEMENT_RETENTION_MONTHS = env_int("PLACEMENT_RETENTION_MONTHS", 12)
# Days a parent's e-mail address is kept after its letter was sent, its question answered or its link
# expired (parents/retention.py); the letter needs it no longer, the link works without it.
PARENT_CONTACT_RETENTION_DAYS = env_int("PARENT_CONTACT_RETENTION_DAYS", 30)
# Buddy matching: nightly runs cover pupils whose transition is this many weeks away; matches end after a term.
MATCHING_NIGHTLY_WEEKS = env_int("MATCHING_NIGHTLY_WEEKS", 6)
MATCH_TERM_MONTHS = env_int("MATCH_TERM_MONTHS", 6)
# Pupils per batch task of a match run (see matching/problem_builder.py for the trade-off).
MATCHING_BATCH_PUPILS = env_int("MATCHING_BATCH_PUPILS", 5000)
# Seconds a worker holds a batch without renewing its lease (matching/leases.py); a dead worker's batch is
# sent again by beat's sweep once this runs out.
MATCHING_BATCH_LEASE_SECONDS = env_int("MATCHING_BATCH_LEASE_SECONDS", 30)

# --- I18n -------------------------------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The families' languages on the parents' pages (parents/languages.py knows their names, direction and
# script); Dutch is always the source. Translated content lives beside the Dutch in django-parler's tables.
# Parler insists that its own language list is part of LANGUAGES (the staff interface's nl/en), so it is
# told about those two only: it stores and reads any language code, and parents/ offers the rest.
PARENT_LANGUAGES = env_list("PARENT_LANGUAGES", ["nl", "en", "ar", "uk", "pl", "tr", "ti", "so", "fa", "es"])
# Where the letters' fonts are (Debian's fonts-noto-core and fonts-sil-abyssinica put them here).
LETTER_FONT_DIRS = env_list(
    "LETTER_FONT_DIRS",
    [
        "/usr/share/fonts/truetype/noto",
        "/usr/share/fonts/truetype/abyssinica",
        "/usr/share/fonts/truetype/dejavu",
    ],
)
PARLER_DEFAULT_LANGUAGE_CODE = "nl"
PARLER_LANGUAGES = {
    None: ({"code": "nl"}, {"code": "en"}),
    "default": {"fallbacks": ["nl"], "hide_untranslated": False},
}
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files served at the site's root: /favicon.ico, which browsers ask for on every page.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = BASE_DIR / "media"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)

# --- E-mail -----------------------------------------------------------------------------------------------
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
_EMAIL_OPTIONS: dict[str, object] = {}
if _EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _EMAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 10,
    }
elif _EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    _EMAIL_OPTIONS = {"file_path": env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))}
MAILERS = {"default": {"BACKEND": _EMAIL_BACKEND, "OPTIONS": _EMAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Overstap <noreply@overstap.local>")

# --- Security ---------------------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Sessions in the database, never in the cache: a Redis outage must not log everyone out or fail pages.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Messages name the pair they concern ("Koppeling Hamid R. - Bram K. goedgekeurd"): kept in the server-side
# session, never in a cookie (the default storage would put a pupil's name in the browser's cookie jar).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Messages live in the session: no separate "messages" cookie whose deletion (Django deletes cookies without
# the Secure flag) would be the one insecure cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # a load balancer probes over plain HTTP inside the network
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- API --------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated call answers 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.SecondFactorSet",
    ],
    # The API takes JSON; the CSV imports add multipart on their own action (api/matching.py).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/min"),
        "user": env_str("API_THROTTLE_USER", "1200/min"),
        "token": "10/min",
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + ([] if PRODUCTION else ["rest_framework.renderers.BrowsableAPIRenderer"]),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Overstap API",
    "DESCRIPTION": "Professional development, buddy matching and caseloads for schools with newcomer pupils.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "BuddyKindEnum": "matching.models.BuddyKind.choices",
        "GenderEnum": "pupils.models.Gender.choices",
        "EndReasonEnum": "matching.models.EndReason.choices",
        "CaseStatusEnum": "caseloads.models.CaseStatus.choices",
        "TopicEnum": "caseloads.models.Topic.choices",
    },
}

# --- Logging ----------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
