"""Settings. Every environment variable is declared once, in the block below, with its type and
default; `.env.example` lists the same variables."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shoushan.config.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/shoushan
PROJECT_DIR = PACKAGE_DIR.parents[1]

# ---- environment -----------------------------------------------------------------------------
DEBUG = env_bool("SHOUSHAN_DEBUG", False)
SECRET_KEY = env_str("SHOUSHAN_SECRET_KEY", "")
DATABASE_URL = env_str(
    "SHOUSHAN_DATABASE_URL", f"sqlite:///{PROJECT_DIR / 'var' / 'shoushan.sqlite3'}"
)
# A PostgreSQL streaming standby that the ranking and the cockpit's counts may read from while
# it is at most REPLICA_MAX_LAG_SECONDS behind (shoushan.core.standby); empty: none.
REPLICA_DATABASE_URL = env_str("SHOUSHAN_REPLICA_DATABASE_URL", "")
REPLICA_MAX_LAG_SECONDS = env_int("SHOUSHAN_REPLICA_MAX_LAG_SECONDS", 30)
# The cache every process and machine shares (e.g. redis://10.0.0.31:6379/0); empty: a table of
# the database.
CACHE_URL = env_str("SHOUSHAN_CACHE_URL", "")
ALLOWED_HOSTS = env_list("SHOUSHAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("SHOUSHAN_CSRF_TRUSTED_ORIGINS", [])
SECURE_COOKIES = env_bool("SHOUSHAN_SECURE_COOKIES", False)  # true behind HTTPS
STATIC_ROOT = Path(env_str("SHOUSHAN_STATIC_ROOT", str(PROJECT_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("SHOUSHAN_MEDIA_ROOT", str(PROJECT_DIR / "var" / "media")))  # photos
SESSION_IDLE_MINUTES = env_int("SHOUSHAN_SESSION_IDLE_MINUTES", 30)
LOGIN_MAX_FAILURES = env_int("SHOUSHAN_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("SHOUSHAN_LOGIN_LOCKOUT_MINUTES", 15)
# How long audit records stay in the table before `shoushan audit_archive` moves them to a file;
# the Cybersecurity Law asks at least six months.
AUDIT_RETENTION_MINIMUM_DAYS = 180
AUDIT_RETENTION_DAYS = env_int("SHOUSHAN_AUDIT_RETENTION_DAYS", 365)
AUDIT_ARCHIVE_DIR = Path(
    env_str("SHOUSHAN_AUDIT_ARCHIVE_DIR", str(PROJECT_DIR / "var" / "audit-archive"))
)
# Where `shoushan partitions archive` writes the months of history it takes out of PostgreSQL.
HISTORY_ARCHIVE_DIR = Path(
    env_str("SHOUSHAN_HISTORY_ARCHIVE_DIR", str(PROJECT_DIR / "var" / "history-archive"))
)
# Where `shoushan backup` writes (a folder on another disk or machine in production).
BACKUP_DIR = Path(env_str("SHOUSHAN_BACKUP_DIR", str(PROJECT_DIR / "var" / "backups")))
# API tokens are valid for at most this many days (each one for the days chosen when made).
API_TOKEN_MAX_DAYS = env_int("SHOUSHAN_API_TOKEN_MAX_DAYS", 365)
# A password older than this must be changed at the next sign-in (0: passwords do not expire).
PASSWORD_MAX_AGE_DAYS = env_int("SHOUSHAN_PASSWORD_MAX_AGE_DAYS", 90)
# However active, a session ends this many hours after its sign-in.
SESSION_ABSOLUTE_HOURS = env_int("SHOUSHAN_SESSION_ABSOLUTE_HOURS", 12)
# Who must sign in with a second factor (a TOTP authenticator app): "administrators" (city and
# district administrators), "everyone", or "nobody"; anyone else may turn it on for themselves.
TWO_FACTOR_REQUIRED_FOR = env_str("SHOUSHAN_TWO_FACTOR_REQUIRED_FOR", "administrators")
if TWO_FACTOR_REQUIRED_FOR not in ("administrators", "everyone", "nobody"):
    raise ImproperlyConfigured(
        "SHOUSHAN_TWO_FACTOR_REQUIRED_FOR is administrators, everyone or nobody."
    )
OTP_TOTP_ISSUER = "Shoushan"
# Sign-in attempts from one address, on any accounts, in the same window (password spraying).
LOGIN_MAX_PER_ADDRESS = env_int("SHOUSHAN_LOGIN_MAX_PER_ADDRESS", 50)
# The reverse proxies in front of the server (comma-separated addresses): for requests from them
# the client's address is read from X-Forwarded-For; from anyone else the header is ignored.
TRUSTED_PROXIES = env_list("SHOUSHAN_TRUSTED_PROXIES", [])
MAP_TILE_URL = env_str("SHOUSHAN_MAP_TILE_URL", "")  # e.g. an intranet tile server; empty: none
LOG_LEVEL = env_str("SHOUSHAN_LOG_LEVEL", "INFO")
# How often a process asks whether data it keeps in memory changed (the grids, the divisions'
# gazetteer, the case catalogue, Open311 keys, the active intake model): a change, a new grid
# layer or a revoked key, reaches every process and machine within this many seconds.
VERSION_CHECK_SECONDS = env_int("SHOUSHAN_VERSION_CHECK_SECONDS", 10)
# How long a process reuses a cockpit tile's count before counting the records again.
COCKPIT_RECOUNT_SECONDS = env_int("SHOUSHAN_COCKPIT_RECOUNT_SECONDS", 300)
# Public reference data that the project may read but not ship (see its SOURCES.md): the demo
# builds the provincial evaluation from it when it is there.
# The publisher prefix of the 360Giving identifiers in the purchase of services' export.
GIVING_PREFIX = env_str("SHOUSHAN_360G_PREFIX", "shoushan")
SHARED_DATA_DIR = Path(env_str("SHOUSHAN_SHARED_DATA", str(PROJECT_DIR.parent / "shared" / "data")))
# ----------------------------------------------------------------------------------------------

if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SHOUSHAN_SECRET_KEY is not set. Production refuses to start without a secret key; "
            "`make run` writes one into .env, or set SHOUSHAN_DEBUG=true for development."
        )
    SECRET_KEY = "development-only-insecure-key"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "shoushan.core",
    "shoushan.audit",
    "shoushan.regions",
    "shoushan.accounts",
    "shoushan.cockpit",
    "shoushan.grid",
    "shoushan.community",
    "shoushan.workforce",
    "shoushan.volunteers",
    "shoushan.reviews",
    "shoushan.organizations",
    "shoushan.party",
    "shoushan.purchasing",
    "shoushan.thinktank",
    "shoushan.evaluation",
    "shoushan.platform",
]

# Long work (imports, PDFs) is queued in the database and run by `shoushan db_worker`, which
# `make run` starts beside the server (a service in production: docs/operations.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shoushan.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shoushan.core.middleware.LanguageMiddleware",
    "shoushan.core.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "shoushan.accounts.middleware.LoginRequiredMiddleware",
    "shoushan.audit.middleware.AuditTrailMiddleware",
    "shoushan.core.middleware.NoStoreMiddleware",
    "shoushan.core.middleware.DomainErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shoushan.accounts.middleware.IdentityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shoushan.config.urls"
WSGI_APPLICATION = "shoushan.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shoushan.cockpit.context_processors.navigation",
            ],
            "builtins": [
                "shoushan.core.templatetags.shoushan",
                "shoushan.audit.templatetags.audit_labels",
                "shoushan.regions.templatetags.region_labels",
                "shoushan.grid.templatetags.case_labels",
            ],
        },
    },
]

DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one writer writes; IMMEDIATE avoids lock upgrades failing.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = dj_database_url.parse(REPLICA_DATABASE_URL, conn_max_age=60)
    # a standby that has gone away must not hold a request long before the primary answers
    DATABASES["replica"]["OPTIONS"] = {"connect_timeout": 2}
DATABASE_ROUTERS = ["shoushan.core.standby.StandbyRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cockpit:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after SESSION_IDLE_MINUTES without a request: each request renews the cookie.
CACHES = {
    # Per process: what each process may keep for a few seconds (grid index checks, Open311 keys).
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Shared by every process and machine (Redis, or a table of the database): results that are
    # dear to compute, such as the month's clustered problems.
    "shared": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "shoushan_cache",
        }
    ),
}

SESSION_COOKIE_AGE = int(timedelta(minutes=SESSION_IDLE_MINUTES).total_seconds())
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind HTTPS (secure cookies on): redirect plain HTTP, and tell browsers to use HTTPS only.
SECURE_SSL_REDIRECT = SECURE_COOKIES
SECURE_HSTS_SECONDS = 31_536_000 if SECURE_COOKIES else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_COOKIES
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy's health check may speak plain HTTP
# the TLS proxy says so in X-Forwarded-Proto (set it there: docs/operations.md)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_COOKIES else None
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint reports every step of setting a PDF at INFO; its warnings still show.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 50

AUTHENTICATION_BACKENDS = ["shoushan.accounts.backends.AccountBackend"]
CSRF_FAILURE_VIEW = "shoushan.core.views.csrf_failure"
