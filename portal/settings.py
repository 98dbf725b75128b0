"""Settings for the portal: module-level assignments, every value read through ``portal.env``.

Defaults need no server (SQLite, a file-system broker, console e-mail), so a fresh checkout runs
as it is; production and CI set DATABASE_URL, REDIS_URL and friends. PORTAL_MODE says what kind of
start this is: production unless bin/run-demo or bin/test say demo or test (docs/deploy.md).
"""

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.env import (
    BASE_DIR,
    VAR_DIR,
    env_bool,
    env_int,
    env_list,
    env_mode,
    env_secrets,
    env_str,
)

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)

PORTAL_MODE = env_mode()
PRODUCTION = PORTAL_MODE == "production"
# Only a demo or a test may generate these into var/: a production start without them stops,
# since a master key made anew on each start would leave every enrolled template undecryptable.
_secrets = env_secrets(
    PORTAL_MODE,
    {
        "SECRET_KEY": (
            "secret_key",
            48,
            "signs sessions, password-reset links and self-service codes; the same on every "
            "web server and worker",
        ),
        "PORTAL_MASTER_KEY": (
            "master.key",
            32,
            "wraps every organization's key, and through them every face template and receipt "
            "signing key; without the same key on every start no template can be decrypted. "
            "Back it up apart from the database",
        ),
        "AUDIT_SIGNING_KEY": (
            "audit_signing.key",
            32,
            "the Ed25519 seed that signs audit checkpoints; the database never holds it, so "
            "whoever can write the database cannot vouch for a rewritten audit trail",
        ),
    },
)
SECRET_KEY = _secrets["SECRET_KEY"]
# Wraps every organization's key (envelope encryption of templates and signing keys).
MASTER_KEY = _secrets["PORTAL_MASTER_KEY"]
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

INSTALLED_APPS = [
    # Django's admin for platform staff, read only, behind a second factor (portal/admin_site.py).
    "portal.admin_config.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    # Staff accounts (issue 15): TOTP devices and recovery codes, sign-in throttling.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    # Bottom to top: a lower app never imports a higher one.
    "tenants",
    "audit",
    "outbox",
    "governance",
    "consent",
    "recognition",
    "dsr",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.RequestIdMiddleware",
    # A CompreFace host (COMPREFACE_HOSTS) gets CompreFace's URL configuration (issue 18).
    "recognition.compreface.hosts.CompreFaceHostMiddleware",
    # Row-level security: a request's scope (set where its organization is resolved) ends with it.
    "tenants.rls.RowLevelSecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Ends sessions past their absolute age; holds a sign-in at the second factor until it is given.
    "tenants.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context.panel",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The demo's web server and worker share one SQLite file: wait for locks instead of failing,
    # and take the write lock up front so two writers never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Row-level security (tenants/rls.py): each connection starts seeing every organization's
    # rows, as the platform; requests and tasks narrow it. Set at connect time: no extra query.
    DATABASES["default"]["OPTIONS"] = {"options": "-c app.organization_id=*"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a sign-in while its account or address is locked out (django-axes).
    "tenants.backends.ThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Role permissions come from the membership; per-object grants from django-guardian.
    "tenants.backends.RoleBackend",
    "tenants.backends.ObjectGrantBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; self-service pages use codes.
# The subclass tenants.backends.ObjectGrantBackend is hooked; guardian only looks for its own name.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Argon2 for new and changed passwords; older PBKDF2 hashes still verify and are rehashed with
# Argon2 on the person's next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "panel:home"
LOGOUT_REDIRECT_URL = "login"
# A staff account reaches face data: its reset link and its invitation links expire early.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
INVITATION_MAX_AGE_HOURS = env_int("INVITATION_MAX_AGE_HOURS", 72)
# Sessions of people who handle face data end after SESSION_IDLE_SECONDS without a request, and
# SESSION_MAX_AGE_SECONDS after sign-in whatever happens (tenants.middleware).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_MAX_AGE_SECONDS = env_int("SESSION_MAX_AGE_SECONDS", 12 * 3600)
# Second factor (TOTP, recovery codes): always for these roles, for every member of an
# organization that asks for it (Organization.require_second_factor), and for anyone who set one
# up. The demo asks it of nobody by default, so its people sign in with the password alone.
SECOND_FACTOR_ROLES = env_list(
    "SECOND_FACTOR_ROLES", [] if PORTAL_MODE == "demo" else ["owner", "dpo"]
)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "FaceConsent Portal")
# Sign-in throttling (django-axes): AXES_FAILURE_LIMIT wrong passwords for one account (from any
# address) or from one address (for any account) lock it for AXES_COOLOFF_MINUTES. Failures
# during a lock do not extend it, so an attacker cannot keep a person out for good.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "tenants.throttling.client_ip"
AXES_USERNAME_CALLABLE = "tenants.throttling.username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers per language: templates name a format, portal/formats/<lang> define it.
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
# The app serves its own static files (no CDN is reachable from many users' networks).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 12 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# HTTPS: on by default in production; the demo and the tests serve plain HTTP on 127.0.0.1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
# A load balancer's plain-HTTP health probe must get its answer, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Behind a proxy that terminates TLS and sets this header (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content security policy: scripts, styles and everything else from this site only; no inline
# script or style, no plugins, no framing. QR codes are inline SVG; images may be data: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Powerful browser features off on every page: no page of the portal uses the camera (photos are
# uploaded as files), the microphone, location or payment.
PERMISSIONS_POLICY = {
    feature: []
    for feature in env_list(
        "PERMISSIONS_POLICY_OFF",
        ["camera", "microphone", "geolocation", "payment", "usb", "display-capture"],
    )
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "no-reply@faceconsent.local")

# Celery: the broker, the task options and the queue (portal/settings_celery.py). The periodic
# tasks, CELERY_BEAT_SCHEDULE, are built below once the intervals they take are defined.
from portal.settings_celery import *  # noqa: E402, F403
from portal.settings_celery import REDIS_URL, beat_schedule  # noqa: E402

AUDIT_SEAL_INTERVAL_SECONDS = env_int("AUDIT_SEAL_INTERVAL_SECONDS", 5)
# A writer seals after its commit at most this often per process; the periodic task does the rest.
AUDIT_SEAL_AFTER_COMMIT_SECONDS = float(env_str("AUDIT_SEAL_AFTER_COMMIT_SECONDS", "1.0"))
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 3 * 365 + 1)

