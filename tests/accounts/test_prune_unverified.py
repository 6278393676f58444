"""Retention: sign-ups whose e-mail address was never confirmed are deleted after 30 days."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone

from globalir.accounts.models import User
from globalir.accounts.services import accounts_prune_unverified
from globalir.accounts.tasks import prune_unverified_accounts
from tests.factories import MembershipFactory, StaffFactory, UserFactory, VolunteerProfileFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def signed_up(email: str, *, days_ago: int, verified: bool = False) -> User:
    """An account as allauth's sign-up leaves it: an e-mail address waiting for confirmation, never signed in."""
    user = UserFactory(email=email, verified=False, date_joined=NOW - datetime.timedelta(days=days_ago))
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def remaining() -> set[str]:
    return set(User.objects.values_list("email", flat=True))


def test_the_retention_is_thirty_days_and_runs_every_night():
    assert settings.UNVERIFIED_ACCOUNT_DAYS == 30
    entry = settings.CELERY_BEAT_SCHEDULE["prune-unverified-accounts"]
    assert entry["task"] == "globalir.accounts.tasks.prune_unverified_accounts"
    assert prune_unverified_accounts.name == entry["task"]


def test_unverified_account_older_than_30_days_is_deleted_with_its_address():
    signed_up("abandoned@example.org", days_ago=31)

    assert accounts_prune_unverified(now=NOW) == 1

    assert "abandoned@example.org" not in remaining()
    assert not EmailAddress.objects.filter(email="abandoned@example.org").exists()


def test_unverified_account_younger_than_30_days_is_kept():
    signed_up("still-deciding@example.org", days_ago=29)

    assert accounts_prune_unverified(now=NOW) == 0

    assert "still-deciding@example.org" in remaining()


def test_verified_accounts_are_kept_however_old():
    signed_up("confirmed@example.org", days_ago=400, verified=True)
    UserFactory(email="factory-verified@example.org", date_joined=NOW - datetime.timedelta(days=400))

    accounts_prune_unverified(now=NOW)

    assert {"confirmed@example.org", "factory-verified@example.org"} <= remaining()


def test_an_account_confirmed_after_its_30_days_is_kept():
    late = signed_up("late-confirmer@example.org", days_ago=45)
    EmailAddress.objects.filter(user=late).update(verified=True)

    accounts_prune_unverified(now=NOW)

    assert "late-confirmer@example.org" in remaining()


def test_accounts_made_on_purpose_are_never_pruned():
    old = NOW - datetime.timedelta(days=90)
    StaffFactory(email="admin-without-address@example.org", verified=False, date_joined=old)
    VolunteerProfileFactory(user__email="volunteer@example.org", user__verified=False, user__date_joined=old)
    MembershipFactory(user__email="coordinator@example.org", user__verified=False, user__date_joined=old)
    signed_in = signed_up("signed-in-once@example.org", days_ago=90)
    User.objects.filter(pk=signed_in.pk).update(last_login=old)

    assert accounts_prune_unverified(now=NOW) == 0

    assert {
        "admin-without-address@example.org",
        "volunteer@example.org",
        "coordinator@example.org",
        "signed-in-once@example.org",
    } <= remaining()


def test_the_nightly_task_prunes_and_running_it_twice_changes_nothing_more():
    signed_up("abandoned@example.org", days_ago=31)
    signed_up("recent@example.org", days_ago=1)

    assert prune_unverified_accounts.apply().get() == 1
    assert prune_unverified_accounts.apply().get() == 0

    assert remaining() == {"recent@example.org"}
