"""One settings module for every install, driven by the environment.

Defaults run the product on one machine with nothing else installed (SQLite,
huey on SQLite, files on local disk). Production sets DATABASE_URL,
HUEY_REDIS_URL, SECRET_KEY and friends; see .env.example.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    # Reject typos such as DEBUG=Flase instead of silently reading them as True.
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false)")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envsecret(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker/K8s secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    parts = urlsplit(url)
    if parts.scheme in ("postgres", "postgresql"):
        options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        pool_max = int(options.pop("pool_max", "10"))
        db: dict = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parts.path.lstrip("/")),
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": dict(options),
        }
        # A database that does not answer fails in seconds, not at the TCP timeout.
        db["OPTIONS"].setdefault("connect_timeout", 5)
        if pool_max > 0:
            # Django 5.1+ native psycopg 3 pool; CONN_MAX_AGE must stay 0 with it.
            db["OPTIONS"]["pool"] = {"min_size": 1, "max_size": pool_max, "timeout": 10}
        return db
    if parts.scheme == "sqlite":
        return sqlite_database(Path(unquote(parts.path)))
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parts.scheme!r} is not supported")


def sqlite_database(path: Path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # WAL lets readers run while one writer writes; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue instead of failing mid-transaction.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        },
        "TEST": {"NAME": None},
    }


DEBUG = envbool("DEBUG", False)
# Server-level benchmarks (scripts/bench_server.py): adds the minimal JSON view timed as the
# ceiling (/bench/ceiling) and multiplies every rate limit by RATE_LIMIT_FACTOR, so a
# benchmark's thousands of requests from one address are counted but not refused.
BENCH = envbool("SUISHOUPAI_BENCH", False)
RATE_LIMIT_FACTOR = envint("RATE_LIMIT_FACTOR", 1_000_000 if BENCH else 1)
TESTING = envbool("SUISHOUPAI_TESTING", False)
DATA_DIR = Path(envstr("DATA_DIR", str(BASE_DIR / "data")))
# SQLite and huey's queue file live here; on a fresh checkout it does not exist yet.
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING or envbool("SUISHOUPAI_DEMO", False):
        SECRET_KEY = "insecure-dev-only-key-never-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) in the environment; "
            "for a local demo set SUISHOUPAI_DEMO=true."
        )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # In INSTALLED_APPS so the API docs page serves Swagger UI from our own
    # static files instead of a CDN (the intranet has no internet).
    "ninja",
    "huey.contrib.djhuey",
    "django_prometheus",
    "health_check",
    "suishoupai.org",
    "suishoupai.places",
    "suishoupai.timelimits",
    "suishoupai.catalog",
    "suishoupai.city",
    "suishoupai.cases",
    "suishoupai.photos",
    "suishoupai.notify",
    "suishoupai.officialaccount",
    "suishoupai.open311",
    "suishoupai.ops",
    "suishoupai.wechat",
    "suishoupai.triage",
    "suishoupai.stats",
    "suishoupai.demo",
    "suishoupai.web.citizen",
    "suishoupai.web.console",
    "suishoupai.web.public",
    "suishoupai.web",
]

MIDDLEWARE = [
    "suishoupai.ops.logs.RequestLogMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After static files (they need no database), before anything that queries.
    "suishoupai.ops.outage.DatabaseOutageMiddleware",
    # The language first, so that the guard's refusals are in the asker's language.
    "suishoupai.web.middleware.LanguageMiddleware",
    "suishoupai.web.middleware.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "suishoupai.features.PermissionsPolicyMiddleware",
]

ROOT_URLCONF = "suishoupai.urls"
WSGI_APPLICATION = "suishoupai.wsgi.application"
AUTH_USER_MODEL = "org.User"
# Staff sign in to the console; the citizen pages and the API do not use sessions.
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:home"

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

_database_url = envstr("DATABASE_URL", "")
DATABASES = {
    "default": database_from_url(_database_url)
    if _database_url
    else sqlite_database(DATA_DIR / "suishoupai.sqlite3")
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if TESTING:
    # Hashing personas' passwords with the production hasher costs seconds per test.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "suishoupai" / "locale"]
USE_I18N = True
TIME_ZONE = envstr("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    # Originals are private evidence: stored under MEDIA_ROOT but never served
    # by URL (no MEDIA_URL route exists in urls.py).
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
)
# Sent by SecurityMiddleware on HTTPS requests only (behind TLS, or BEHIND_TLS_PROXY with
# X-Forwarded-Proto: https), never over plain HTTP. Not for subdomains: the city's
# domain may host sites that are not ours.
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", 365 * 24 * 3600)
# Tokens never travel in URLs (the reporter's link keeps it in the #fragment), and no
# address of ours is told to another site.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Cache: rate-limit counters and the like, shared by every process. The database
# cache needs no extra service (`manage.py createcachetable` makes its table);
# CACHE_REDIS_URL moves it to Redis.
_cache_redis = envstr("CACHE_REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_redis}
    if _cache_redis
    else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "suishoupai_cache"}
}

# Background tasks. huey on SQLite by default (no extra service); Redis when
# HUEY_REDIS_URL is set. `immediate` is set explicitly: djhuey would otherwise
# follow DEBUG and silently run tasks inline in a debug production box.
_huey_redis = envstr("HUEY_REDIS_URL", "")
HUEY = {
    # Part of every queue key: installs sharing one Redis keep apart by name.
    "name": envstr("HUEY_NAME", "suishoupai"),
    "immediate": envbool("HUEY_IMMEDIATE", TESTING),
    "utc": True,
    "consumer": {"workers": envint("HUEY_WORKERS", 2), "worker_type": "thread"},
}
if _huey_redis:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": _huey_redis})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")})

# Seconds a web process keeps its copy of the catalogue, departments, routing rules and
# stage limits (suishoupai.refcache); a save in the admin clears it in its own process at
# once, the other processes see it within this time. 0: read the database every time.
REFERENCE_CACHE_SECONDS = envint("REFERENCE_CACHE_SECONDS", 0 if TESTING else 30)
# Seconds a public answer about one case (the API's public view) may be served from the
# cache; the case's next event, a save of it or of its photos removes it (cases.answers).
PUBLIC_ANSWER_CACHE_SECONDS = envint("PUBLIC_ANSWER_CACHE_SECONDS", 0 if TESTING else 60)
# Seconds an Open311 search answer (up to 1,000 requests) may be served from the cache;
# any case event, saved case or photo clears them all at once (suishoupai.open311.answers).
# 0: every search is presented afresh.
OPEN311_CACHE_SECONDS = envint("OPEN311_CACHE_SECONDS", 0 if TESTING else 10)
# The public map's cell counts (zoomed out) are cached; after a case moves, an answer stays
# in use for at most this many seconds (cases/public_map.py). 0: always counted afresh.
PUBLIC_MAP_CACHE_SECONDS = envint("PUBLIC_MAP_CACHE_SECONDS", 0 if TESTING else 60)

# Domain settings (city-specific values are data in the database, not here).
CASE_NUMBER_DIGITS = 4
RATING_CHANGE_WINDOW_DAYS = envint("RATING_CHANGE_WINDOW_DAYS", 7)
# The case link in the reporter's messages opens their case (follow, rate) this long
# (cases/links.py); after that the page asks for the phone number instead.
REPORTER_LINK_DAYS = envint("REPORTER_LINK_DAYS", 30)
# Citizen pages: the map's tiles. "none" (default) needs no map service: the map shows the
# district outlines we hold. amap (高德) tiles are GCJ-02, the page converts; tianditu
# (天地图, needs TIANDITU_KEY) and osm are WGS-84.
MAP_TILES = envstr("MAP_TILES", "none")
if MAP_TILES not in ("none", "osm", "amap", "tianditu"):
    raise ImproperlyConfigured(f"MAP_TILES={MAP_TILES!r}: use none, osm, amap or tianditu")
TIANDITU_KEY = envsecret("TIANDITU_KEY", "") or ""
if MAP_TILES == "tianditu" and not TIANDITU_KEY:
    raise ImproperlyConfigured("MAP_TILES=tianditu needs TIANDITU_KEY")
# Where the map's tiles come from (places.tiles.TILES): the one outside origin a
# page may load from (images only).
TILE_SOURCES_BY_SETTING = {
    "none": [],
    "osm": ["https://tile.openstreetmap.org"],
    "amap": ["https://*.is.autonavi.com"],
    "tianditu": ["https://*.tianditu.gov.cn"],
}
TILE_SOURCES = TILE_SOURCES_BY_SETTING[MAP_TILES]

# Content-Security-Policy on every page (django-csp): scripts and styles only from our
# own static files (the vendored Leaflet, htmx, ECharts and Swagger UI included), no
# inline script or handler anywhere, nothing framed, forms posted only to us. Inline
# style *attributes* are allowed (they cannot run code; Leaflet and the templates set a
# few), <style> elements are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        # data: for the icon placeholder and Leaflet's/Swagger's inline images, blob: for
        # the photo previews made in the browser before upload.
        "img-src": [SELF, "data:", "blob:", *TILE_SOURCES],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Phone confirmation for "my reports": 6-digit codes, hashed, short-lived, few tries.
PHONE_CODE_MINUTES = envint("PHONE_CODE_MINUTES", 10)
PHONE_CODE_ATTEMPTS = envint("PHONE_CODE_ATTEMPTS", 5)
# Triage (docs/triage.md): the city's examples and settings, and how often a process looks
# for a newly trained model (0 = on every call, as in tests).
# A relative path is relative to the project (BASE_DIR), as in .env.example.
TRIAGE_DIR = Path(BASE_DIR, envstr("TRIAGE_DIR", "cities/harbin/triage"))
TRIAGE_MODEL_CHECK_SECONDS = envint("TRIAGE_MODEL_CHECK_SECONDS", 0 if TESTING else 30)
# Photos (docs/photos.md): upload limits, the background copies, and where files live.
PHOTO_MAX_BYTES = envint("PHOTO_MAX_BYTES", 15 * 1024 * 1024)
PHOTO_MAX_COUNT = envint("PHOTO_MAX_COUNT", 9)
PHOTO_MAX_PIXELS = envint("PHOTO_MAX_PIXELS", 60_000_000)
# One EXIF segment is at most 64 KB by the standard; more is not a camera's doing.
PHOTO_MAX_EXIF_BYTES = envint("PHOTO_MAX_EXIF_BYTES", 128 * 1024)
# All metadata together (EXIF, XMP with depth maps, ICC, comments, text chunks).
PHOTO_MAX_METADATA_BYTES = envint("PHOTO_MAX_METADATA_BYTES", 8 * 1024 * 1024)
# Failed copies are retried by the periodic task until this many attempts.
PHOTO_DERIVE_MAX_ATTEMPTS = envint("PHOTO_DERIVE_MAX_ATTEMPTS", 5)
# A copy still pending this long after it was queued is queued again (lost task).
# The periodic requeue runs every minute; a consumer that starts requeues at once.
PHOTO_DERIVE_STUCK_MINUTES = envint("PHOTO_DERIVE_STUCK_MINUTES", 3)
PHOTO_EXIF_LOCATION_PER_MINUTE = envint("PHOTO_EXIF_LOCATION_PER_MINUTE", 20)
# Photos on an S3-compatible store (MinIO, SeaweedFS, OSS, COS, AWS) when a bucket
# is set. Objects are private (no ACL, signed URLs only): Django streams them.
# Without a bucket they live under MEDIA_ROOT, also never served by URL.
STORAGES["photos"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
_photo_bucket = envstr("PHOTO_S3_BUCKET", "")
if _photo_bucket:
    STORAGES["photos"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {  # type: ignore[dict-item]
            "bucket_name": _photo_bucket,
            "endpoint_url": envstr("PHOTO_S3_ENDPOINT_URL", "") or None,
            "region_name": envstr("PHOTO_S3_REGION", "") or None,
            "access_key": envsecret("PHOTO_S3_ACCESS_KEY"),
            "secret_key": envsecret("PHOTO_S3_SECRET_KEY"),
            "location": envstr("PHOTO_S3_PREFIX", ""),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": envstr("PHOTO_S3_ADDRESSING_STYLE", "path"),
        },
    }
# Request limits (web.middleware.RequestGuardMiddleware, web.uploads), checked before a
# body is read. Bodies other than multipart (JSON, forms) are read into memory: at most
# DATA_UPLOAD_MAX_MEMORY_SIZE. A multipart body may carry PHOTO_MAX_COUNT photos of
# PHOTO_MAX_BYTES; each file is written to a temporary file once past
# FILE_UPLOAD_MAX_MEMORY_SIZE and the upload stops as soon as one passes PHOTO_MAX_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = envint("DATA_UPLOAD_MAX_NUMBER_FIELDS", 1000)
DATA_UPLOAD_MAX_NUMBER_FILES = PHOTO_MAX_COUNT
REQUEST_MAX_BYTES = envint(
    "REQUEST_MAX_BYTES", PHOTO_MAX_COUNT * PHOTO_MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE
)
# Path and query string together; the web server's own limit (granian: 64 KB) is higher,
# so a long address is answered here, in the format of the API it was meant for.
REQUEST_MAX_URI_BYTES = envint("REQUEST_MAX_URI_BYTES", 8192)
FILE_UPLOAD_HANDLERS = [
    "suishoupai.web.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Errors raised outside a view (the request guard, the upload parser, the URL resolver,
# a 500) in each interface's own format, by URL prefix (suishoupai.http_errors).
ERROR_FORMATS = {
    "/api/": "suishoupai.api.errors.respond",
    "/open311/": "suishoupai.open311.render.error_for",
    "/m/api/": "suishoupai.web.citizen.views.error_for",
}

# Notifications (suishoupai.notify; docs/notify.md). The staging guard: unless
# NOTIFY_LIVE is true, no e-mail, webhook, SMS or WeChat message leaves the
# machine; messages are marked suppressed and shown on the console log instead.
NOTIFY_LIVE = envbool("NOTIFY_LIVE", False)
NOTIFY_MAX_ATTEMPTS = envint("NOTIFY_MAX_ATTEMPTS", 6)
NOTIFY_RETRY_SECONDS = envint("NOTIFY_RETRY_SECONDS", 60)  # first retry; doubles each time
NOTIFY_RETRY_MAX_SECONDS = envint("NOTIFY_RETRY_MAX_SECONDS", 3600)
NOTIFY_LEASE_SECONDS = envint("NOTIFY_LEASE_SECONDS", 300)  # a worker's hold on a message
NOTIFY_RECOVER_MINUTES = envint("NOTIFY_RECOVER_MINUTES", 60)
# How long the outbox keeps finished messages (addresses and texts); 0 = for ever.
NOTIFY_KEEP_DAYS = envint("NOTIFY_KEEP_DAYS", 365)
NOTIFY_HTTP_TIMEOUT = envint("NOTIFY_HTTP_TIMEOUT", 10)
NOTIFY_STAFF_CASE_PATH = envstr("NOTIFY_STAFF_CASE_PATH", "/console/cases/{number}")
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = NOTIFY_HTTP_TIMEOUT
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "随手拍 <noreply@localhost>")
SMS_GATEWAY_URL = envstr("SMS_GATEWAY_URL", "")
SMS_API_KEY = envsecret("SMS_API_KEY", "") or ""
SMS_SIGNATURE = envstr("SMS_SIGNATURE", "【随手拍】")
# The city's WeChat official account (docs/wechat.md). Without the app id, secret and
# token the channel is off: /wechat/ answers 404, the citizen pages work as in any
# browser, and WeChat messages are suppressed with the reason.
WECHAT_APP_ID = envstr("WECHAT_APP_ID", "")
WECHAT_APP_SECRET = envsecret("WECHAT_APP_SECRET", "") or ""
# The server URL's token (服务器配置 → 令牌) and, for 安全模式, the EncodingAESKey.
WECHAT_TOKEN = envsecret("WECHAT_TOKEN", "") or ""
WECHAT_AES_KEY = envsecret("WECHAT_AES_KEY", "") or ""
if WECHAT_AES_KEY and len(WECHAT_AES_KEY) != 43:
    raise ImproperlyConfigured("WECHAT_AES_KEY must be the 43-character EncodingAESKey")
WECHAT_TEMPLATE_CASE_UPDATE = envstr("WECHAT_TEMPLATE_CASE_UPDATE", "")
# WeChat's API host; a city behind a forward proxy (an intranet) points this at it.
WECHAT_API_BASE = envstr("WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/")
# The code of the MP_verify_<code>.txt file WeChat asks for before it accepts the site
# as the OAuth domain (网页授权域名) and the JS-SDK safe domain (JS接口安全域名).
WECHAT_DOMAIN_VERIFY = envstr("WECHAT_DOMAIN_VERIFY", "")
# Chat reports: messages from one follower within this many minutes of the last one
# are gathered into one draft; unsent drafts are deleted after WECHAT_DRAFT_DAYS
# (WeChat keeps a sent photo's media for three days).
WECHAT_DRAFT_MINUTES = envint("WECHAT_DRAFT_MINUTES", 10)
WECHAT_DRAFT_DAYS = envint("WECHAT_DRAFT_DAYS", 3)

# Logs (suishoupai.ops.logs): LOG_FORMAT=json writes one JSON object per line, text plain
# lines, both with phones and tokens masked; LOG_REQUESTS adds one line per request (method, path
# without its query string, status, duration, user id), on by default with JSON.
LOG_FORMAT = envstr("LOG_FORMAT", "text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use text or json")
LOG_REQUESTS = envbool("LOG_REQUESTS", LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "suishoupai.ops.logs.JsonFormatter"},
        "text": {"()": "suishoupai.ops.logs.TextFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
}

# Operations (suishoupai.ops; docs/deploy.md). /metrics answers a scrape with
# `Authorization: Bearer METRICS_TOKEN`, or from this machine when nothing says the
# request was forwarded (off by default behind a proxy); everyone else gets a 404.
METRICS_TOKEN = envsecret("METRICS_TOKEN", "") or ""
METRICS_ALLOW_LOOPBACK = envbool("METRICS_ALLOW_LOOPBACK", not envbool("BEHIND_TLS_PROXY", False))
PROMETHEUS_EXPORT_MIGRATIONS = False  # it would query the database at import
# While the database is down, requests get a 503 at once with this Retry-After.
DB_OUTAGE_RETRY_AFTER = envint("DB_OUTAGE_RETRY_AFTER", 5)

# Sign-in hardening (org app). A username is locked for LOGIN_LOCKOUT_MINUTES after
# LOGIN_FAILURE_LIMIT wrong passwords within LOGIN_FAILURE_WINDOW_MINUTES; an address
# after LOGIN_IP_FAILURE_LIMIT (higher: a whole command centre may sit behind one NAT).
# Wire org.forms.ThrottledAuthenticationForm into every LoginView (the admin's is set
# in org/admin.py). A session ends after SESSION_IDLE_TIMEOUT_MINUTES without a request
# (0 disables) and, by default, when the browser closes.
LOGIN_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
LOGIN_IP_FAILURE_LIMIT = envint("LOGIN_IP_FAILURE_LIMIT", 20)
LOGIN_FAILURE_WINDOW_MINUTES = envint("LOGIN_FAILURE_WINDOW_MINUTES", 15)
LOGIN_LOCKOUT_MINUTES = envint("LOGIN_LOCKOUT_MINUTES", 15)
SESSION_IDLE_TIMEOUT_MINUTES = envint("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_EXPIRE_AT_BROWSER_CLOSE = envbool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "suishoupai.org.middleware.IdleTimeoutMiddleware",
)
AUTH_PASSWORD_VALIDATORS.append(
    {"NAME": "suishoupai.org.validators.LettersAndDigitsValidator"},
)
# Search exports (web/console/search.py): beyond this many rows, narrow the filters.
EXPORT_MAX_ROWS = envint("EXPORT_MAX_ROWS", 50_000)
# Last, after every other middleware: request metrics by view (django-prometheus).
MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")