# One reaction path (issue 14): every consent transition records one outbox event in its own
# transaction; these tasks react to it after the commit. Data, not imports: consent names no
# higher app, and recognition registers nothing at start-up.
CONSENT_TOPICS = (
    "consent.given",
    "consent.withdrawn",
    "consent.restricted",
    "consent.restored",
    "consent.expired",
    "consent.reconsent_required",
    "consent.erased",
)
OUTBOX_SUBSCRIBERS = {topic: ["recognition.react_to_consent"] for topic in CONSENT_TOPICS}
# R19: a deployment switched to on-device storage loses its central templates (recognition).
OUTBOX_SUBSCRIBERS["governance.storage_on_device"] = ["recognition.react_to_storage_on_device"]
# Issue 15: jobs and enrollments go to their worker the same way, so a broker outage at
# submission loses nothing (recognition/services/dispatch.py).
OUTBOX_SUBSCRIBERS["recognition.job_queued"] = ["recognition.run_job"]
OUTBOX_SUBSCRIBERS["recognition.enrollment_queued"] = ["recognition.process_enrollment"]
# PIPL Art. 46: a correction request learns its re-enrollment's outcome (dsr reacts).
OUTBOX_SUBSCRIBERS["recognition.enrollment_finished"] = ["dsr.react_to_enrollment"]
# R51: the end of an entrustment runs on a worker (dsr/services/termination.py).
OUTBOX_SUBSCRIBERS["dsr.termination_queued"] = ["dsr.run_termination"]
# The first re-dispatch comes this long after a failed hand-over, then twice as long each time.
OUTBOX_BACKOFF_BASE_SECONDS = env_int("OUTBOX_BACKOFF_BASE_SECONDS", 30)
# R50: answer deadlines. EU (GDPR Art. 12(3)): one calendar month, extendable by two more.
# CN (PIPL: "timely"; GB/T 35273 is said to use 30 days) and US-IL: days, per organization.
DSR_DEFAULT_DAYS = env_int("DSR_DEFAULT_DAYS", 30)
DSR_DEFAULT_EXTENSION_DAYS = env_int("DSR_DEFAULT_EXTENSION_DAYS", 30)
DSR_EU_MONTHS = 1
DSR_EU_EXTENSION_MONTHS = 2
DSR_DUE_SOON_DAYS = env_int("DSR_DUE_SOON_DAYS", 5)
# How long a link to an access package works before the person must ask for a new one.
DSR_EXPORT_LINK_HOURS = env_int("DSR_EXPORT_LINK_HOURS", 72)
# R51: a termination's return package the organization never confirmed is deleted this many
# days after the run finished, so the portal does not keep a full copy of everything by default.
DSR_TERMINATION_PACKAGE_KEEP_DAYS = env_int("DSR_TERMINATION_PACKAGE_KEEP_DAYS", 30)
# R46: a person may take their face templates in their portable data when they ask (only those
# a storage consent still covers). Off: the file never carries templates.
RECOGNITION_PORTABLE_TEMPLATES = env_bool("RECOGNITION_PORTABLE_TEMPLATES", True)
# R46: the largest portability file an import accepts.
DSR_PORTABILITY_MAX_BYTES = env_int("DSR_PORTABILITY_MAX_BYTES", 5 * 1024 * 1024)
# R54: 1:N operating points are re-derived hourly where due: when the gallery grew by
# RECOGNITION_RECALIBRATE_GROWTH since its last calibration, or it is older than
# RECOGNITION_RECALIBRATE_SECONDS. A calibration holds out this many identities at most.
RECOGNITION_RECALIBRATE_GROWTH = float(env_str("RECOGNITION_RECALIBRATE_GROWTH", "0.1"))
RECOGNITION_RECALIBRATE_SECONDS = env_int("RECOGNITION_RECALIBRATE_SECONDS", 24 * 3600)
RECOGNITION_CALIBRATION_SAMPLE = env_int("RECOGNITION_CALIBRATION_SAMPLE", 20000)
# A recalibration searches only what changed since the kept held-out sample; a full one
# (a fresh draw of identities) at least this often, so no single draw speaks for a gallery.
RECOGNITION_CALIBRATION_FULL_SECONDS = env_int("RECOGNITION_CALIBRATION_FULL_SECONDS", 7 * 86400)
# Gallery shards searched by a Celery group (1: inline); galleries this big get the HNSW index.
RECOGNITION_SHARDS = env_int("RECOGNITION_SHARDS", 1)
# Shard n's searches go to the queue <CELERY_QUEUE>.shard<n>: a machine that listens to some
# shards' queues holds only those shards in memory. Off: any worker searches any shard.
RECOGNITION_SHARD_QUEUES = env_bool("RECOGNITION_SHARD_QUEUES", False)
# R21, R24: a job photo's small encrypted preview (the job page draws its boxes on it) lives at
# most this long; the hourly probe sweep deletes it and it is never served after.
RECOGNITION_JOB_PREVIEW_SECONDS = env_int("RECOGNITION_JOB_PREVIEW_SECONDS", 24 * 3600)
RECOGNITION_INDEX_THRESHOLD = env_int("RECOGNITION_INDEX_THRESHOLD", 20_000)
# Graph nodes an indexed search visits: recall against speed (manage.py check_gallery_index).
RECOGNITION_INDEX_EXPANSION_SEARCH = env_int("RECOGNITION_INDEX_EXPANSION_SEARCH", 128)
# Issue 5: a worker replays at most this many logged gallery changes; a longer gap rebuilds.
RECOGNITION_GALLERY_MAX_DELTA = env_int("RECOGNITION_GALLERY_MAX_DELTA", 5000)
# The change log is kept this long; a worker cached further back rebuilds its gallery.
RECOGNITION_GALLERY_CHANGE_RETENTION_DAYS = env_int("RECOGNITION_GALLERY_CHANGE_RETENTION_DAYS", 7)
# A worker's hold on a running job or enrollment, renewed every third of it while it works; a
# redelivered copy leaves a live one alone. A dead worker's lease runs out at most this long
# after it died, and the reclaim (this often) hands the work out again through the outbox: lease
# + interval = 60 s bounds how long a killed worker's job waits. Both stay under the visibility
# timeout (BROKER_VISIBILITY_TIMEOUT, portal/settings_celery.py).
RECOGNITION_JOB_LEASE_SECONDS = env_int("RECOGNITION_JOB_LEASE_SECONDS", 45)
RECOGNITION_RECLAIM_INTERVAL_SECONDS = env_int("RECOGNITION_RECLAIM_INTERVAL_SECONDS", 15)
# Webhooks go to public https addresses only (recognition/outbound.py, issue 15): http is let
# through in demo mode, and the networks listed here despite being private (an operator's own
# receiver inside the network). Empty by default.
WEBHOOK_ALLOW_HTTP = env_bool("WEBHOOK_ALLOW_HTTP", PORTAL_MODE == "demo")
WEBHOOK_ALLOWED_NETWORKS = env_list("WEBHOOK_ALLOWED_NETWORKS", [])
# Jobs and enrollments not finished after this are failed and their probes swept.
RECOGNITION_JOB_MAX_AGE_SECONDS = env_int("RECOGNITION_JOB_MAX_AGE_SECONDS", 6 * 3600)
# Budgets of one upload request (issue 15), checked from the images' headers on the web thread
# (the worker decodes): decoded pixels and bytes of all its images together (413 beyond), and
# the jobs and the enrollments one organization may have queued or running at once (429 beyond,
# with Retry-After), so that one organization cannot fill the workers' queue for everyone.
RECOGNITION_REQUEST_MAX_PIXELS = env_int("RECOGNITION_REQUEST_MAX_PIXELS", 200_000_000)
RECOGNITION_REQUEST_MAX_BYTES = env_int("RECOGNITION_REQUEST_MAX_BYTES", 40 * 1024 * 1024)
RECOGNITION_MAX_ACTIVE_JOBS = env_int(
    "RECOGNITION_MAX_ACTIVE_JOBS", 10_000 if PORTAL_MODE == "test" else 20
)
RECOGNITION_MAX_ACTIVE_ENROLLMENTS = env_int(
    "RECOGNITION_MAX_ACTIVE_ENROLLMENTS", 10_000 if PORTAL_MODE == "test" else 200
)
RECOGNITION_BUSY_RETRY_AFTER_SECONDS = env_int("RECOGNITION_BUSY_RETRY_AFTER_SECONDS", 10)
# Uploads of one organization in the web tier at once (API; 429 beyond): the bound on the web
# threads one organization can hold, whatever its number of keys and clients. A slot of a
# process that died mid-request frees itself after RECOGNITION_UPLOAD_SLOT_SECONDS.
RECOGNITION_UPLOAD_SLOTS_PER_ORGANIZATION = env_int(
    "RECOGNITION_UPLOAD_SLOTS_PER_ORGANIZATION", 1_000 if PORTAL_MODE == "test" else 2
)
RECOGNITION_UPLOAD_SLOT_SECONDS = env_int("RECOGNITION_UPLOAD_SLOT_SECONDS", 120)
# The CompreFace-compatible API (docs/compreface.md): host names that serve CompreFace's paths
# at /api/v1/ (each must also be in ALLOWED_HOSTS), and how long a request waits for the worker
# to finish an example or a search before it answers 202 or 503.
COMPREFACE_HOSTS = [h.lower() for h in env_list("COMPREFACE_HOSTS", [])]
COMPREFACE_WAIT_SECONDS = env_int("COMPREFACE_WAIT_SECONDS", 30)
# Absolute links in consent receipts and e-mails (the notice, the self-service pages).
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://localhost:8000")
# Signed audit checkpoints (issue 16, docs/audit.md): the key's name in signature lines, each
# organization's log origin (<AUDIT_LOG_ORIGIN>/<organization id>), how often the sealer signs
# one (0: at every seal), and the append-only file outside the database that receives each one.
AUDIT_SIGNING_KEY = _secrets["AUDIT_SIGNING_KEY"]
_public_host = PUBLIC_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
AUDIT_SIGNING_KEY_NAME = env_str("AUDIT_SIGNING_KEY_NAME", f"{_public_host}/audit")
AUDIT_LOG_ORIGIN = env_str("AUDIT_LOG_ORIGIN", f"{_public_host}/audit")
AUDIT_CHECKPOINT_SECONDS = env_int("AUDIT_CHECKPOINT_SECONDS", 10)
AUDIT_CHECKPOINT_LOG = env_str("AUDIT_CHECKPOINT_LOG", str(VAR_DIR / "audit-checkpoints.jsonl"))

