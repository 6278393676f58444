"""The cast of users every test area shares."""

from importlib import import_module

import pytest

from organisations.models import Membership
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
    VolunteerProfileFactory,
)


def pytest_configure(config):
    from django.conf import settings

    # WhiteNoise indexes every static file when a test client builds its middleware, about 0.1 s for
    # each of the suite's thousands of clients; looking files up on request (as with DEBUG) costs
    # nothing for tests that never ask for one, and serves the browser tests the same files.
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Production hashing is deliberately slow; tests create hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.fixture(autouse=True)
def fresh_cache(request, settings):
    # allauth counts attempts per IP in the cache, and this process keeps the filter menus of
    # /opportunities/ for a minute: each test starts with a clean slate.
    from django.core.cache import cache, caches

    caches["local"].clear()
    caches["opportunity-results"].clear()

    if request.node.get_closest_marker("django_db") or DATABASE_FIXTURES & set(request.fixturenames):
        # On the embedded default the cache is a table in the database: open the test's database
        # first (pytest-django's own helper, which the db fixtures and the django_db mark use).
        request.getfixturevalue("_django_db_helper")
    elif settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        # No database for this test, so no cache it could have written to either.
        yield
        return
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the portal's default language: Django activates a request's language in the
    thread that serves it and leaves it there, and the test client serves in the test's own thread."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def celery_tasks_run_in_process():
    """Tasks the code under test enqueues run at once, in this process and on the test's database.

    Without this, with REDIS_URL set they would wait in Redis for a worker that never comes. The
    worker tests start a real worker and send to it with a client of their own.
    """
    from globalir.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Road to IR Test Partners", acronym="R2T")


@pytest.fixture
def other_organisation(db):
    return OrganisationFactory(name="Other Imaging Charity")


@pytest.fixture
def volunteer(db):
    """A volunteer with a complete profile; the user is `volunteer.user`."""
    return VolunteerProfileFactory(user__email="volunteer@example.org")


@pytest.fixture
def other_volunteer(db):
    return VolunteerProfileFactory(user__email="other.volunteer@example.org")


@pytest.fixture
def coordinator(organisation):
    return MembershipFactory(
        user__email="coordinator@example.org", organisation=organisation, role=Membership.Role.COORDINATOR
    ).user


@pytest.fixture
def other_coordinator(other_organisation):
    return MembershipFactory(
        user__email="other.coordinator@example.org", organisation=other_organisation, role=Membership.Role.COORDINATOR
    ).user


@pytest.fixture
def organisation_admin(organisation):
    return MembershipFactory(
        user__email="org.admin@example.org", organisation=organisation, role=Membership.Role.ADMIN
    ).user


@pytest.fixture
def site_admin(db):
    return StaffFactory(email="admin@example.org")


@pytest.fixture
def plain_user(db):
    return UserFactory(email="someone@example.org")


@pytest.fixture(autouse=True)
def private_media_in_tmp(settings, tmp_path):
    """Uploaded documents go to a folder of the test's own, never to the project's private-media/."""
    media = tmp_path / "private-media"
    settings.PRIVATE_MEDIA_ROOT = media
    settings.MEDIA_ROOT = media
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(media)}},
    }
    return media


@pytest.fixture
def seeded_transactional_db(transactional_db):
    """A transactional database with the rows that migrations seed (skills taxonomy, languages).

    A transactional test empties every table when it ends, seeded rows included, and
    serialized_rollback cannot restore them once another transactional test has recreated the
    content types. Re-running the idempotent seed does.
    """
    from django.apps import apps

    import_module("volunteers.migrations.0002_seed_taxonomy").seed(apps, None)
