"""An organisation's API tokens: created and revoked by its admins on the members page, stored hashed, scoped to
the organisation, every use recorded; and the coordinators' endpoints that post, change and close its needs."""

import datetime
import hashlib

import pytest
from django.urls import reverse

from api.models import ApiToken, ApiTokenUse
from organisations.models import Organisation
from programmes.models import Mode, Need
from tests.api.factories import bearer, token_for
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    NeedFactory,
    ProgrammeFactory,
    SiteFactory,
    today,
)
from volunteers.models import Profession

pytestmark = pytest.mark.django_db

NEEDS = "/api/v1/coordinate/needs/"


def _day(days: int) -> str:
    return (today() + datetime.timedelta(days=days)).isoformat()


def new_need(programme, site, **changes) -> dict:
    return {
        "programme": programme.pk,
        "title": "Fistula drainage teaching",
        "description": "Two weeks with the residents.",
        "profession": Profession.IR_PHYSICIAN,
        "places": 2,
        "mode": Mode.ONSITE,
        "host_site": site.pk,
        "window_start": _day(30),
        "window_end": _day(90),
        "min_duration_days": 14,
        "required_skills": ["embolisation"],
        "required_languages": ["fr"],
        "offers_travel": True,
        **changes,
    }


# The members page


def test_an_organisation_admin_creates_a_token_that_is_shown_once_and_stored_hashed(client, organisation_admin):
    organisation = organisation_admin.memberships.get().organisation
    client.force_login(organisation_admin)

    response = client.post(reverse("api:token-create", args=[organisation.slug]), {"name": "Our website"})

    assert response.status_code == 200
    raw = response.context["raw"]
    assert raw.startswith("gir_") and raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert token.organisation == organisation
    assert token.created_by == organisation_admin
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in [str(value) for value in ApiToken.objects.values_list("name", "prefix", "token_hash").get()]
    members_page = client.get(reverse("organisations:member-list", args=[organisation.slug])).content.decode()
    assert "Our website" in members_page
    assert token.prefix in members_page
    assert raw not in members_page


def test_a_token_needs_a_name(client, organisation_admin):
    organisation = organisation_admin.memberships.get().organisation
    client.force_login(organisation_admin)

    response = client.post(reverse("api:token-create", args=[organisation.slug]), {"name": "  "}, follow=True)

    assert ApiToken.objects.count() == 0
    assert "This field is required." in response.content.decode()


def test_an_organisation_not_yet_verified_has_no_token(client, organisation_admin):
    organisation = organisation_admin.memberships.get().organisation
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.PENDING)
    client.force_login(organisation_admin)

    response = client.post(reverse("api:token-create", args=[organisation.slug]), {"name": "Site"}, follow=True)

    assert ApiToken.objects.count() == 0
    assert "once GlobalIR has verified it" in response.content.decode()


def test_a_coordinator_cannot_create_or_revoke_tokens_and_an_outsider_gets_404(
    client, organisation, coordinator, other_coordinator
):
    raw = token_for(organisation)
    token = ApiToken.objects.get()
    client.force_login(coordinator)
    assert client.post(reverse("api:token-create", args=[organisation.slug]), {"name": "x"}).status_code == 403
    assert client.post(reverse("api:token-revoke", args=[organisation.slug, token.pk])).status_code == 403
    client.force_login(other_coordinator)
    assert client.post(reverse("api:token-create", args=[organisation.slug]), {"name": "x"}).status_code == 404
    assert ApiToken.objects.count() == 1
    assert client.get(NEEDS, **bearer(raw)).status_code == 200


def test_a_revoked_token_is_refused_with_401(client, organisation_admin):
    organisation = organisation_admin.memberships.get().organisation
    raw = token_for(organisation, by=organisation_admin)
    token = ApiToken.objects.get()
    assert client.get(NEEDS, **bearer(raw)).status_code == 200
    client.force_login(organisation_admin)

    response = client.post(reverse("api:token-revoke", args=[organisation.slug, token.pk]), follow=True)

    assert "is revoked" in response.content.decode()
    client.logout()
    refused = client.get(NEEDS, **bearer(raw))
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'
    assert refused.json() == {"detail": "This API token is not valid: it is unknown or was revoked."}
    token.refresh_from_db()
    assert token.revoked_by == organisation_admin
    # Someone still holds it: its refused requests are recorded too.
    assert ApiTokenUse.objects.filter(token=token).values_list("status_code", flat=True).first() == 401
    assert (
        "Partner website"
        not in client.get(reverse("organisations:member-list", args=[organisation.slug])).content.decode()
    )


