"""Organisation and Membership: validation, database guards, display and querysets."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from organisations.models import Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def assert_invalid(instance, field, message):
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    assert message in excinfo.value.message_dict[field]


def test_a_pending_organisation_cannot_be_featured():
    organisation = OrganisationFactory.build(status=Organisation.Status.PENDING, featured=True)

    assert_invalid(organisation, "featured", "Only verified organisations can be featured.")


def test_an_archived_organisation_cannot_be_featured():
    organisation = OrganisationFactory.build(status=Organisation.Status.ARCHIVED, featured=True)

    assert_invalid(organisation, "featured", "Only verified organisations can be featured.")


def test_a_verified_organisation_can_be_featured():
    organisation = OrganisationFactory.build(status=Organisation.Status.VERIFIED, featured=True)

    organisation.full_clean()


def test_at_signs_and_spaces_are_stripped_from_social_handles():
    organisation = OrganisationFactory.build(twitter="@Road2IR", instagram=" @road2ir ")

    organisation.full_clean()

    assert organisation.twitter == "Road2IR"
    assert organisation.instagram == "road2ir"


def test_organisation_names_are_unique():
    OrganisationFactory(name="Road2IR", slug="road2ir")

    assert_invalid(
        OrganisationFactory.build(name="Road2IR", slug="road2ir-2"),
        "name",
        "Organisation with this Name already exists.",
    )


def test_organisation_is_shown_with_its_acronym():
    assert str(OrganisationFactory.build(name="Road to Interventional Radiology", acronym="R2IR")) == (
        "Road to Interventional Radiology (R2IR)"
    )


def test_organisation_acronym_that_repeats_the_name_is_not_shown_twice():
    assert str(OrganisationFactory.build(name="RAD-AID", acronym="rad-aid")) == "RAD-AID"
    assert str(OrganisationFactory.build(name="Imaging Without Borders", acronym="")) == "Imaging Without Borders"


def test_only_verified_organisations_are_listed():
    verified = OrganisationFactory(status=Organisation.Status.VERIFIED)
    OrganisationFactory(status=Organisation.Status.PENDING)
    OrganisationFactory(status=Organisation.Status.ARCHIVED)

    assert list(Organisation.objects.listed()) == [verified]
    assert verified.is_listed


def test_pending_organisation_is_not_listed():
    assert not OrganisationFactory.build(status=Organisation.Status.PENDING).is_listed


def test_featured_queryset_returns_featured_organisations():
    featured = OrganisationFactory(featured=True)
    OrganisationFactory(featured=False)

    assert list(Organisation.objects.featured()) == [featured]


def test_organisation_admins_count_as_coordinators():
    coordinator = MembershipFactory(role=Membership.Role.COORDINATOR)
    admin = MembershipFactory(role=Membership.Role.ADMIN, organisation=coordinator.organisation)

    assert set(Membership.objects.coordinators()) == {coordinator, admin}
    assert list(Membership.objects.admins()) == [admin]


def test_membership_is_shown_as_person_role_and_organisation():
    membership = MembershipFactory.build(
        user=UserFactory.build(first_name="Amina", last_name="Okafor"),
        organisation=OrganisationFactory.build(name="Road to IR", acronym=""),
        role=Membership.Role.ADMIN,
    )

    assert str(membership) == "Amina Okafor – Organisation admin – Road to IR"


def test_a_person_has_one_membership_per_organisation(organisation, coordinator):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=coordinator, organisation=organisation, role=Membership.Role.ADMIN)
