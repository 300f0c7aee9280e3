"""Settings, read from the environment through the small typed helpers below.

Defaults make `make run` work on a fresh machine: SQLite under var/, debug on. Production sets
DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and a postgres:// DATABASE_URL.
"""

import os
from datetime import date
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("YINGJI_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789abcdef")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "treebeard",
    "django_tasks_db",
    "yingji.core",
    "yingji.orgs",
    "yingji.audit",
    "yingji.plans",
    "yingji.notify",
    "yingji.incidents",
    "yingji.deadlines",
    "yingji.complaints",
    "yingji.corrective",
    "yingji.drills",
    "yingji.security",
    "yingji.yearplan",
    "yingji.letters",
    "yingji.training",
    "yingji.readiness",
    "yingji.assessment",
    "yingji.reports",
    "yingji.monitoring",
    "yingji.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 400 for an address with a NUL byte or invalid UTF-8, before anything below reads it.
    "yingji.core.middleware_input.AddressInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A 503 (page, API JSON, health check) while the database is away: above all that may query.
    "yingji.core.middleware.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "yingji.core.middleware.SessionRenewalMiddleware",
    "yingji.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yingji.core.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yingji.urls"
WSGI_APPLICATION = "yingji.wsgi.application"

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
                "django.template.context_processors.csp",
                "yingji.orgs.context_processors.viewer",
                "yingji.core.context_processors.menu",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'yingji.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # WAL lets the web workers read while the job worker writes; IMMEDIATE takes the write lock
        # at BEGIN so two writers queue on busy_timeout instead of failing mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    # Persistent connections: measured ~3.5x the throughput of connect-per-request on this stack.
    _db["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600)
    _db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background jobs ------------------------------------------------------------------------------
# "alarms": telling the chain of a new report (incidents.jobs); workers take every queue.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "alarms"]}}
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 5)
JOB_BACKOFF_SECONDS = env_int("JOB_BACKOFF_SECONDS", 30)
# A job worker renews its lease every sixth of this; one silent for longer is dead, and what it held
# (jobs, deliveries) is taken over by a live worker within about 4/3 of it (yingji/core/workers.py).
JOB_LEASE_SECONDS = env_int("JOB_LEASE_SECONDS", 30)

# --- Audit chain (yingji/audit/sequencer.py; docs/operations.md "Checking the audit chain") ---------
# 本行设定: the longest a committed audit entry may wait to be chained (audit_verify reports any that
# waited longer, and unchained entries older than it); how often every job worker tries to chain (one
# at a time); how often the head is signed. The signing key (Ed25519) is never in the database: a PEM
# file here, or the seed in base64 in YINGJI_AUDIT_SIGNING_KEY; the public keys audit_verify accepts, one
# per line. `make run` makes both under var/audit/ when there are none (audit_keygen); the tests their own.
AUDIT_SEQUENCE_BOUND_SECONDS = env_int("YINGJI_AUDIT_SEQUENCE_BOUND_SECONDS", 2)
AUDIT_SEQUENCE_EVERY_SECONDS = float(env_str("YINGJI_AUDIT_SEQUENCE_EVERY_SECONDS", "0.5"))
AUDIT_CHECKPOINT_EVERY_SECONDS = env_int("YINGJI_AUDIT_CHECKPOINT_EVERY_SECONDS", 60)
AUDIT_SIGNING_KEY_FILE = Path(
    env_str("YINGJI_AUDIT_SIGNING_KEY_FILE", str(VAR_DIR / "audit" / "signing_key.pem"))
)
AUDIT_PUBLIC_KEYS_FILE = Path(
    env_str("YINGJI_AUDIT_PUBLIC_KEYS_FILE", str(VAR_DIR / "audit" / "public_keys.txt"))
)

# --- Sign-in ---------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "yingji.orgs.validators.NotTheCurrentPassword"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours: 15 minutes
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
# Lock the account, not the address: a bank's outlets reach the server through a few NAT proxies, and
# locking an address would lock out every outlet behind it after one person's five mistakes.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