def test_another_organisations_admin_cannot_revoke_a_token(client, organisation, other_organisation):
    token_for(organisation)
    token = ApiToken.objects.get()
    client.force_login(MembershipFactory(organisation=other_organisation, role="admin").user)

    assert client.post(reverse("api:token-revoke", args=[other_organisation.slug, token.pk])).status_code == 404
    assert client.post(reverse("api:token-revoke", args=[organisation.slug, token.pk])).status_code == 404
    assert ApiToken.objects.active().count() == 1


# The coordinators' endpoints


def test_without_a_token_the_coordinators_endpoints_answer_401(client, coordinator):
    assert client.get(NEEDS).status_code == 401
    client.force_login(coordinator)
    # A signed-in session is no token.
    assert client.get(NEEDS).status_code == 401
    assert client.get(NEEDS, HTTP_AUTHORIZATION="Bearer gir_made-up").status_code == 401


def test_a_token_lists_its_organisations_needs_whatever_their_status_and_nothing_else(client, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    open_need = NeedFactory(programme=programme)
    closed_need = NeedFactory(programme=programme, status=Need.Status.CLOSED)
    NeedFactory()  # another organisation's

    data = client.get(NEEDS, **bearer(token_for(organisation))).json()

    assert sorted(row["id"] for row in data["results"]) == sorted([open_need.pk, closed_need.pk])
    assert {row["status"] for row in data["results"]} == {"open", "closed"}


def test_a_token_gets_404_for_another_organisations_need(client, organisation, other_organisation):
    theirs = NeedFactory(programme=ProgrammeFactory(lead_organisation=other_organisation))
    raw = token_for(organisation)

    assert client.get(f"{NEEDS}{theirs.pk}/", **bearer(raw)).status_code == 404
    patch = client.patch(f"{NEEDS}{theirs.pk}/", {"title": "Mine now"}, content_type="application/json", **bearer(raw))
    assert patch.status_code == 404
    assert client.post(f"{NEEDS}{theirs.pk}/close/", **bearer(raw)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.title != "Mine now"
    assert theirs.status == Need.Status.OPEN


def test_a_token_posts_a_need_through_the_workspaces_service(client, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    site = SiteFactory(organisation=organisation)

    response = client.post(
        NEEDS, new_need(programme, site), content_type="application/json", **bearer(token_for(organisation))
    )

    assert response.status_code == 201, response.json()
    need = Need.objects.get(pk=response.json()["id"])
    assert need.programme == programme
    assert need.status == Need.Status.OPEN
    assert [skill.slug for skill in need.required_skills.all()] == ["embolisation"]
    assert need.offers_travel
    assert response.json()["required_languages"] == [{"code": "fr", "name": "French"}]
    # Listed at once on the public API and the page.
    assert client.get(f"/api/v1/needs/{need.pk}/").status_code == 200
    assert need.history.get().history_user == ApiToken.objects.get().created_by


def test_the_services_refusals_come_back_as_400_with_their_messages(client, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)
    site = SiteFactory(organisation=organisation)
    raw = token_for(organisation)

    remote_without_hours = client.post(
        NEEDS,
        new_need(programme, site, mode=Mode.REMOTE, host_site=None, hours_per_week=0),
        content_type="application/json",
        **bearer(raw),
    )
    too_short_window = client.post(
        NEEDS, new_need(programme, site, min_duration_days=200), content_type="application/json", **bearer(raw)
    )

    assert remote_without_hours.status_code == 400
    assert remote_without_hours.json() == {"hours_per_week": ["Say how many hours per week the remote work takes."]}
    assert too_short_window.status_code == 400
    assert too_short_window.json()["min_duration_days"] == [
        "The minimum duration (200 days) is longer than the date window (61 days)."
    ]
    assert Need.objects.count() == 0


def test_a_need_can_only_be_posted_in_the_organisations_programmes_and_sites(client, organisation, other_organisation):
    theirs = ProgrammeFactory(lead_organisation=other_organisation)
    their_site = SiteFactory(organisation=other_organisation)
    raw = token_for(organisation)
    ours = ProgrammeFactory(lead_organisation=organisation)

    wrong_programme = client.post(
        NEEDS, new_need(theirs, SiteFactory(organisation=organisation)), content_type="application/json", **bearer(raw)
    )
    wrong_site = client.post(NEEDS, new_need(ours, their_site), content_type="application/json", **bearer(raw))
    bad_json = client.post(NEEDS, "{not json", content_type="application/json", **bearer(raw))

    assert wrong_programme.status_code == 400
    assert "programme" in wrong_programme.json()
    assert wrong_site.status_code == 400
    assert "host_site" in wrong_site.json()
    assert bad_json.status_code == 400
    assert Need.objects.count() == 0


def test_a_token_changes_a_need_with_patch(client, organisation):
    need = NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation), title="Old title", places=2)

    response = client.patch(
        f"{NEEDS}{need.pk}/",
        {"title": "New title", "preferred_skills": ["mri"]},
        content_type="application/json",
        **bearer(token_for(organisation)),
    )

    assert response.status_code == 200, response.json()
    need.refresh_from_db()
    assert need.title == "New title"
    assert need.places == 2
    assert [skill.slug for skill in need.preferred_skills.all()] == ["mri"]


def test_fewer_places_than_volunteers_accepted_is_refused_with_the_services_message(client, organisation):
    need = NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation), places=2)
    ApplicationFactory(need=need, status="accepted")
    ApplicationFactory(need=need, status="accepted")

    response = client.patch(
        f"{NEEDS}{need.pk}/", {"places": 1}, content_type="application/json", **bearer(token_for(organisation))
    )

    assert response.status_code == 400
    assert response.json() == {
        "places": ["2 volunteers have already accepted a place: the need cannot offer fewer places."]
    }


