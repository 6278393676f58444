"""The volunteer's speaker profile: off by default, opted in on /me/speaker/, each field shown only if chosen."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from tests.factories import SpeakerProfileFactory, VolunteerProfileFactory, language, skill
from volunteers.speaker_selectors import speaker_card, speaker_listed_by_pk, speaker_search
from volunteers.speakers import SpeakerProfile

pytestmark = pytest.mark.django_db

PAGE = reverse("volunteers:speaker")


def search(**query):
    data = QueryDict(mutable=True)
    for name, value in query.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return speaker_search(data=data, page_number=None)


def test_a_volunteer_is_not_in_the_bureau_until_they_opt_in(client, volunteer):
    client.force_login(volunteer.user)

    response = client.get(PAGE)

    assert response.status_code == 200
    assert not response.context["form"]["is_listed"].value()
    assert not SpeakerProfile.objects.exists()
    assert search().count == 0


def test_opting_in_lists_the_volunteer_with_the_fields_they_chose_to_show(client, volunteer):
    client.force_login(volunteer.user)

    response = client.post(
        PAGE,
        {
            "is_listed": "on",
            "topics": [skill("ct").pk, skill("embolisation").pk],
            "show_topics": "on",
            "languages": ["fr"],
            "region": "ssa",
            "bio": "Teaches embolisation for post-partum haemorrhage.",
            "woman_in_ir": "on",
            "outside_us": "on",
        },
    )

    assert response.status_code == 302
    speaker = SpeakerProfile.objects.get(profile=volunteer)
    assert speaker.is_listed and speaker.listed_at is not None
    card = speaker_card(speaker_listed_by_pk(pk=speaker.pk))
    assert card.name == volunteer.display_name
    assert sorted(card.topics) == ["CT", "Embolisation"]
    # Languages, region, bio and identity were filled in but not chosen to be shown.
    assert card.languages == [] and card.region == "" and card.bio == "" and card.identity == []
    assert card.career_stage == ""


def test_showing_topics_needs_a_topic(client, volunteer):
    client.force_login(volunteer.user)

    response = client.post(PAGE, {"is_listed": "on", "show_topics": "on"})

    assert response.status_code == 400
    assert "Choose at least one topic" in response.content.decode()
    assert not SpeakerProfile.objects.exists()


def test_the_page_shows_the_speaker_what_coordinators_see(client):
    speaker = SpeakerProfileFactory(show_bio=False, bio="A private note on my talks.")
    client.force_login(speaker.profile.user)

    page = client.get(PAGE).content.decode()

    assert "What coordinators see" in page
    assert "Woman in IR" in page
    # The bio is in the form, to edit, but not in the preview of the card.
    assert page.count("A private note on my talks.") == 1


def test_leaving_the_bureau_keeps_the_profile_but_hides_it(client):
    speaker = SpeakerProfileFactory()
    client.force_login(speaker.profile.user)

    client.post(PAGE, {"topics": [skill("ct").pk], "show_topics": "on"})

    speaker.refresh_from_db()
    assert not speaker.is_listed and speaker.listed_at is None
    assert search().count == 0


def test_deleting_the_speaker_profile_removes_it(client):
    speaker = SpeakerProfileFactory()
    client.force_login(speaker.profile.user)

    response = client.post(PAGE, {"action": "delete"})

    assert response.status_code == 302
    assert not SpeakerProfile.objects.exists()


def test_a_volunteer_without_a_finished_profile_is_sent_to_finish_it(client):
    unfinished = VolunteerProfileFactory(onboarding_completed_at=None, onboarding_step=2)
    client.force_login(unfinished.user)

    response = client.get(PAGE)

    assert response.status_code == 302
    assert response.url == reverse("volunteers:onboarding")


# The search: only listed speakers, and only on the fields they show.


def test_search_filters_on_topic_language_region_career_stage_and_identity():
    amina = SpeakerProfileFactory(
        profile__name="Amina Okafor", topics=["embolisation"], languages=["fr"], region="ssa", woman_in_ir=True
    )
    SpeakerProfileFactory(
        profile__name="Bruno Silva", topics=["ct"], languages=["pt"], region="lac", woman_in_ir=False, early_career=True
    )

    assert [card.name for card in search(topic="embolisation").cards] == ["Amina Okafor"]
    assert [card.name for card in search(language="pt").cards] == ["Bruno Silva"]
    assert [card.name for card in search(region="ssa").cards] == ["Amina Okafor"]
    assert [card.name for card in search(identity="woman_in_ir").cards] == ["Amina Okafor"]
    assert [card.name for card in search(identity=["early_career", "outside_us"]).cards] == ["Bruno Silva"]
    assert [card.name for card in search(career_stage="established").cards] == ["Amina Okafor", "Bruno Silva"]
    assert [card.name for card in search(q="okafor").cards] == ["Amina Okafor"]
    assert amina.is_listed


def test_a_hidden_field_is_never_searched():
    SpeakerProfileFactory(
        topics=["embolisation"],
        region="ssa",
        bio="Keynotes on uterine fibroid embolisation",
        show_topics=False,
        show_region=False,
        show_identity=False,
        show_bio=False,
        show_career_stage=False,
    )

    assert search().count == 1
    for query in (
        {"topic": "embolisation"},
        {"region": "ssa"},
        {"identity": "woman_in_ir"},
        {"q": "fibroid"},
        {"career_stage": "established"},
    ):
        assert search(**query).count == 0, query


def test_only_listed_speakers_with_a_finished_profile_are_found():
    SpeakerProfileFactory(profile__name="Listed")
    SpeakerProfileFactory(profile__name="Left", is_listed=False)
    SpeakerProfileFactory(profile__name="Unfinished", profile__onboarding_completed_at=None)

    assert [card.name for card in search().cards] == ["Listed"]


def test_an_invalid_filter_is_ignored_and_the_others_still_apply():
    SpeakerProfileFactory(profile__name="Amina Okafor", region="ssa")
    SpeakerProfileFactory(profile__name="Bruno Silva", region="lac")

    result = search(region="ssa", language="xx-not-a-language")

    assert [card.name for card in result.cards] == ["Amina Okafor"]
    assert "language" in result.filter.form.errors


def test_search_is_paginated():
    for index in range(5):
        SpeakerProfileFactory(profile__name=f"Speaker {index}")

    page_two = speaker_search(data=QueryDict(), page_number="2", per_page=2)

    assert page_two.count == 5
    assert [card.name for card in page_two.cards] == ["Speaker 2", "Speaker 3"]


def test_languages_are_offered_to_a_speaker(client, volunteer):
    client.force_login(volunteer.user)

    page = client.get(PAGE).content.decode()

    assert str(language("fr")) in page