SESSION_COOKIE_AGE = 8 * 60 * 60  # 8 idle hours: a request renews it (core.middleware.SessionRenewal…)
# Renewed at most once a minute, not written back on every poll of a phone (bench/RESULTS.md, drills).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
# How long a drill run page's poll pass answers "nothing new" without the session (drills/poll_pass.py).
YINGJI_DRILL_POLL_PASS_SECONDS = env_int("YINGJI_DRILL_POLL_PASS_SECONDS", 600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Security when not in debug (check --deploy is clean with these) -------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

from django.utils.csp import CSP  # noqa: E402

# Everything is served from this origin: vendored scripts, no inline script, no CDN.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# --- Language and time -----------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "yingji" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Development prints mail to the console; production sends through the bank's SMTP relay.
MAILERS = {
    "default": {
        "BACKEND": env_str(
            "EMAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
        "OPTIONS": {}
        if DEBUG
        else {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        },
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "yingji@localhost")
# The SMTP options are the SMTP backend's alone: `make run` (DEBUG off, EMAIL_BACKEND=console) would
# otherwise hand them to the console backend, which refuses unknown options.
if not MAILERS["default"]["BACKEND"].endswith(".smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {}
# The bank's SMS platform: a class with send(mobile, text) (docs/operations.md); the console otherwise.
SMS_GATEWAY = env_str("SMS_GATEWAY", "yingji.notify.channels.sms.ConsoleGateway")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Demo password printed by `make run`; only load_demo reads it.
DEMO_PASSWORD = env_str("YINGJI_DEMO_PASSWORD", "Yingji@2026")
# A long import runs as a job above this many rows, with a progress bar.
IMPORT_JOB_THRESHOLD_ROWS = env_int("IMPORT_JOB_THRESHOLD_ROWS", 200)
# Every Excel import stops reading past this many rows, and refuses a file larger than this.
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 10 * 2**20)
# Input rules (yingji/core/inputs.py): no event happened before the bank's records begin (本行设定,
# an ISO date), and none lies further in the future than this many minutes of clock skew.
YINGJI_RECORDS_BEGIN = date.fromisoformat(env_str("YINGJI_RECORDS_BEGIN", "2000-01-01"))
YINGJI_CLOCK_SKEW_MINUTES = env_int("YINGJI_CLOCK_SKEW_MINUTES", 5)
# Times the seeds do not give (本行设定, shown as such where used): the watch after termination (004
# 第十八条 严防反复 names no length), the deadline of an "at once" step, and how long an overdue task
# waits before its group leader is told.
YINGJI_WATCH_HOURS = env_int("YINGJI_WATCH_HOURS", 72)
YINGJI_IMMEDIATE_MINUTES = env_int("YINGJI_IMMEDIATE_MINUTES", 10)
YINGJI_LEADER_GRACE_MINUTES = env_int("YINGJI_LEADER_GRACE_MINUTES", 10)
# How soon the regulator must hear where a region set no deadline of its own (notify rules page).
YINGJI_REGULATOR_MINUTES = env_int("YINGJI_REGULATOR_MINUTES", 60)
# Working days to handle a complaint again after an unsatisfied callback (本行设定: seed 001 gives none).
YINGJI_COMPLAINT_REOPEN_WORKING_DAYS = env_int("YINGJI_COMPLAINT_REOPEN_WORKING_DAYS", 5)
# Drills (本行设定: seed 000 gives neither): the target of a drill's "report up" objective (报告 ≤ N
# 分钟), and the spacing of the scenarios of a template that gives them no clock.
YINGJI_DRILL_REPORT_MINUTES = env_int("YINGJI_DRILL_REPORT_MINUTES", 10)
YINGJI_DRILL_SCENARIO_MINUTES = env_int("YINGJI_DRILL_SCENARIO_MINUTES", 15)
# A drill's score (本行设定: seed 002 gives none): HSEEP's P/S/M/U converted to points, the mean over the
# objectives, and the pass mark for 合格. A plan not drilled for this many months is warned about.
YINGJI_DRILL_SCORES = dict(
    zip("PSMU", (int(n) for n in env_list("YINGJI_DRILL_SCORES", ["100", "75", "50", "0"])), strict=True)
)
YINGJI_DRILL_PASS_SCORE = env_int("YINGJI_DRILL_PASS_SCORE", 60)
YINGJI_PLAN_DRILL_MONTHS = env_int("YINGJI_PLAN_DRILL_MONTHS", 12)
# The hour (Asia/Shanghai) of the daily check that warns units behind on their drills (本行设定).
YINGJI_DRILL_CHECK_HOUR = env_int("YINGJI_DRILL_CHECK_HOUR", 8)
# Days to complete a corrective action (整改) by the gravest grade of its findings, when nobody sets a
# date (本行设定: the seeds give none; a 不足项 is due before the unit's next drill when that is known),
# and the furthest a deadline may be set.
YINGJI_CORRECTIVE_DAYS_DEFICIENCY = env_int("YINGJI_CORRECTIVE_DAYS_DEFICIENCY", 90)
YINGJI_CORRECTIVE_DAYS_RECTIFICATION = env_int("YINGJI_CORRECTIVE_DAYS_RECTIFICATION", 30)
YINGJI_CORRECTIVE_DAYS_IMPROVEMENT = env_int("YINGJI_CORRECTIVE_DAYS_IMPROVEMENT", 90)
YINGJI_CORRECTIVE_MAX_DAYS = env_int("YINGJI_CORRECTIVE_MAX_DAYS", 730)
# Security inspections (安全检查, seed 001: "每季度、每月"; 本行设定 which unit types each): months between
# inspections per unit type (1 monthly, 3 quarterly), days before a period ends when a unit not yet
# inspected is warned, the hour of that daily check, days to rectify a 重大安全隐患, and the photos an
# inspector may attach (types by their content, size in MB, how many per item).
YINGJI_INSPECTION_EVERY_MONTHS = {
    "outlet": env_int("YINGJI_INSPECTION_OUTLET_MONTHS", 1),
    "sub_branch": env_int("YINGJI_INSPECTION_SUB_BRANCH_MONTHS", 3),
    "branch": env_int("YINGJI_INSPECTION_BRANCH_MONTHS", 3),
}
YINGJI_INSPECTION_WARN_DAYS = env_int("YINGJI_INSPECTION_WARN_DAYS", 7)
YINGJI_INSPECTION_CHECK_HOUR = env_int("YINGJI_INSPECTION_CHECK_HOUR", 8)
YINGJI_INSPECTION_MAJOR_DAYS = env_int("YINGJI_INSPECTION_MAJOR_DAYS", 7)
YINGJI_INSPECTION_PHOTO_TYPES = env_list("YINGJI_INSPECTION_PHOTO_TYPES", ["jpeg", "png", "webp"])
YINGJI_INSPECTION_PHOTO_MAX_MB = env_int("YINGJI_INSPECTION_PHOTO_MAX_MB", 5)
YINGJI_INSPECTION_PHOTOS_PER_ITEM = env_int("YINGJI_INSPECTION_PHOTOS_PER_ITEM", 3)
# Annual security work plans (年度工作计划, seed 001 gives the due dates, not these; 本行设定): the days
# before a task's due date its owner is reminded (a new plan's default, editable in each draft), and the
# evidence files a task may carry (types told by their content, size in MB, how many per task).
YINGJI_YEARPLAN_REMINDER_DAYS = env_int("YINGJI_YEARPLAN_REMINDER_DAYS", 7)
YINGJI_YEARPLAN_FILE_TYPES = env_list("YINGJI_YEARPLAN_FILE_TYPES", ["pdf", "docx", "xlsx", "jpeg", "png"])
YINGJI_YEARPLAN_FILE_MAX_MB = env_int("YINGJI_YEARPLAN_FILE_MAX_MB", 10)
YINGJI_YEARPLAN_FILES_PER_TASK = env_int("YINGJI_YEARPLAN_FILES_PER_TASK", 10)
# Security education and training (yingji/training; seed 001 says only "按季度"; 本行设定): minutes before a
# session starts and after it ends during which an attendee may sign in on a phone; days before a period
# ends when a unit that has not held its scheduled session is warned, and the hour of that daily check;
# the material file types (told by content), their size and how many per session.
YINGJI_TRAINING_SIGNIN_EARLY_MINUTES = env_int("YINGJI_TRAINING_SIGNIN_EARLY_MINUTES", 15)
YINGJI_TRAINING_SIGNIN_LATE_MINUTES = env_int("YINGJI_TRAINING_SIGNIN_LATE_MINUTES", 30)
YINGJI_TRAINING_WARN_DAYS = env_int("YINGJI_TRAINING_WARN_DAYS", 14)
YINGJI_TRAINING_CHECK_HOUR = env_int("YINGJI_TRAINING_CHECK_HOUR", 8)
YINGJI_TRAINING_MATERIAL_TYPES = env_list(
    "YINGJI_TRAINING_MATERIAL_TYPES", ["pdf", "docx", "pptx", "xlsx", "jpeg", "png"]
)
YINGJI_TRAINING_MATERIAL_MAX_MB = env_int("YINGJI_TRAINING_MATERIAL_MAX_MB", 20)
YINGJI_TRAINING_MATERIALS_PER_SESSION = env_int("YINGJI_TRAINING_MATERIALS_PER_SESSION", 10)
# Responsibility letters (yingji/letters). Seed 001 gives the deadline (3月10日前 of the year); 本行设定:
# the days a person who joins later has to sign theirs, the reminders (percent of the time to sign used)
# and the signed scan's file types (told by content) and size.
YINGJI_LETTER_DEADLINE_MONTH_DAY = (3, 10)
YINGJI_LETTER_NEW_STAFF_DAYS = env_int("YINGJI_LETTER_NEW_STAFF_DAYS", 10)
YINGJI_LETTER_REMINDERS = tuple(int(p) for p in env_list("YINGJI_LETTER_REMINDERS", ["50", "80"]))
YINGJI_LETTER_SCAN_TYPES = env_list("YINGJI_LETTER_SCAN_TYPES", ["pdf", "jpeg", "png"])
YINGJI_LETTER_SCAN_MAX_MB = env_int("YINGJI_LETTER_SCAN_MAX_MB", 10)
# Warning signals (yingji/monitoring). The thresholds of the rules shipped (本行设定: the seeds give only
# the 60-minute outage of 004 第二条), editable afterwards on the rules page; how long a condition must
# be gone before a warning clears, how soon after clearing the same condition reopens the same warning
# instead of a new one (a flapping signal raises one warning), the fewest calls offered in an interval
# for its 接通率 to count, and the most points a batch may carry.
YINGJI_SIGNAL_ANSWER_RATE_PCT = env_int("YINGJI_SIGNAL_ANSWER_RATE_PCT", 85)
YINGJI_SIGNAL_SERVICE_LEVEL_PCT = env_int("YINGJI_SIGNAL_SERVICE_LEVEL_PCT", 80)
YINGJI_SIGNAL_QUEUE_PEOPLE = env_int("YINGJI_SIGNAL_QUEUE_PEOPLE", 30)
YINGJI_SIGNAL_WAIT_MINUTES = env_int("YINGJI_SIGNAL_WAIT_MINUTES", 30)
YINGJI_SIGNAL_QUEUE_MACHINE_MINUTES = env_int("YINGJI_SIGNAL_QUEUE_MACHINE_MINUTES", 15)
YINGJI_SIGNAL_CLEAR_MINUTES = env_int("YINGJI_SIGNAL_CLEAR_MINUTES", 5)
YINGJI_SIGNAL_HOLDOFF_MINUTES = env_int("YINGJI_SIGNAL_HOLDOFF_MINUTES", 30)
YINGJI_SIGNAL_MIN_OFFERED = env_int("YINGJI_SIGNAL_MIN_OFFERED", 20)
YINGJI_SIGNAL_MAX_BATCH = env_int("YINGJI_SIGNAL_MAX_BATCH", 1000)
YINGJI_SIGNAL_ACK_MINUTES = env_int("YINGJI_SIGNAL_ACK_MINUTES", 15)
# Seconds between a batch stored over the API and the evaluation job that evaluates it with every other
# batch pending (a warning is raised within this plus the job worker's poll); seconds a server process
# trusts its copy of an integration's token (a token revoked elsewhere is refused within this); minutes
# without a point from a source before its 数据中断 warning (the shipped rule's default).
YINGJI_SIGNAL_EVALUATE_SECONDS = env_int("YINGJI_SIGNAL_EVALUATE_SECONDS", 1)
YINGJI_SIGNAL_TOKEN_CACHE_SECONDS = env_int("YINGJI_SIGNAL_TOKEN_CACHE_SECONDS", 5)
YINGJI_SIGNAL_NO_DATA_MINUTES = env_int("YINGJI_SIGNAL_NO_DATA_MINUTES", 10)
# The situation board (yingji/reports): how many open incidents and warnings it lists (the most severe
# and oldest first; the counts cover all of them) and how often an open board asks whether anything changed.
YINGJI_BOARD_ROWS = env_int("YINGJI_BOARD_ROWS", 30)
YINGJI_BOARD_POLL_SECONDS = env_int("YINGJI_BOARD_POLL_SECONDS", 10)
# Plan readiness (yingji/readiness), 本行设定 (the seeds give none, the pages say so): the score in percent
# a quiz must reach to pass, and how many questions a quiz generated from a plan or the course asks.
YINGJI_QUIZ_PASS_SCORE = env_int("YINGJI_QUIZ_PASS_SCORE", 80)
YINGJI_QUIZ_QUESTIONS = env_int("YINGJI_QUIZ_QUESTIONS", 6)