def test_a_token_closes_a_need(client, organisation):
    need = NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation))

    response = client.post(f"{NEEDS}{need.pk}/close/", **bearer(token_for(organisation)))

    assert response.status_code == 200
    assert response.json()["status"] == "closed"
    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED
    assert client.get(f"/api/v1/needs/{need.pk}/").status_code == 404


def test_every_use_of_a_token_is_recorded_and_its_last_use_shown(client, organisation):
    need = NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation))
    other = NeedFactory()
    raw = token_for(organisation)

    client.get(NEEDS, **bearer(raw))
    client.post(f"{NEEDS}{need.pk}/close/", **bearer(raw))
    client.get(f"{NEEDS}{other.pk}/", **bearer(raw))
    client.get("/api/v1/needs/", **bearer(raw))
    client.get(NEEDS)  # no token: nothing to record

    uses = list(ApiTokenUse.objects.order_by("pk").values_list("method", "path", "status_code", "need_id"))
    assert uses == [
        ("GET", NEEDS, 200, None),
        ("POST", f"{NEEDS}{need.pk}/close/", 200, need.pk),
        ("GET", f"{NEEDS}{other.pk}/", 404, other.pk),
        ("GET", "/api/v1/needs/", 200, None),
    ]
    assert ApiToken.objects.get().last_used_at is not None


def test_a_public_read_answered_304_is_recorded_as_a_use_of_the_token(client, organisation):
    NeedFactory(programme=ProgrammeFactory(lead_organisation=organisation))
    raw = token_for(organisation)
    etag = client.get("/api/v1/needs/", **bearer(raw))["ETag"]

    again = client.get("/api/v1/needs/", headers={"if-none-match": etag}, **bearer(raw))

    assert again.status_code == 304
    assert list(ApiTokenUse.objects.order_by("pk").values_list("path", "status_code")) == [
        ("/api/v1/needs/", 200),
        ("/api/v1/needs/", 304),
    ]


def test_the_token_section_and_page_speak_the_admins_language(client, organisation_admin):
    organisation = organisation_admin.memberships.get().organisation
    organisation_admin.language = "fr"
    organisation_admin.save(update_fields=["language"])
    client.force_login(organisation_admin)

    members = client.get(reverse("organisations:member-list", args=[organisation.slug])).content.decode()
    created = client.post(reverse("api:token-create", args=[organisation.slug]), {"name": "Site"}).content.decode()

    assert "Jetons d&#x27;API" in members or "Jetons d'API" in members
    assert "Créer un jeton" in members
    assert "Votre nouveau jeton d&#x27;API" in created or "Votre nouveau jeton d'API" in created
