"""Settings for GlobalIR, read from the environment.

With no environment at all the portal runs on the embedded default: SQLite in the
project folder and Celery tasks executed eagerly in-process. ``DATABASE_URL`` and
``REDIS_URL`` switch to PostgreSQL and a real Celery broker.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-used-with-debug"  # noqa: S105 - DEBUG only, never served

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # The stock admin, with a review queue on its index (globalir.admin_site).
    "globalir.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Sign-in with ORCID (off unless ORCID_CLIENT_ID and ORCID_CLIENT_SECRET are set, see below).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.orcid",
    "django_countries",
    "django_filters",
    "simple_history",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Our apps in their layer order, lowest first: each imports only those above it in this list (the
    # import-linter contracts in pyproject.toml), and the privacy parts (globalir.privacy) run in this order
    # for an export, in the reverse order for an erasure.
    "globalir.accounts",
    "globalir.outbox",
    "notifications",
    "organisations",
    "volunteers",
    "programmes",
    "placements",
    "conversations",
    "matcher",
    "consults",
    "api",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header (django-csp, configured under "Security" below).
    "csp.middleware.CSPMiddleware",
    # PUT, PATCH, DELETE and other verbs are refused with 405 (the pages take GET, HEAD and POST).
    "globalir.http_methods.OnlyGetHeadPostMiddleware",
    # A NUL character in the path or the query string is a 400; a cookie holding one is dropped.
    "globalir.middleware.RefuseNulCharactersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's pages in the language of their account (globalir.accounts.User.language).
    "globalir.accounts.middleware.UserLanguageMiddleware",
    # Cache-Control: no-store on every response to a signed-in user and on every private path.
    "globalir.middleware.NoStoreForPersonalDataMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # Coordinators, organisation admins and staff reach nothing but MFA enrolment until enrolled.
    "globalir.accounts.mfa_required.MFARequiredMiddleware",
    # Records who made each change in the audit trail (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Records each 403/404 on an object's URL as a security event (globalir.accounts.AuditEvent).
    "globalir.accounts.middleware.AccessRefusedAuditMiddleware",
]

ROOT_URLCONF = "globalir.urls"

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
                "django.template.context_processors.i18n",
                "globalir.context_processors.contact",
                "globalir.context_processors.release",
            ],
            # Template tags of the portal as a whole (globalir is not an app, so they are named here).
            "libraries": {
                "content_language": "globalir.templatetags.content_language",
                "url_pk": "globalir.templatetags.url_pk",
                "field_groups": "globalir.templatetags.field_groups",
            },
        },
    },
]

WSGI_APPLICATION = "globalir.wsgi.application"

# Database: PostgreSQL when DATABASE_URL is set, otherwise SQLite in the project folder.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
else:
    SQLITE_PATH = Path(env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")))
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            # A file, not memory, so that a Celery worker started by a test sees the test data.
            "TEST": {"NAME": SQLITE_PATH.with_name(f"test-{SQLITE_PATH.name}")},
            # SQLite ignores SELECT … FOR UPDATE: taking the write lock when a transaction begins
            # serialises the services' locked sections (two accepts of overlapping offers) instead.
            "OPTIONS": {"transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, each loading the signed-in user with their two-factor status in
# the same query (globalir.accounts.backends).
AUTHENTICATION_BACKENDS = [
    "globalir.accounts.backends.EmailModelBackend",
    "globalir.accounts.backends.AccountBackend",
]
# Django's list, with its PBKDF2 computed at a lower scheduling priority (globalir.accounts.hashers): a burst of
# sign-ins does not slow page views. Same algorithm name, so every stored password still verifies.
PASSWORD_HASHERS = [
    "globalir.accounts.hashers.LowPriorityPBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: e-mail only, no usernames, verification required before login.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[GlobalIR] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_ADAPTER = "globalir.accounts.adapter.AccountAdapter"
# Rate limits are counted in the cache (Redis, or the database cache on the embedded default, see
# below), so they hold across processes. Failed logins (globalir.accounts.ratelimits) are counted
# so that nobody can lock a known user out: a browser that has signed in to the account before
# spends only its own tries ("login_failed_known_device"); other clients spend their address's
# ("login_failed_address") and, together, the account's ("login_failed", also each account's wrong
# authenticator codes). Each count allows fewer tries the longer an attack goes on: five in five
# minutes, ten in an hour, twenty in a day for an account. allauth's defaults stay for the other
# actions (sign-up, password reset, e-mail changes, re-authentication), whose refusals get the
# site's 429 page (globalir.accounts.views.too_many_requests).
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/5m/key,10/h/key,20/d/key",
    "login_failed_address": "10/m/ip,50/h/ip",
    "login_failed_known_device": "5/5m/key,10/h/key,20/d/key",
}
# How long a browser stays known to the accounts signed in from it (renewed at each login).
KNOWN_DEVICE_DAYS = env_int("KNOWN_DEVICE_DAYS", 365)
# Sign-up and password reset answer the same whether the address has an account or not (the owner
# of the address gets an e-mail saying which it was).
ACCOUNT_PREVENT_ENUMERATION = True
# Changing e-mail addresses, the password or MFA asks for the password again when the last
# re-authentication is older than five minutes.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# allauth.mfa: an authenticator app (TOTP) with recovery codes. Required for coordinators,
# organisation admins and staff (globalir.accounts.mfa_required).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# allauth's forms with the portal's labels ("e-mail address", sentence case); its pages are overridden
# under templates/account, templates/mfa and templates/usersessions for the same reason. The sign-up form
# also hashes the password typed for a known address, so that both answers take as long.
ACCOUNT_FORMS = {
    "login": "globalir.accounts.forms.LoginForm",
    "signup": "globalir.accounts.forms.SignupForm",
    "add_email": "globalir.accounts.forms.AddEmailForm",
    "change_password": "globalir.accounts.forms.ChangePasswordForm",
    "reset_password": "globalir.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "globalir.accounts.forms.ResetPasswordKeyForm",
}
MFA_FORMS = {"activate_totp": "globalir.accounts.forms.ActivateTOTPForm"}
MFA_ADAPTER = "globalir.accounts.adapter.MFAAdapter"
MFA_TOTP_ISSUER = "GlobalIR"
MFA_REAUTHENTICATION_REQUIRED = True

# Sign-in with ORCID (allauth.socialaccount). The client is registered at ORCID (see the README) and given
# here; with no client id or secret there is no ORCID button and its addresses answer 404. ORCID's sandbox
# is ORCID_BASE_DOMAIN=sandbox.orcid.org. The two URLs are derived from the domain; the tests point them at
# a fake ORCID server on loopback (globalir.accounts.orcid reads them at each request).
ORCID_CLIENT_ID = env_str("ORCID_CLIENT_ID")
ORCID_CLIENT_SECRET = env_str("ORCID_CLIENT_SECRET")
ORCID_BASE_DOMAIN = env_str("ORCID_BASE_DOMAIN", "orcid.org")
ORCID_BASE_URL = f"https://{ORCID_BASE_DOMAIN}"  # the sign-in page people are sent to
ORCID_API_URL = f"https://pub.{ORCID_BASE_DOMAIN}"  # the token and public record endpoints
ORCID_ENABLED = bool(ORCID_CLIENT_ID and ORCID_CLIENT_SECRET)
SOCIALACCOUNT_PROVIDERS = {
    "orcid": {
        # allauth's provider with the URLs above (its own builds them once, at import, always https).
        "provider_class": "globalir.accounts.orcid.provider.OrcidProvider",
        "APPS": [{"client_id": ORCID_CLIENT_ID, "secret": ORCID_CLIENT_SECRET}] if ORCID_ENABLED else [],
    },
}
SOCIALACCOUNT_FORMS = {"signup": "globalir.accounts.forms.SocialSignupForm"}
# ORCID's public API rarely shares an e-mail address: a new account types one, which is confirmed like any
# other before the first sign-in. An address ORCID does give is never trusted to join an existing account.
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory"
SOCIALACCOUNT_STORE_TOKENS = False

# E-mail: printed on the console unless an SMTP host is configured.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "GlobalIR <noreply@globalir.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("GlobalIR admins", address) for address in env_list("ADMIN_EMAILS")]
# Where people who are stuck (no confirmation e-mail, a locked account) can write: shown on the account
# pages and in allauth's e-mails. The first site admin unless set; with neither, the pages offer no address.
CONTACT_EMAIL = env_str("CONTACT_EMAIL", ADMINS[0][1] if ADMINS else "")
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
elif env_str("EMAIL_FILE_PATH"):
    # Each message written to a file in this folder (the real-worker test reads them back).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Internationalisation: partners work in English, French, Portuguese and Spanish.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# British dates and times in English ("7 December 2026", 24-hour clock, weeks from Monday): Django's
# own "en" formats are American (globalir/formats/en/formats.py).
FORMAT_MODULE_PATH = ["globalir.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers the files whitenoise serves; two test runs side by side each need their own.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded documents (credentials) live outside any public URL; they are served by views
# that check permission.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
# Consult images (de-identified DICOM, photos, their previews) have their own storage so that a deployment
# can put them on S3-compatible object storage (django-storages, see README) without moving the rest;
# by default they sit under the private media folder, never under static files.
STORAGES["consults"] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
# An urgent consult still unclaimed this many hours after it was offered is offered to a wider pool.
CONSULT_ESCALATE_HOURS = env_int("CONSULT_ESCALATE_HOURS", 6)
# Consult requests, their images and threads are deleted this many days after they were asked.
CONSULT_RETENTION_DAYS = env_int("CONSULT_RETENTION_DAYS", 90)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# Cache: Redis when configured (by default database 1 of the broker's server, so that clearing
# the cache never drops queued tasks), otherwise a table in the database (`manage.py
# createcachetable`, run by `make migrate`): allauth's rate limits and used TOTP codes must be
# shared by every process serving the site, which a per-process local-memory cache is not.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    REDIS_CACHE_URL = env_str("REDIS_CACHE_URL", urlsplit(REDIS_URL)._replace(path="/1").geturl())
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "globalir_cache"}}

# Each process's own memory, for what is cheap to lose and never has to be shared: rendered result
# cards (filed under everything they show, so never stale), and the filter menus and rendered filter
# form of /opportunities/ (filed under the listing's data version, read from the shared cache; see
# programmes.listing_cache).
CACHES["local"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "globalir-local",
    "OPTIONS": {"MAX_ENTRIES": 20_000},
}
# The rendered results of /opportunities/ for signed-in visitors (programmes.listing_cache), also per process
# and filed under the data version; apart from "local" so that these larger entries (about 20 KB each) stay
# few: at most some 20 MB per process.
CACHES["opportunity-results"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "globalir-opportunity-results",
    "OPTIONS": {"MAX_ENTRIES": 1_000},
}

# Celery: a real broker with REDIS_URL, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_BROKER_URL.startswith("filesystem://"):
    # A broker made of files in one folder: a real worker with no service to run (used by tests
    # on the embedded default).
    _broker_folder = Path(env_str("CELERY_BROKER_FOLDER", str(BASE_DIR / ".broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_folder / "queue"),
        "data_folder_out": str(_broker_folder / "queue"),
        "processed_folder": str(_broker_folder / "processed"),
        "control_folder": str(_broker_folder / "control"),
        "store_processed": False,
    }
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 600)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 540)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # Tasks saved while the broker was down (globalir.outbox), e-mails among them, are sent within a minute
    # of its return; so are tasks put back to run later once their time has come.
    "relay-outbox": {"task": "globalir.outbox.tasks.relay_outbox", "schedule": crontab(minute="*")},
    "close-expired-needs": {"task": "programmes.close_expired_needs", "schedule": crontab(hour=1, minute=30)},
    "weekly-digest": {
        "task": "matcher.send_weekly_digests",
        "schedule": crontab(day_of_week="mon", hour=7, minute=0),
    },
    "deadline-reminders": {
        "task": "placements.send_deadline_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    # Pre-departure checklist steps due within a week, to the side that acts.
    "checklist-reminders": {
        "task": "placements.send_checklist_reminders",
        "schedule": crontab(hour=6, minute=45),
    },
    # A credential that expires before an accepted placement ends: both sides warned 60 and 14 days ahead.
    "placements-credentials-expiring": {
        "task": "placements.warn_credentials_expiring",
        "schedule": crontab(hour=6, minute=50),
    },
    "placements-feedback-request": {
        "task": "placements.request_feedback",
        "schedule": crontab(hour=8, minute=0),
    },
    # Match rounds whose ranking deadline has passed run within five minutes.
    "start-due-match-rounds": {"task": "matcher.start_due_match_rounds", "schedule": crontab(minute="*/5")},
    # So do the host rounds of visiting professors and their hosts (small: run in the task itself).
    "run-due-host-rounds": {"task": "matcher.run_due_host_rounds", "schedule": crontab(minute="*/5")},
    # The matcher's stored recommendations, all recomputed after the expired needs are closed.
    "refresh-all-recommendations": {
        "task": "matcher.refresh_all",
        "schedule": crontab(hour=2, minute=15),
    },
    # Sign-ups never verified within UNVERIFIED_ACCOUNT_DAYS are deleted (globalir.accounts.services).
    "prune-unverified-accounts": {
        "task": "globalir.accounts.tasks.prune_unverified_accounts",
        "schedule": crontab(hour=3, minute=45),
    },
    "prune-security-events": {
        "task": "globalir.accounts.tasks.prune_security_events",
        "schedule": crontab(hour=3, minute=50),
    },
    # Urgent consults unclaimed after CONSULT_ESCALATE_HOURS go to a wider pool; checked every ten minutes.
    "consults-escalate": {"task": "consults.escalate_unclaimed", "schedule": crontab(minute="*/10")},
    "consults-retention": {"task": "consults.purge_expired", "schedule": crontab(hour=4, minute=10)},
}
# Retention: how long an account whose e-mail address was never confirmed is kept, and how long the
# security events (logins, failed logins, refused access: addresses and IP addresses) are.
UNVERIFIED_ACCOUNT_DAYS = env_int("UNVERIFIED_ACCOUNT_DAYS", 30)
SECURITY_EVENT_DAYS = env_int("SECURITY_EVENT_DAYS", 365)

# Security: safe by default, relaxed only with DEBUG.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS preloading is a promise about the whole registrable domain that is hard to take back, made
# by whoever runs the deployment (SECURE_HSTS_PRELOAD=1 once they mean it): the deployment checklist
# (`manage.py check --deploy`, run in CI) must not require it of every domain the portal runs on.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Content-Security-Policy (django-csp): scripts, styles and images from this site only. No inline
# <script>, style="…" or on…= handler runs: pages use static files (htmx is told not to inject its
# indicator <style>, see base.html) and charts are styled from site.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        # The ORCID buttons post to the portal, which redirects to ORCID's sign-in page: browsers hold that
        # redirect to the form-action of the page the button was on.
        "form-action": ["'self'", *([ORCID_BASE_URL] if ORCID_ENABLED else [])],
    },
}
if env_bool("BEHIND_TLS_PROXY", False):
    # The proxy's address is not the visitor's: allauth's per-address rate limits read the client's
    # address from the X-Forwarded-For the one trusted proxy adds.
    ALLAUTH_TRUSTED_PROXY_COUNT = 1
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DIRECTORY_PAGE_SIZE = 24

# The matcher (matcher.engine): relative weights of the soft factors of a volunteer's fit to a
# need (rescaled so that a perfect pair scores 100), and how many results each side keeps.
MATCHING_WEIGHTS = {
    "required_skills": 30,
    "preferred_skills": 10,
    "languages": 15,
    "experience": 10,
    "region": 10,
    "availability": 15,
    "engagement": 10,
}
MATCHING_TOP_K = env_int("MATCHING_TOP_K", 20)
# How long an invitation to join an organisation stays valid.
INVITATION_DAYS = env_int("INVITATION_DAYS", 14)

# Consult images (consults.imaging): what one upload may hold. A zip counts by what it unpacks to, and
# an archive whose members inflate more than CONSULT_ZIP_MAX_RATIO times is refused as a zip bomb.
CONSULT_MAX_UPLOAD_MB = env_int("CONSULT_MAX_UPLOAD_MB", 200)
CONSULT_MAX_FILE_MB = env_int("CONSULT_MAX_FILE_MB", 100)
CONSULT_MAX_FILES = env_int("CONSULT_MAX_FILES", 2000)
CONSULT_ZIP_MAX_RATIO = env_int("CONSULT_ZIP_MAX_RATIO", 200)
# A photo or a DICOM frame larger than this many pixels is refused before it is decoded.
CONSULT_MAX_IMAGE_PIXELS = env_int("CONSULT_MAX_IMAGE_PIXELS", 40_000_000)
# The API (api/): public reads, and the coordinators' writes with an organisation's token. Rate limits per
# client, counted in the shared cache (Redis when REDIS_URL is set, so every process counts together):
# anonymous clients per IP address, token holders per token.
API_PAGE_SIZE = 20
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.AnonymousThrottle", "api.throttling.TokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anonymous": env_str("API_RATE_ANONYMOUS", "120/min"),
        "token": env_str("API_RATE_TOKEN", "600/min"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # DRF's own count of proxies in front of it: the client's address is the one the trusted proxy adds.
    "NUM_PROXIES": 1 if env_bool("BEHIND_TLS_PROXY", False) else 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GlobalIR API",
    "DESCRIPTION": (
        "Open needs, programmes and the directory of organisations of GlobalIR, read-only and public; and, "
        "with an organisation's API token, its coordinators' needs to create, update and close."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "OrganisationKindEnum": "organisations.models.Organisation.Kind",
        "ProgrammeKindEnum": "programmes.models.Programme.Kind",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # "Not Found: /organisations/invitations/<token>/" is logged with the token hidden.
    "filters": {"hide_url_secrets": {"()": "globalir.redaction.HideUrlSecrets"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Its DEBUG records ("Exception while resolving variable …") carry the whole template context,
        # e-mail confirmation and password-reset keys included: never below INFO, whatever LOG_LEVEL says.
        "django.template": {"level": "INFO"},
        "django.request": {"filters": ["hide_url_secrets"]},
        "django.security.csrf": {"filters": ["hide_url_secrets"]},
        # Certificates (WeasyPrint): a line per rendering step and per font subset otherwise.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
