"""Settings, all read from the environment (django-environ).

With no environment at all the service runs embedded: SQLite in the project folder, an
in-memory Celery broker with tasks run eagerly, local-memory cache. Set ``DATABASE_URL`` and
``REDIS_URL`` to run on PostgreSQL, Redis and real Celery workers. The README lists every
variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The default key is for the embedded, local mode only; `check --deploy` flags it, and
# config.production refuses to start without DJANGO_SECRET_KEY or with this key.
INSECURE_DEFAULT_SECRET_KEY = "insecure-local-only-key-set-DJANGO_SECRET_KEY-in-production"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_filters",
    "crispy_forms",
    "crispy_forms_gds",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm_log",
    "auditlog",
    "django_celery_beat",
    "rules",
    "axes",
    "csp",
    "accounts",
    "vacancies",
    "recruitment",
    "adjustments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.second_factor.SecondFactorMiddleware",
    "config.middleware.NoStoreMiddleware",
    "config.middleware.MethodNotAllowedPageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page (429).
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.service",
            ],
            # In every template without {% load %}: intcomma and the rest of humanize, and
            # the GOV.UK times (kernel/template_filters.py).
            "builtins": [
                "django.contrib.humanize.templatetags.humanize",
                "kernel.template_filters",
            ],
        },
    },
]

# --- Data -----------------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
if DATABASES["default"].get("ENGINE") == "django.db.backends.sqlite3":
    # The embedded default takes a small burst of simultaneous writes: write-ahead logging
    # (readers never wait for the writer), transactions that take the write lock when they
    # start (so two never deadlock upgrading a read lock), and writers queue for up to 20 s
    # instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
# rules' backend answers object permissions; ModelBackend authenticates. Permission checks
# in this service go through rules.has_perm() directly, so no superuser shortcut applies.
# Axes comes first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
#: Argon2 (argon2-cffi), as Django recommends: memory-hard, so a stolen table is slow to
#: attack on GPUs. A hash made with an older hasher below still checks, and is made again
#: with Argon2 the next time its owner signs in (docs/benchmarks.md has the cost).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
#: What anyone may ask without an account, per client IP an hour (accounts/throttle.py):
#: registering, asking for a password reset or a new confirmation link, and sending a request
#: for an adjustment before applying (only requests that were taken count).
REGISTRATION_LIMIT = env.int("REGISTRATION_LIMIT", default=10)
PASSWORD_RESET_LIMIT = env.int("PASSWORD_RESET_LIMIT", default=5)
BEFORE_APPLYING_LIMIT = env.int("BEFORE_APPLYING_LIMIT", default=5)
#: Staff network reviewers (docs/domain.md): HR's grant lasts this many days unless HR gives
#: another date, and never more than the maximum.
NETWORK_REVIEWER_DEFAULT_DAYS = env.int("NETWORK_REVIEWER_DEFAULT_DAYS", default=90)
NETWORK_REVIEWER_MAX_DAYS = env.int("NETWORK_REVIEWER_MAX_DAYS", default=365)

#: Staff who sign in with a password (not single sign-on) set up and use a second factor
#: (TOTP, django-otp) before they reach any page or API answer: required by
#: ``config.production``, off in the embedded mode so the demo logins work as they are.
STAFF_SECOND_FACTOR = env.bool("STAFF_SECOND_FACTOR", default=False)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Recruitment service")

# --- Staff single sign-on (OpenID Connect; accounts/oidc.py; README "Single sign-on") -------

#: Off unless set: staff then sign in with their organisation's identity provider (Microsoft
#: Entra ID, Google Workspace, any certified OpenID provider). The provider's endpoints and
#: keys come from its discovery document at ``OIDC_ISSUER``.
OIDC_ENABLED = env.bool("OIDC_ENABLED", default=False)
OIDC_ISSUER = env.str("OIDC_ISSUER", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGORITHM", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
#: The claim that carries the person's roles or groups (a list or one string), and which of
#: its values gives which role here: "hr=Recruitment HR,hiring_manager=Hiring managers,…".
#: Someone whose claim gives no role is refused.
OIDC_ROLE_CLAIM = env.str("OIDC_ROLE_CLAIM", default="roles")
OIDC_ROLE_MAP = env.dict("OIDC_ROLE_MAP", default={})
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_CREATE_USER = True
OIDC_STORE_ID_TOKEN = False
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
#: Inert unless OIDC_ENABLED: it answers only the sign-on callback.
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "accounts.oidc.StaffOIDCBackend"]

# --- Security -------------------------------------------------------------------------------
# What holds in every mode. The HTTPS-only settings (secure cookies, HSTS, the redirect, the
# proxy's scheme header) are in config.production, so the embedded default keeps working over
# plain HTTP for `make run` and the tests.

#: Login throttling (django-axes), for the sign-in page and POST /api/v1/auth/token/ alike:
#: after LOGIN_FAILURE_LIMIT failures for one username from one client IP, that pair may not
#: sign in for LOGIN_COOLOFF_MINUTES after the last failure (attempts meanwhile don't extend
#: it); a successful sign-in clears the count. Other usernames from the same IP, and the same
#: username from elsewhere, are not affected, and the answer is the same whether the username
#: exists or not (accounts/lockout.py: 429, a GOV.UK page or the API's error envelope).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
#: No log of successful sign-ins (username, IP, browser) kept for ever: the audit trail is
#: the transition and audit logs. Failed attempts are removed nightly once their cool-off
#: has passed (recruitment/privacy/retention.py).
AXES_DISABLE_ACCESS_LOG = True
#: The client IP for throttling: REMOTE_ADDR, or behind this many proxies that each append to
#: X-Forwarded-For (1 behind one load balancer), the address the outermost one saw
#: (config/client_ip.py). Never more than the proxies really there: a client can write the
#: header's left-hand entries itself.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

#: Sessions end this many seconds after sign-in (8 hours: a working day).
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

#: Content security policy (django-csp 4). Pages load only this service's own files: no
#: inline style or script, except base.html's one-line script that marks the body
#: `js-enabled`, allowed by a fresh nonce a request. The API docs pages widen it for
#: themselves only (config/api_docs.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Locale ---------------------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "DJANGO_STATICFILES_STORAGE",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- E-mail ---------------------------------------------------------------------------------

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="recruitment@example.gov.uk")
#: An SMTP server that stops answering raises a (transient, retried) timeout after this many
#: seconds, rather than holding a worker until the task's time limit.
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=30)
#: How messages leave: "smtp" (Django's EMAIL_BACKEND) or "notify" (GOV.UK Notify, with an
#: API key and one e-mail template whose subject is ((subject)) and body ((body))).
MESSAGE_CHANNEL = env.str("MESSAGE_CHANNEL", default="smtp")
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_TEMPLATE_ID = env.str("NOTIFY_TEMPLATE_ID", default="")
#: Optional: a second template, ((subject)), ((body)) and ((file)), for the messages that
#: carry a file (the interview's calendar invitation); without it they go without the file.
NOTIFY_FILE_TEMPLATE_ID = env.str("NOTIFY_FILE_TEMPLATE_ID", default="")
NOTIFY_BASE_URL = env.str("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")

SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000")
from config.organisation import *  # noqa: E402, F403 - ORGANISATION_*: the employer

# --- Domain settings (see docs/domain.md) ---------------------------------------------------

#: Remind the adjustments coordinators of open requests needed within this many working days.
ADJUSTMENT_REMINDER_WORKING_DAYS = env.int("ADJUSTMENT_REMINDER_WORKING_DAYS", default=3)
#: Remind panel members of applications still waiting for their scores this many days after
#: the vacancy closed (sift) or after the interview.
PANEL_SCORING_REMINDER_DAYS = env.int("PANEL_SCORING_REMINDER_DAYS", default=2)

from config.interviews import *  # noqa: E402, F403 - INTERVIEW_*: the slot rules

#: Retention (docs/domain.md §6): candidates' personal data is erased this many months
#: after the vacancy is filled or cancelled, unless under a legal hold. One deployment
#: serves one organisation; set this to its policy (6 is common, some councils keep 12).
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=6)
#: An application started but not sent is forgotten after this many days without a change.
DRAFT_RETENTION_DAYS = env.int("DRAFT_RETENTION_DAYS", default=30)

#: Monitoring statistics (docs/domain.md §7). Which group is the reference for the
#: relative likelihood, and what the other groups together are called in reports.
MONITORING_REFERENCE_GROUPS = {
    "ethnicity_group": "white",
    "ethnicity": "white_british",
    "disability": "not_disabled",
    "sex": "male",
    "gender_identity": "same_as_sex_at_birth",
    "sexual_orientation": "straight",
    "religion": "christian",
    "age_band": "35-44",
}
MONITORING_COMPARISON_LABELS = {
    "ethnicity_group": env.str("MONITORING_ETHNICITY_COMPARISON_LABEL", default="ethnic minority"),
    "ethnicity": "all other ethnic groups",
    "disability": "disabled",
    "sex": "female",
    "gender_identity": "different from sex registered at birth",
}
MONITORING_ADVERSE_IMPACT_THRESHOLD = 0.8  # the four-fifths rule
#: Fisher's exact test as Lancaster's mid-p (less conservative with small groups) in the
#: dashboard's adverse impact and the publication pack; off: the ordinary two-sided test.
MONITORING_FISHER_MID_P = env.bool("MONITORING_FISHER_MID_P", default=False)
MONITORING_BENCHMARK_CSV = env.str(
    "MONITORING_BENCHMARK_CSV",
    default=str(BASE_DIR / "recruitment/data/census2021_england_wales.csv"),
)
MONITORING_BENCHMARK_NAME = env.str(
    "MONITORING_BENCHMARK_NAME", default="Census 2021, England and Wales"
)
#: Reports over more applications than this run as a Celery task with progress.
MONITORING_ASYNC_THRESHOLD = env.int("MONITORING_ASYNC_THRESHOLD", default=200_000)
#: Disclosure control (recruitment/monitoring/disclosure.py, docs/disclosure-control.md). A stage column
#: of a unit is released only when at least this many people reached the stage in it, and no
#: two released columns differ by between 1 and this many less one.
MONITORING_MIN_POPULATION = env.int("MONITORING_MIN_POPULATION", default=20)
#: A campaign is a unit of its own only with at least this many applications.
MONITORING_CAMPAIGN_MIN_APPLICATIONS = env.int("MONITORING_CAMPAIGN_MIN_APPLICATIONS", default=100)
#: The month a reporting year starts in (4: April to March, as UK public bodies report).
MONITORING_YEAR_START_MONTH = env.int("MONITORING_YEAR_START_MONTH", default=4)
#: Grade → grade band, e.g. {"Band 5": "Bands 1 to 5", "Band 6": "Bands 6 and 7"}; a grade not
#: listed is a band of its own. JSON in the environment.
MONITORING_GRADE_BANDS: dict[str, str] = env.json("MONITORING_GRADE_BANDS", default={})
#: The exact statutory return is refused for a year with fewer applications than this.
MONITORING_STATUTORY_MINIMUM = env.int("MONITORING_STATUTORY_MINIMUM", default=100)
#: Candidates' feedback from the scores (recruitment/scoring/feedback.py): other candidates'
#: figures only where at least this many had agreed scores at the stage.
FEEDBACK_MIN_COHORT = env.int("FEEDBACK_MIN_COHORT", default=20)
#: The secret its record keys derive from: never change it (a second set of figures would
#: narrow the truth). Empty: derived from DJANGO_SECRET_KEY, which must not change either.
FEEDBACK_SECRET = env.str("FEEDBACK_SECRET", default="")

# --- API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.StrictTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "kernel.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "kernel.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "kernel.api.exception_handler",
    # JSON bodies only (docs/api.md): a form-encoded body cannot carry the nested objects
    # and lists (equality answers, evidence, scores), which DRF's form parsers silently drop.
    "DEFAULT_PARSER_CLASSES": ["kernel.api_parsers.SafeJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "kernel.api_renderers.BrowsableAPIRendererWithInlineStyles",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

#: API tokens (django-rest-knox): stored as SHA-512 digests, never as given; each expires
#: ``API_TOKEN_DAYS`` after it was issued; signing out of the API revokes it, and
#: deactivating an account revokes all of its tokens at once.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_DAYS", default=30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Inclusive recruitment service API",
    "DESCRIPTION": "Vacancies, applications, name-blind scoring, interview guarantees, "
    "reasonable adjustments and anonymised monitoring statistics.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStateEnum": "recruitment.models.ApplicationState",
        "VacancyStatusEnum": "vacancies.models.VacancyStatus",
        "YesNoEnum": "recruitment.models.YesNo",
        "GuaranteeSchemeEnum": "vacancies.models.GuaranteeScheme",
        "ScoreStageEnum": "recruitment.models.ScoreStage",
        "AdjustmentStageEnum": "adjustments.models.AdjustmentStage",
        "AdjustmentStateEnum": "adjustments.models.AdjustmentState",
        "UnitKindEnum": "recruitment.monitoring.disclosure.UNIT_KINDS",
        "CriterionKindEnum": "vacancies.models.CriterionKind",
        "InterviewFormatEnum": "recruitment.models.InterviewFormat",
    },
}

# --- Celery ---------------------------------------------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Embedded default: no broker to talk to, so tasks run in the calling process.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged when it ends, not when it starts, and is given back to the queue if
# its pool process dies: every task is idempotent, so running one again does it once.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
#: The queue tasks are sent to and workers take from: deployments sharing one Redis keep apart
#: by naming their own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="celery")
#: Redis gives a task that was delivered but never acknowledged (its worker died, or was
#: killed) to another worker after this many seconds. It must be longer than the longest
#: task (``CELERY_TASK_TIME_LIMIT``) and the longest countdown or ETA (e-mail retries wait up
#: to ``kernel.mail.RETRY_BACKOFF_MAX`` = 600 s), or a task still running or waiting for its
#: time is delivered a second time.
REDIS_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "close-vacancies-past-closing-date": {
        "task": "vacancies.tasks.close_expired_vacancies",
        "schedule": timedelta(minutes=1),
    },
    "remind-coordinators-of-open-adjustments": {
        "task": "adjustments.tasks.send_adjustment_reminders",
        "schedule": timedelta(hours=1),
    },
    "erase-personal-data-past-retention": {
        "task": "recruitment.tasks.erase_expired_personal_data",
        "schedule": crontab(hour=2, minute=30),
    },
    "resume-stalled-decisions-from-the-ranking": {
        "task": "recruitment.tasks.resume_decision_runs",
        "schedule": timedelta(minutes=5),
    },
    "remind-candidates-of-tomorrows-interviews": {
        "task": "recruitment.tasks.send_interview_reminders",
        "schedule": timedelta(hours=1),
    },
    "remind-panel-members-of-unscored-applications": {
        "task": "recruitment.tasks.send_scoring_reminders",
        "schedule": timedelta(hours=1),
    },
}

# --- Logging --------------------------------------------------------------------------------

# One stdout handler for Django, gunicorn (config/gunicorn.py) and Celery's worker and beat
# (config/celery_app.py). DJANGO_LOG_FORMAT: "plain" here, "json" (one JSON object a line,
# see config/logs.py) by default under config.production.
from config.logs import logging_config  # noqa: E402 - kept inside this section

LOG_LEVEL = env.str("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = logging_config(env.str("DJANGO_LOG_FORMAT", default="plain"), level=LOG_LEVEL)
