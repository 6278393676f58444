"""Posting and editing needs in the coordinator's workspace: the form's rules, duplicate, close, reopen, filled."""

import datetime

import pytest
from django.urls import reverse
from django.utils.html import escape

from placements.models import Application
from programmes.forms import NeedForm
from programmes.models import Mode, Need, Programme
from tests.factories import (
    ApplicationFactory,
    NeedFactory,
    ProgrammeFactory,
    SiteFactory,
    language,
    skill,
    today,
)

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return today() + datetime.timedelta(days=n)


@pytest.fixture
def programme(organisation):
    return ProgrammeFactory(lead_organisation=organisation, title="Embolisation training, Mwanza")


@pytest.fixture
def site(organisation):
    return SiteFactory(name="Bugando Medical Centre", city="Mwanza", organisation=organisation)


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def need_payload(site, **overrides) -> dict:
    data = {
        "title": "IR faculty for post-partum haemorrhage embolisation",
        "description": "Teach uterine artery embolisation to two local fellows.",
        "profession": "ir_physician",
        "places": "2",
        "mode": Mode.ONSITE,
        "host_site": str(site.pk) if site else "",
        "window_start": days(40).isoformat(),
        "window_end": days(100).isoformat(),
        "min_duration_days": "14",
        "hours_per_week": "0",
        "min_years_experience": "3",
        "application_deadline": days(30).isoformat(),
        "offers_accommodation": "on",
        "support_notes": "Airport pick-up.",
        "required_skills": [str(skill("embolisation").pk)],
        "required_languages": ["en"],
    }
    # A callable is resolved here: parametrised cases are built before the database exists.
    data.update({key: value() if callable(value) else value for key, value in overrides.items()})
    return {key: value for key, value in data.items() if value is not None}


def post_need(client, programme, data):
    return client.post(reverse("programmes:need-create", args=[programme.pk]), data)


def field_errors(response, name: str) -> list[str]:
    return response.context["form"].errors.get(name, [])


# Posting a need


def test_coordinator_posts_a_need_with_every_detail(coordinator_client, programme, site):
    response = post_need(
        coordinator_client,
        programme,
        need_payload(
            site,
            preferred_skills=[str(skill("ultrasound").pk)],
            offers_visa_letter="on",
            requires_verified_credential="on",
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:programme-detail", args=[programme.pk])
    need = Need.objects.get(programme=programme)
    assert need.title == "IR faculty for post-partum haemorrhage embolisation"
    assert need.status == Need.Status.OPEN
    assert need.host_site == site
    assert (need.window_start, need.window_end, need.application_deadline) == (days(40), days(100), days(30))
    assert need.places == 2 and need.min_duration_days == 14 and need.min_years_experience == 3
    assert need.requires_verified_credential and need.offers_accommodation and need.offers_visa_letter
    assert not need.offers_travel
    assert list(need.required_skills.values_list("slug", flat=True)) == ["embolisation"]
    assert list(need.preferred_skills.values_list("slug", flat=True)) == ["ultrasound"]
    assert list(need.required_languages.values_list("code", flat=True)) == ["en"]
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "is posted" in page
    assert "IR faculty for post-partum haemorrhage embolisation" in page


def test_the_form_groups_skills_by_category(coordinator_client, programme, site):
    page = coordinator_client.get(reverse("programmes:need-create", args=[programme.pk])).content.decode()

    assert "IR procedure" in page
    assert "Imaging modality" in page
    assert "Teaching, research and service development" in page
    assert page.count('name="required_skills"') == page.count('name="preferred_skills"') > 10


def test_posted_status_and_programme_are_ignored(coordinator_client, programme, site, other_organisation):
    elsewhere = ProgrammeFactory(lead_organisation=other_organisation)

    response = post_need(
        coordinator_client, programme, need_payload(site, status="closed", programme=str(elsewhere.pk))
    )

    assert response.status_code == 302
    need = Need.objects.get(title="IR faculty for post-partum haemorrhage embolisation")
    assert need.programme == programme
    assert need.status == Need.Status.OPEN
    assert not elsewhere.needs.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"window_start": days(60).isoformat(), "window_end": days(50).isoformat(), "application_deadline": ""},
            "window_end",
            "The latest end cannot be before the earliest start.",
        ),
        (
            {"window_start": days(-30).isoformat(), "window_end": days(-2).isoformat(), "application_deadline": ""},
            "window_end",
            "This date window has already ended; an open need must end in the future.",
        ),
        (
            {"min_duration_days": "90"},
            "min_duration_days",
            "The minimum duration (90 days) is longer than the date window (61 days).",
        ),
        ({"host_site": ""}, "host_site", "On-site and hybrid needs must name a host site."),
        ({"mode": Mode.HYBRID, "hours_per_week": "0"}, "hours_per_week", "Say how many hours per week"),
        (
            {"mode": Mode.REMOTE, "host_site": "", "hours_per_week": "0"},
            "hours_per_week",
            "Say how many hours per week the remote work takes.",
        ),
        (
            {"application_deadline": days(101).isoformat()},
            "application_deadline",
            "The application deadline must be before the window ends.",
        ),
        (
            {"application_deadline": days(-1).isoformat()},
            "application_deadline",
            "This deadline has already passed: choose today or a later day.",
        ),
        ({"places": "0"}, "places", "A need must offer at least one place."),
        ({"places": "101"}, "places", "A need can offer at most 100 places: split larger requests into several needs."),
        ({"window_start": "next spring"}, "window_start", "Enter a valid date."),
        ({"title": ""}, "title", "This field is required."),
        (
            {"preferred_skills": lambda: [str(skill("embolisation").pk)]},
            "preferred_skills",
            "Embolisation is already required: tick it in one list only.",
        ),
    ],
    ids=[
        "end-before-start",
        "window-ended",
        "min-duration-longer-than-window",
        "onsite-without-host-site",
        "hybrid-without-hours",
        "remote-without-hours",
        "deadline-after-window",
        "deadline-passed",
        "no-places",
        "too-many-places",
        "not-a-date",
        "no-title",
        "skill-required-and-preferred",
    ],
)
def test_each_rule_shows_its_message_next_to_its_field(coordinator_client, programme, site, overrides, field, message):
    response = post_need(coordinator_client, programme, need_payload(site, **overrides))

    assert response.status_code == 400
    assert any(message in error for error in field_errors(response, field)), response.context["form"].errors
    page = response.content.decode()
    assert "Some answers need your attention" in page
    # Shown in the field's own group, just before its input.
    message_at, input_at = page.find(escape(message)), page.find(f'name="{field}"')
    assert 0 < message_at < input_at < message_at + 1500
    assert not Need.objects.exists()


