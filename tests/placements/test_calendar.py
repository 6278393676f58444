"""The volunteer's placements as a calendar feed that calendar apps subscribe to with a secret link."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from placements.calendar import CalendarEvent, calendar_document, escape_text, fold_line
from placements.models import Application
from tests.factories import (
    NeedFactory,
    PlacementFactory,
    RemoteNeedFactory,
    SiteFactory,
    SpeakingInvitationFactory,
)
from volunteers.models import VolunteerProfile
from volunteers.selectors import volunteer_profile_for_calendar_token

FEED = reverse("placements:calendar-feed")
RESET = reverse("placements:calendar-token-reset")


def unfold(body: str) -> list[str]:
    """The content lines of an iCalendar body, unfolded (RFC 5545 §3.1)."""
    assert body.endswith("\r\n")
    return body[: -len("\r\n")].replace("\r\n ", "").split("\r\n")


def events(body: str) -> list[dict[str, str]]:
    """Each VEVENT as {property name with its parameters: value}."""
    found, current = [], None
    for line in unfold(body):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None:
            name, value = line.split(":", 1)
            current[name] = value
    return found


def feed(client, token):
    return client.get(FEED, {"token": token})


# The pure writer


def test_text_values_are_escaped():
    assert escape_text("Embolisation; PPH, haemorrhage\\bleeding\r\nDay 2\nDay 3") == (
        "Embolisation\\; PPH\\, haemorrhage\\\\bleeding\\nDay 2\\nDay 3"
    )


def test_control_characters_are_dropped_from_text():
    assert escape_text("Bad\x00 \x07title\x7f\tok") == "Bad title\tok"


@pytest.mark.parametrize(
    "line",
    [
        "SUMMARY:" + "x" * 200,
        "LOCATION:" + "Hôpital Général de Référence de Kinshasa, République démocratique du Congo " * 3,
        "DESCRIPTION:" + "放射線科の研修" * 30,
        "SUMMARY:" + "🩻" * 40,
        "SUMMARY:short",
    ],
)
def test_long_lines_are_folded_at_75_octets_without_splitting_a_character(line):
    folded = fold_line(line)

    physical = folded.split("\r\n")
    assert all(len(piece.encode("utf-8")) <= 75 for piece in physical)
    assert all(piece.startswith(" ") for piece in physical[1:])
    assert folded.replace("\r\n ", "") == line


def test_calendar_document_is_a_vcalendar_with_crlf_lines():
    event = CalendarEvent(
        uid="placement-7@globalir",
        first_day=datetime.date(2026, 3, 2),
        last_day=datetime.date(2026, 3, 15),
        summary="IR faculty, Dar es Salaam",
        stamp=datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC),
        location="Muhimbili National Hospital, Dar es Salaam, Tanzania",
        description="Programme: Road2IR\nOrganisation: Road2IR",
    )

    body = calendar_document(events=[event], name="My placements")

    assert "\n" not in body.replace("\r\n", "") and "\r" not in body.replace("\r\n", "")
    lines = unfold(body)
    assert lines[:3] == ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//GlobalIR//Volunteer placements//EN"]
    assert lines[-1] == "END:VCALENDAR"
    assert events(body) == [
        {
            "UID": "placement-7@globalir",
            "DTSTAMP": "20260105T093000Z",
            "DTSTART;VALUE=DATE": "20260302",
            # DTEND of an all-day event is the day after the last one.
            "DTEND;VALUE=DATE": "20260316",
            "SUMMARY": "IR faculty\\, Dar es Salaam",
            "LOCATION": "Muhimbili National Hospital\\, Dar es Salaam\\, Tanzania",
            "DESCRIPTION": "Programme: Road2IR\\nOrganisation: Road2IR",
            "STATUS": "CONFIRMED",
            "TRANSP": "TRANSPARENT",
        }
    ]


# The feed


@pytest.mark.django_db
def test_feed_lists_the_volunteers_accepted_and_completed_placements(client, volunteer, other_volunteer):
    onsite = PlacementFactory(
        application__volunteer=volunteer,
        application__need=NeedFactory(
            title="PPH embolisation, Moshi; week 1",
            programme__title="Road2IR Tanzania",
            programme__lead_organisation__name="Road2IR",
            host_site=SiteFactory(name="Kilimanjaro Christian Medical Centre", city="Moshi", country="TZ"),
        ),
    )
    remote = PlacementFactory(
        application__volunteer=volunteer,
        application__need=RemoteNeedFactory(title="Tele-radiology reporting"),
        application__status=Application.Status.COMPLETED,
    )
    # Later dates: no two on-site placements of one volunteer may share a day (the database refuses it).
    later = onsite.end_date + datetime.timedelta(days=1)
    PlacementFactory(
        application__volunteer=volunteer,
        application__status=Application.Status.WITHDRAWN,
        start_date=later,
        end_date=later + datetime.timedelta(days=7),
    )
    PlacementFactory(application__volunteer=other_volunteer, application__need__title="Someone else's placement")

    response = feed(client, volunteer.calendar_token)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode("utf-8")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    by_uid = {event["UID"]: event for event in events(body)}
    assert set(by_uid) == {f"placement-{onsite.pk}@globalir", f"placement-{remote.pk}@globalir"}
    event = by_uid[f"placement-{onsite.pk}@globalir"]
    assert event["SUMMARY"] == "PPH embolisation\\, Moshi\\; week 1"
    assert event["DTSTART;VALUE=DATE"] == onsite.start_date.strftime("%Y%m%d")
    assert event["DTEND;VALUE=DATE"] == (onsite.end_date + datetime.timedelta(days=1)).strftime("%Y%m%d")
    assert event["LOCATION"] == "Kilimanjaro Christian Medical Centre\\, Moshi\\, Tanzania"
    assert "Programme: Road2IR Tanzania\\nOrganisation: Road2IR" in event["DESCRIPTION"]
    assert event["DTSTAMP"].endswith("Z")
    assert event["URL"] == settings.SITE_URL + reverse("placements:dashboard")
    assert by_uid[f"placement-{remote.pk}@globalir"]["LOCATION"] == "Remote"
    assert "Someone else" not in body


@pytest.mark.django_db
def test_event_uid_and_stamp_stay_the_same_between_fetches(client, volunteer):
    PlacementFactory(application__volunteer=volunteer)

    first = events(feed(client, volunteer.calendar_token).content.decode())
    second = events(feed(client, volunteer.calendar_token).content.decode())

    assert first == second


@pytest.mark.django_db
def test_volunteer_without_placements_gets_an_empty_calendar(client, volunteer):
    response = feed(client, volunteer.calendar_token)

    assert response.status_code == 200
    assert events(response.content.decode()) == []


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "not-the-token", "x" * 500])
def test_wrong_or_missing_token_is_not_found(client, volunteer, token):
    assert feed(client, token).status_code == 404


@pytest.mark.django_db
def test_feed_without_token_parameter_is_not_found(client, volunteer):
    assert client.get(FEED).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["abc\x00def", "abc def", "a/b", "é" * 43, "x" * 65])
def test_a_malformed_token_is_no_token_and_never_reaches_the_database(volunteer, token, django_assert_num_queries):
    # PostgreSQL refuses a NUL in a query: a token that cannot be one is turned away before any lookup.
    with django_assert_num_queries(0):
        assert volunteer_profile_for_calendar_token(token=token) is None


@pytest.mark.django_db
def test_feed_takes_three_queries_however_many_placements_and_talks(client, volunteer, django_assert_num_queries):
    # The profile, its placements, and its accepted talks (the Speakers Bureau).
    start = datetime.date(2031, 1, 5)
    for week in range(4):
        # A week each, one after the other: one volunteer's on-site placements never share a day.
        first = start + datetime.timedelta(weeks=week)
        PlacementFactory(
            application__volunteer=volunteer, start_date=first, end_date=first + datetime.timedelta(days=6)
        )
        SpeakingInvitationFactory(speaker=volunteer, date=first, status="accepted")
    SpeakingInvitationFactory(speaker=volunteer, event="Still waiting for an answer")

    with django_assert_num_queries(3):
        response = feed(client, volunteer.calendar_token)

    body = response.content.decode()
    assert len(events(body)) == 8
    assert "Still waiting" not in body


# A new link


@pytest.mark.django_db
def test_resetting_the_link_kills_the_old_one(client, volunteer):
    PlacementFactory(application__volunteer=volunteer)
    old = volunteer.calendar_token
    client.force_login(volunteer.user)

    response = client.post(RESET, follow=False)

    assert response.status_code == 302
    assert response["Location"] == reverse("placements:dashboard")
    new = VolunteerProfile.objects.get(pk=volunteer.pk).calendar_token
    assert new != old
    assert feed(client, old).status_code == 404
    assert len(events(feed(client, new).content.decode())) == 1


@pytest.mark.django_db
def test_reset_says_the_old_link_stopped_working(client, volunteer):
    client.force_login(volunteer.user)

    response = client.post(RESET)
    page = client.get(reverse("home")).content.decode()

    assert response.status_code == 302
    assert "Your calendar link has been changed and the old one no longer works." in page


@pytest.mark.django_db
def test_reset_is_a_post_only_action(client, volunteer):
    client.force_login(volunteer.user)
    token = volunteer.calendar_token

    assert client.get(RESET).status_code == 405
    assert VolunteerProfile.objects.get(pk=volunteer.pk).calendar_token == token


@pytest.mark.django_db
def test_user_without_a_profile_is_sent_to_set_one_up_before_resetting(client, plain_user):
    client.force_login(plain_user)

    response = client.post(RESET)

    assert response.status_code == 302
    assert response["Location"] == reverse("volunteers:onboarding")


@pytest.mark.django_db
def test_feed_stamp_is_in_utc(client, volunteer):
    placement = PlacementFactory(application__volunteer=volunteer)
    stamp = max(placement.created_at, placement.application.updated_at).astimezone(datetime.UTC)

    [event] = events(feed(client, volunteer.calendar_token).content.decode())

    assert event["DTSTAMP"] == stamp.strftime("%Y%m%dT%H%M%SZ")