# Filing with the provincial CAC (CAC Announcement of 28 May 2025, R35): the threshold of
# stored individuals and the warning levels below it (comma-separated ratios).
FILING_THRESHOLD = env_int("FILING_THRESHOLD", 100_000)
# What governance asks of apps above it, named here so it imports none of them (issue 14):
# the distinct individuals with stored face data (R35), and which pseudonyms are subjects (R34).
GOVERNANCE_STORED_INDIVIDUALS_COUNTER = "recognition.selectors.stored_individuals_count"
GOVERNANCE_PSEUDONYM_CHECK = "consent.selectors.pseudonyms_unknown"
# The compliance view's rules judged from apps above governance (issue 17): rule ID -> a
# dotted ``fn(*, organization) -> RuleState | RuleCheck``; governance.rule_evaluators has the rest.
GOVERNANCE_RULE_EVALUATORS = {
    "R15": "consent.compliance.r15_minors",
    "R50": "dsr.compliance.r50_deadlines",
    "R51": "dsr.compliance.r51_termination",
    "R54": "recognition.accuracy.accuracy_check",
}
# The self-service pages of apps above consent, linked from consent's /me/ menu by URL name,
# so no consent template names a higher app (issue 14).
CONSENT_SELF_SERVICE_PAGES = [
    ("dsr:me_requests", _("Requests about my data")),
    ("dsr:me_portability", _("Take my data elsewhere")),
]
FILING_WARNING_RATIOS = [float(r) for r in env_list("FILING_WARNING_RATIOS", ["0.8", "0.9"])]
GOVERNANCE_SIGNAGE_MAX_BYTES = env_int("GOVERNANCE_SIGNAGE_MAX_BYTES", 8 * 1024 * 1024)
GOVERNANCE_ATTACHMENT_MAX_BYTES = env_int("GOVERNANCE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
# R6: signage evidence of a public place is re-attested (a new photo) this often; the daily
# job flags active deployments whose photo is older.
GOVERNANCE_SIGNAGE_REATTEST_DAYS = env_int("GOVERNANCE_SIGNAGE_REATTEST_DAYS", 365)
# Periodic tasks of every app (portal/settings_celery.py).
CELERY_BEAT_SCHEDULE = beat_schedule(
    audit_seal_interval=AUDIT_SEAL_INTERVAL_SECONDS,
    audit_checkpoint_interval=AUDIT_CHECKPOINT_SECONDS,
    reclaim_interval=RECOGNITION_RECLAIM_INTERVAL_SECONDS,
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "tenants.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # Paginates only list actions, as the views do (portal/api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "portal.api.schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # Per caller and per organization, per route class (portal/api/throttling.py, issue 15).
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttling.RouteClassThrottle"],
}
# The Django cache holds the rate-limit counters: Redis when REDIS_URL (or CACHE_URL) is set, so
# every web process counts together; else this process's memory (the demo's single server).
CACHE_URL = env_str("CACHE_URL", REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
            # A stalled Redis must not stall every request: the throttle lets a request through
            # when the cache does not answer in time (and logs it).
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# API rate limits (tenants/rate_limits.py): requests per API_RATE_WINDOW_SECONDS for each route
# class, per caller (API key, signed-in person, or address) and per organization. An owner may
# override them for the organization up to the ceilings. Tests get limits no test reaches; the
# rate-limit tests set tiny ones. Env: API_RATE_<CLASS>_PER_<SCOPE>[_MAX], e.g.
# API_RATE_UPLOAD_PER_ORGANIZATION=60, API_RATE_READ_PER_KEY_MAX=6000.
API_RATE_WINDOW_SECONDS = env_int("API_RATE_WINDOW_SECONDS", 60)
# How long a web process may remember an API key's principal (tenants/principal_cache.py): any
# change of keys, roles, memberships or grants ends it everywhere at once through a generation
# counter in the cache; this bounds changes made around the services. 0: read on every request.
API_PRINCIPAL_CACHE_SECONDS = env_int("API_PRINCIPAL_CACHE_SECONDS", 300)
_API_RATE_DEFAULTS = {
    "read": {"key": 600, "organization": 1200},
    "write": {"key": 120, "organization": 300},
    "upload": {"key": 30, "organization": 60},
}
API_RATE_LIMITS = {
    route_class: {
        scope: env_int(
            f"API_RATE_{route_class.upper()}_PER_{scope.upper()}",
            1_000_000 if PORTAL_MODE == "test" else limit,
        )
        for scope, limit in scopes.items()
    }
    for route_class, scopes in _API_RATE_DEFAULTS.items()
}
API_RATE_LIMIT_CEILINGS = {
    route_class: {
        scope: env_int(f"API_RATE_{route_class.upper()}_PER_{scope.upper()}_MAX", 10 * limit)
        for scope, limit in scopes.items()
    }
    for route_class, scopes in API_RATE_LIMITS.items()
}
# Idempotency-Key (tenants/idempotency.py): how long a creating request's first answer is kept
# for its retries, and after how long a claim whose request never answered (the process died)
# may be taken over by a retry.
IDEMPOTENCY_KEY_TTL_SECONDS = env_int("IDEMPOTENCY_KEY_TTL_SECONDS", 24 * 3600)
IDEMPOTENCY_IN_FLIGHT_SECONDS = env_int("IDEMPOTENCY_IN_FLIGHT_SECONDS", 600)
# The API's schema and docs pages need a signed-in person or an API key, except in the demo.
API_DOCS_REQUIRE_AUTH = env_bool("API_DOCS_REQUIRE_AUTH", PORTAL_MODE != "demo")
# bench/load.py's baselines, /bench/bare/ and /bench/floor/ (portal/api/baseline.py): mounted
# only with PORTAL_BENCH=1, which a production start refuses (docs/reliability.md, "Load").
PORTAL_BENCH = env_bool("PORTAL_BENCH", False)
if PORTAL_BENCH and PRODUCTION:
    raise ImproperlyConfigured("PORTAL_BENCH=1 mounts benchmark-only views: never in production.")
SPECTACULAR_SETTINGS = {
    "TITLE": "FaceConsent Portal API",
    "DESCRIPTION": (
        "Lawful facial recognition: organizations, audit, governance, consent and recognition. "
        "Authenticate with `Authorization: Bearer <api key>`. Every error has the shape "
        '`{"code": ..., "message": ..., "details": ...}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation lists the errors it can answer, in the one error shape (issue 15, fuzzing).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.document_errors",
    ],
    # Several models name a choice field status, kind, channel or language: each choice set
    # gets its own stable name instead of a hash suffix (``spectacular --fail-on-warn``).
    "ENUM_NAME_OVERRIDES": {
        "ConsentChannelEnum": "consent.models.Consent.Channel",
        "ConsentKindEnum": "consent.models.Consent.Kind",
        "DataRequestChannelEnum": "dsr.models.DataRequest.Channel",
        "DataRequestKindEnum": "dsr.models.DataRequest.Kind",
        "DataRequestStatusEnum": "dsr.models.DataRequest.Status",
        "DeploymentStatusEnum": "governance.models.Deployment.Status",
        "DeploymentJurisdictionEnum": "governance.models.Deployment.Jurisdiction",
        "OrganizationJurisdictionEnum": "tenants.models.Organization.Jurisdiction",
        "DeviceKindEnum": "governance.models.Device.Kind",
        "FilingKindEnum": "governance.models.Filing.Kind",
        "FilingStatusEnum": "governance.models.Filing.Status",
        "FilingDocumentKindEnum": "governance.models.FilingDocument.Kind",
        # Deployments and recipients say where data is stored and processed (R26).
        "LocationEnum": "governance.models.Location",
        "TransferMechanismEnum": "governance.models.TransferBasis.Mechanism",
        "IncidentStatusEnum": "governance.models.Incident.Status",
        "NoticeLanguageEnum": "governance.models.Notice.Language",
        "NoticeStatusEnum": "governance.models.Notice.Status",
        "AssessmentStatusEnum": "governance.models.Assessment.Status",
        "PurposeKindEnum": "governance.models.Purpose.Kind",
        "RecognitionDecisionEnum": "recognition.models.RecognitionResult.Decision",
        # RecognitionJob and Enrollment share one set of states.
        "JobStatusEnum": "recognition.models.RecognitionJob.Status",
        # The data-request API takes a language code without labels.
        "RequestLanguageEnum": ["en", "zh-hans"],
    },
}

# JSON logs with request ids, and /metrics' bearer token (portal/settings_operations.py).
from portal.settings_operations import *  # noqa: E402, F403