def test_nothing_typed_is_lost_when_the_form_is_refused(coordinator_client, programme, site):
    response = post_need(
        coordinator_client,
        programme,
        need_payload(
            site,
            title="Sonography teaching, Mwanza",
            description="Kept word for word",
            places="0",
            support_notes="Stipend of 50 USD a week",
            offers_meals="on",
            preferred_skills=[str(skill("ultrasound").pk)],
        ),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Sonography teaching, Mwanza"' in page
    assert "Kept word for word" in page
    assert "Stipend of 50 USD a week" in page
    assert 'value="0"' in page
    assert f'value="{days(40).isoformat()}"' in page
    form = response.context["form"]
    assert form["offers_meals"].value() is True
    assert form["preferred_skills"].value() == [str(skill("ultrasound").pk)]
    assert f'value="{skill("ultrasound").pk}" id="id_preferred_skills' in page.replace("\n", "")
    checked = page.split(f'name="preferred_skills" value="{skill("ultrasound").pk}"', 1)[1].split(">", 1)[0]
    assert "checked" in checked


def test_host_site_of_another_organisation_is_refused(coordinator_client, programme, other_organisation):
    theirs = SiteFactory(organisation=other_organisation, name="Their hospital")

    response = post_need(coordinator_client, programme, need_payload(theirs))

    assert response.status_code == 400
    assert field_errors(response, "host_site") == [
        "Choose one of your organisation's sites; add yours on the Sites page if it is missing."
    ]
    assert "Their hospital" not in response.content.decode()
    assert not Need.objects.exists()


# The form's defaults: mode and host site agree, and the programme's own sites come first


def host_site_options(form) -> list[tuple[str, list[str]]]:
    """The host site menu as (group, site names), ungrouped options under ""."""
    options = []
    for group, choices in form.fields["host_site"].choices:
        if isinstance(choices, list | tuple):
            options.append((str(group), [str(label).split(",")[0] for _, label in choices]))
        else:
            options.append(("", [str(choices).split(",")[0]]))
    return options


@pytest.fixture
def uganda_programme(organisation):
    nairobi = SiteFactory(name="Kenyatta National Hospital", city="Nairobi", country="KE", organisation=organisation)
    mbarara = SiteFactory(name="Mbarara Regional Referral", city="Mbarara", country="UG", organisation=organisation)
    SiteFactory(name="Mulago Hospital", city="Kampala", country="UG", organisation=organisation)
    programme = ProgrammeFactory(lead_organisation=organisation, title="IR in Western Uganda", countries=["UG"])
    programme.sites.add(mbarara)
    return programme, mbarara, nairobi


def test_the_programmes_only_site_is_preselected_for_an_on_site_need(uganda_programme):
    programme, mbarara, _ = uganda_programme

    form = NeedForm(programme=programme)

    assert form["mode"].value() == Mode.ONSITE
    assert form["host_site"].value() == mbarara.pk


def test_host_sites_list_the_programmes_own_then_its_countries_then_the_rest(uganda_programme):
    programme, _, _ = uganda_programme

    form = NeedForm(programme=programme)

    assert host_site_options(form) == [
        ("", ["No host site (remote needs only)"]),
        ("This programme's sites", ["Mbarara Regional Referral"]),
        ("In the programme's countries", ["Mulago Hospital"]),
        ("Your organisation's other sites", ["Kenyatta National Hospital"]),
    ]


def test_a_site_in_another_country_is_never_preselected(organisation):
    SiteFactory(name="Kenyatta National Hospital", city="Nairobi", country="KE", organisation=organisation)
    programme = ProgrammeFactory(lead_organisation=organisation, countries=["UG"])

    form = NeedForm(programme=programme)

    assert form["host_site"].value() is None
    assert host_site_options(form) == [
        ("", ["No host site (remote needs only)"]),
        ("", ["Kenyatta National Hospital"]),
    ]


def test_the_one_site_in_the_programmes_countries_is_preselected_when_the_programme_names_none(organisation):
    SiteFactory(name="Kenyatta National Hospital", city="Nairobi", country="KE", organisation=organisation)
    mulago = SiteFactory(name="Mulago Hospital", city="Kampala", country="UG", organisation=organisation)
    programme = ProgrammeFactory(lead_organisation=organisation, countries=["UG"])

    assert NeedForm(programme=programme)["host_site"].value() == mulago.pk


def test_with_two_programme_sites_the_coordinator_chooses(uganda_programme):
    programme, _, nairobi = uganda_programme
    programme.sites.add(nairobi)

    form = NeedForm(programme=programme)

    assert form["host_site"].value() is None
    assert form["mode"].value() == Mode.ONSITE


def test_an_organisation_without_sites_starts_a_remote_need_and_is_told_how_to_add_one(
    coordinator_client, organisation
):
    programme = ProgrammeFactory(lead_organisation=organisation, countries=["UG"])

    response = coordinator_client.get(reverse("programmes:need-create", args=[programme.pk]))

    form = response.context["form"]
    assert form["mode"].value() == Mode.REMOTE
    assert form["host_site"].value() is None
    page = response.content.decode()
    assert "Your organisation has no sites yet" in page
    assert reverse("programmes:site-create", args=[organisation.slug]) in page


def test_a_copied_need_keeps_its_own_mode_and_site(programme, site):
    other = SiteFactory(
        name="Kilimanjaro Christian Medical Centre", city="Moshi", organisation=programme.lead_organisation
    )
    programme.sites.add(other)

    form = NeedForm(programme=programme, initial={"mode": Mode.HYBRID, "host_site": site.pk})

    assert (form["mode"].value(), form["host_site"].value()) == (Mode.HYBRID, site.pk)


def test_an_on_site_need_left_on_no_host_site_is_told_what_to_do(coordinator_client, uganda_programme):
    programme, _, _ = uganda_programme

    response = post_need(coordinator_client, programme, need_payload(None))

    assert response.status_code == 400
    assert field_errors(response, "host_site") == [
        "On-site and hybrid needs must name a host site. Choose one, or make the need remote."
    ]


def test_unmanaged_site_is_not_offered_as_host_site(coordinator_client, programme, site):
    SiteFactory(organisation=None, name="Shared district hospital")

    page = coordinator_client.get(reverse("programmes:need-create", args=[programme.pk])).content.decode()

    assert "Bugando Medical Centre" in page
    assert "Shared district hospital" not in page


def test_remote_need_needs_no_host_site(coordinator_client, programme):
    response = post_need(
        coordinator_client, programme, need_payload(None, mode=Mode.REMOTE, hours_per_week="4", min_duration_days="30")
    )

    assert response.status_code == 302
    need = Need.objects.get()
    assert need.mode == Mode.REMOTE and need.host_site is None and need.hours_per_week == 4


def test_need_in_a_draft_programme_is_posted_with_a_note_that_it_is_not_listed_yet(
    coordinator_client, organisation, site
):
    draft = ProgrammeFactory(lead_organisation=organisation, status=Programme.Status.DRAFT)

    response = post_need(coordinator_client, draft, need_payload(site))

    page = coordinator_client.get(response["Location"]).content.decode()
    assert "It is listed for volunteers once the programme is published." in page


# Editing


def test_coordinator_edits_a_need_and_the_form_shows_its_values(coordinator_client, programme, site):
    need = NeedFactory(programme=programme, host_site=site, title="Old title", required_skills=["embolisation"])
    url = reverse("programmes:need-edit", args=[need.pk])

    page = coordinator_client.get(url).content.decode()
    assert 'value="Old title"' in page
    assert f'value="{need.window_start.isoformat()}"' in page

    response = coordinator_client.post(url, need_payload(site, title="New title", places="3", status="closed"))

    assert response.status_code == 302
    need.refresh_from_db()
    assert need.title == "New title"
    assert need.places == 3
    assert need.status == Need.Status.OPEN


def test_editing_keeps_a_host_site_that_is_not_managed_by_the_organisation(coordinator_client, programme):
    shared = SiteFactory(organisation=None, name="Shared district hospital")
    need = NeedFactory(programme=programme, host_site=shared)

    response = coordinator_client.post(
        reverse("programmes:need-edit", args=[need.pk]), need_payload(shared, title="Still at the shared site")
    )

    assert response.status_code == 302
    need.refresh_from_db()
    assert need.host_site == shared and need.title == "Still at the shared site"


def test_a_need_whose_places_are_all_taken_becomes_filled_when_places_are_reduced(coordinator_client, programme, site):
    need = NeedFactory(programme=programme, host_site=site, places=2)
    ApplicationFactory(need=need, status=Application.Status.ACCEPTED)
    ApplicationFactory(need=need, status=Application.Status.INTERESTED)

    response = coordinator_client.post(
        reverse("programmes:need-edit", args=[need.pk]), need_payload(site, places="1"), follow=True
    )

    need.refresh_from_db()
    assert need.status == Need.Status.FILLED
    assert need.filled_at is not None
    assert "Every place is now taken: the need is filled" in response.content.decode()


def test_a_filled_need_reopens_when_places_are_added(coordinator_client, programme, site):
    need = NeedFactory(programme=programme, host_site=site, places=1, status=Need.Status.FILLED)
    ApplicationFactory(need=need, status=Application.Status.ACCEPTED)

    response = coordinator_client.post(
        reverse("programmes:need-edit", args=[need.pk]), need_payload(site, places="2"), follow=True
    )

    need.refresh_from_db()
    assert need.status == Need.Status.OPEN
    assert need.filled_at is None
    assert "Places are free again" in response.content.decode()


def test_places_cannot_drop_below_volunteers_who_accepted(coordinator_client, programme, site):
    need = NeedFactory(programme=programme, host_site=site, places=3)
    ApplicationFactory.create_batch(2, need=need, status=Application.Status.ACCEPTED)

    response = coordinator_client.post(reverse("programmes:need-edit", args=[need.pk]), need_payload(site, places="1"))

    assert response.status_code == 400
    assert "2 volunteers have already accepted a place" in " ".join(field_errors(response, "places"))
    need.refresh_from_db()
    assert need.places == 3


def test_places_cannot_drop_below_offers_waiting_for_an_answer(coordinator_client, programme, site):
    need = NeedFactory(programme=programme, host_site=site, places=2)
    ApplicationFactory(need=need, status=Application.Status.ACCEPTED)
    ApplicationFactory(need=need, status=Application.Status.OFFERED)

    response = coordinator_client.post(reverse("programmes:need-edit", args=[need.pk]), need_payload(site, places="1"))

    assert response.status_code == 400
    assert "Places taken: 1; offers waiting for an answer: 1." in " ".join(field_errors(response, "places"))


# Duplicate


def test_duplicate_makes_an_open_copy_and_opens_its_edit_page(coordinator_client, programme, site):
    need = NeedFactory(
        programme=programme,
        host_site=site,
        title="Fluoroscopy commissioning",
        status=Need.Status.FILLED,
        required_skills=["embolisation"],
        required_languages=["fr"],
        offers_travel=True,
    )
    need.preferred_skills.set([skill("ultrasound")])

    response = coordinator_client.post(reverse("programmes:need-duplicate", args=[need.pk]))

    copy = Need.objects.exclude(pk=need.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:need-edit", args=[copy.pk])
    assert copy.title == "Copy of Fluoroscopy commissioning"
    assert copy.status == Need.Status.OPEN
    assert copy.programme == programme and copy.host_site == site and copy.offers_travel
    assert (copy.window_start, copy.window_end, copy.places) == (need.window_start, need.window_end, need.places)
    assert list(copy.required_skills.all()) == [skill("embolisation")]
    assert list(copy.preferred_skills.all()) == [skill("ultrasound")]
    assert list(copy.required_languages.all()) == [language("fr")]
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "is a new open need with the same details" in page
    assert 'value="Copy of Fluoroscopy commissioning"' in page


def test_duplicating_a_need_whose_window_has_ended_asks_for_new_dates_first(coordinator_client, programme, site):
    need = NeedFactory(programme=programme, host_site=site, title="Last year's course", status=Need.Status.CLOSED)
    Need.objects.filter(pk=need.pk).update(
        window_start=days(-100), window_end=days(-40), application_deadline=days(-120)
    )

    response = coordinator_client.post(reverse("programmes:need-duplicate", args=[need.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:need-create", args=[programme.pk]) + f"?copy={need.pk}"
    assert Need.objects.count() == 1
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "The dates of “Last year&#x27;s course” have passed: give the copy new dates" in page
    assert 'value="Copy of Last year&#x27;s course"' in page
    assert f'value="{days(-40).isoformat()}"' not in page
    # With new dates the copy is saved.
    response = post_need(
        coordinator_client, programme, need_payload(site, title="Copy of Last year's course", host_site=str(site.pk))
    )
    assert response.status_code == 302
    assert Need.objects.filter(title="Copy of Last year's course", status=Need.Status.OPEN).exists()


def test_duplicate_needs_a_post(coordinator_client, programme):
    need = NeedFactory(programme=programme)

    assert coordinator_client.get(reverse("programmes:need-duplicate", args=[need.pk])).status_code == 405
    assert Need.objects.count() == 1


# Close and reopen


def test_coordinator_closes_and_reopens_a_need(coordinator_client, programme):
    need = NeedFactory(programme=programme, title="Ultrasound teaching")
    detail = reverse("programmes:programme-detail", args=[programme.pk])

    response = coordinator_client.post(reverse("programmes:need-close", args=[need.pk]), {"next": detail}, follow=True)

    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED
    assert "“Ultrasound teaching” is closed to new applications." in response.content.decode()

    response = coordinator_client.post(reverse("programmes:need-reopen", args=[need.pk]), follow=True)

    need.refresh_from_db()
    assert need.status == Need.Status.OPEN
    assert response.redirect_chain[-1][0] == detail
    assert "“Ultrasound teaching” is open to applications again." in response.content.decode()


def test_a_need_past_its_deadline_cannot_reopen(coordinator_client, programme):
    need = NeedFactory(programme=programme, title="Too late", status=Need.Status.CLOSED)
    Need.objects.filter(pk=need.pk).update(application_deadline=days(-1))

    response = coordinator_client.post(reverse("programmes:need-reopen", args=[need.pk]), follow=True)

    need.refresh_from_db()
    assert need.status == Need.Status.CLOSED
    assert "Nothing was reopened." in response.content.decode()
    assert "Its application deadline has passed" in response.content.decode()


def test_a_filled_need_with_every_place_taken_cannot_reopen(coordinator_client, programme):
    need = NeedFactory(programme=programme, title="Full", places=1, status=Need.Status.FILLED)
    ApplicationFactory(need=need, status=Application.Status.ACCEPTED)

    response = coordinator_client.post(reverse("programmes:need-reopen", args=[need.pk]), follow=True)

    need.refresh_from_db()
    assert need.status == Need.Status.FILLED
    assert "Every place of “Full” is taken: raise its number of places to reopen it." in response.content.decode()


def test_next_pointing_to_another_site_is_ignored(coordinator_client, programme):
    need = NeedFactory(programme=programme)

    response = coordinator_client.post(
        reverse("programmes:need-close", args=[need.pk]), {"next": "https://evil.example.com/"}
    )

    assert response["Location"] == reverse("programmes:programme-detail", args=[programme.pk])
