"""Settings come from the environment and are production-safe by default."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

PRINT_SETTINGS = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS,
    "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SECURE_HSTS_SECONDS": settings.SECURE_HSTS_SECONDS,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
    "DB_ENGINE": db["ENGINE"],
    "DB_NAME": str(db["NAME"]),
    "DB_HOST": db.get("HOST", ""),
    "EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "BROKER": settings.CELERY_BROKER_URL,
    "CACHE": settings.CACHES["default"]["BACKEND"],
    "CACHE_LOCATION": settings.CACHES["default"].get("LOCATION", ""),
    "EMAIL_BACKEND": settings.EMAIL_BACKEND,
    "CONTACT_EMAIL": settings.CONTACT_EMAIL,
}))
"""

SETTINGS_VARIABLES = (
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "REDIS_CACHE_URL",
    "CELERY_BROKER_URL",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SQLITE_PATH",
    "EMAIL_HOST",
    "ADMIN_EMAILS",
    "CONTACT_EMAIL",
)


def run_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    clean["DJANGO_SETTINGS_MODULE"] = "globalir.settings"
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def load_settings(**env: str) -> dict:
    result = run_settings(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_secret_key_and_debug_off_the_portal_refuses_to_start():
    result = run_settings()

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_defaults_are_safe_when_only_a_secret_is_given():
    values = load_settings(SECRET_KEY="a-real-secret", ALLOWED_HOSTS="globalir.example.org")

    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["globalir.example.org"]
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_hosts_and_trusted_origins_come_from_the_environment():
    values = load_settings(
        SECRET_KEY="s",
        ALLOWED_HOSTS="a.example.org, b.example.org",
        CSRF_TRUSTED_ORIGINS="https://a.example.org,https://b.example.org",
    )

    assert values["ALLOWED_HOSTS"] == ["a.example.org", "b.example.org"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://a.example.org", "https://b.example.org"]


def test_the_embedded_default_is_sqlite_in_the_project_folder_with_eager_tasks():
    values = load_settings(DEBUG="1")

    assert values["DEBUG"] is True
    assert values["DB_ENGINE"] == "django.db.backends.sqlite3"
    assert values["DB_NAME"] == str(settings.BASE_DIR / "db.sqlite3")
    assert values["EAGER"] is True
    # A table in the database, shared by every process (allauth's rate limits), not local memory.
    assert values["CACHE"] == "django.core.cache.backends.db.DatabaseCache"
    assert values["CACHE_LOCATION"] == "globalir_cache"
    assert values["EMAIL_BACKEND"].endswith("console.EmailBackend")
    assert values["SESSION_COOKIE_SECURE"] is False


def test_database_and_redis_urls_switch_to_postgresql_and_a_real_broker():
    values = load_settings(
        SECRET_KEY="s",
        DATABASE_URL="postgres://globalir:pw@db.internal:5432/globalir",
        REDIS_URL="redis://cache.internal:6379/0",
    )

    assert values["DB_ENGINE"] == "django.db.backends.postgresql"
    assert values["DB_HOST"] == "db.internal"
    assert values["EAGER"] is False
    assert values["BROKER"] == "redis://cache.internal:6379/0"
    assert values["CACHE"].endswith("RedisCache")
    # The cache lives in its own Redis database so clearing it never drops queued tasks.
    assert values["CACHE_LOCATION"] == "redis://cache.internal:6379/1"


@pytest.mark.parametrize("value", ["0", "false", "no", ""])
def test_debug_stays_off_for_false_looking_values(value):
    assert load_settings(SECRET_KEY="s", DEBUG=value)["DEBUG"] is False


def test_smtp_is_used_when_an_email_host_is_configured():
    values = load_settings(SECRET_KEY="s", EMAIL_HOST="smtp.example.org")

    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_the_contact_address_is_the_first_site_admin_unless_set():
    admins = "first@example.org,second@example.org"

    assert load_settings(SECRET_KEY="s")["CONTACT_EMAIL"] == ""
    assert load_settings(SECRET_KEY="s", ADMIN_EMAILS=admins)["CONTACT_EMAIL"] == "first@example.org"
    assert load_settings(SECRET_KEY="s", ADMIN_EMAILS=admins, CONTACT_EMAIL="help@example.org")["CONTACT_EMAIL"] == (
        "help@example.org"
    )
