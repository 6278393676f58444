"""What partners write stays theirs: needs and programmes are shown as written, marked with their language,
and volunteers can look for needs written in a language they read."""

import re

import pytest
from django.urls import reverse

from matcher.digest import _digest_need
from programmes.forms import NeedForm
from programmes.models import Need, Programme
from tests.factories import NeedFactory, ProgrammeFactory, RemoteNeedFactory
from tests.programmes.test_need_form import need_payload, post_need
from tests.programmes.test_sites_programmes import programme_payload

pytestmark = pytest.mark.django_db

LIST = reverse("programmes:opportunity-list")
HTMX = {"HX-Request": "true"}


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def listed_titles(response) -> list[str]:
    return sorted(need.title for need in response.context["needs"])


# The model


def test_a_need_is_written_in_its_own_language_else_its_programme_s():
    french_programme = ProgrammeFactory(content_language="fr")

    assert NeedFactory(programme=french_programme).written_in == "fr"
    assert NeedFactory(programme=french_programme, content_language="pt").written_in == "pt"
    assert NeedFactory().written_in == ""


# The coordinator says which language


def test_coordinator_says_which_language_a_need_is_written_in(coordinator_client, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)

    response = post_need(
        coordinator_client, programme, need_payload(None, mode="remote", hours_per_week="4", content_language="es")
    )

    assert response.status_code == 302
    assert Need.objects.get(programme=programme).content_language == "es"


def test_a_new_need_starts_in_its_programme_s_language(organisation):
    form = NeedForm(
        programme=ProgrammeFactory(lead_organisation=organisation, content_language="fr"), author_language="en"
    )

    assert form["content_language"].value() == "fr"


def test_a_new_need_of_a_programme_without_a_language_starts_in_its_author_s(
    coordinator_client, coordinator, organisation
):
    coordinator.language = "pt"
    coordinator.save()
    programme = ProgrammeFactory(lead_organisation=organisation)

    page = coordinator_client.get(reverse("programmes:need-create", args=[programme.pk])).content.decode()

    assert re.search(r'<option value="pt" selected>', page)


def test_a_coordinator_may_leave_the_language_unsaid(coordinator_client, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation, content_language="fr")

    post_need(coordinator_client, programme, need_payload(None, mode="remote", hours_per_week="4", content_language=""))

    need = Need.objects.get(programme=programme)
    assert need.content_language == ""
    assert need.written_in == "fr"  # as its programme


def test_editing_a_need_keeps_its_language_and_a_copy_has_it_too(coordinator_client, organisation):
    need = NeedFactory(programme__lead_organisation=organisation, content_language="es")

    form = coordinator_client.get(reverse("programmes:need-edit", args=[need.pk])).context["form"]
    assert form["content_language"].value() == "es"

    coordinator_client.post(reverse("programmes:need-duplicate", args=[need.pk]))
    assert Need.objects.exclude(pk=need.pk).get().content_language == "es"


def test_coordinator_says_which_language_a_programme_is_written_in(coordinator_client, organisation):
    coordinator_client.post(
        reverse("programmes:programme-create", args=[organisation.slug]), programme_payload(content_language="fr")
    )

    assert Programme.objects.get().content_language == "fr"


def test_a_language_the_portal_does_not_offer_is_refused(coordinator_client, organisation):
    programme = ProgrammeFactory(lead_organisation=organisation)

    response = post_need(coordinator_client, programme, need_payload(None, mode="remote", content_language="de"))

    assert response.status_code == 400
    assert not Need.objects.exists()
    assert response.context["form"].errors["content_language"]


# Shown as written, marked with its language


def test_opportunity_page_marks_the_need_and_programme_with_their_languages(client):
    need = NeedFactory(
        title="Formation à l'embolisation",
        description="Former deux internes.",
        content_language="fr",
        programme__title="Programa de radiologia",
        programme__summary="Formação em Maputo.",
        programme__content_language="pt",
    )

    page = client.get(need.get_absolute_url()).content.decode()

    assert '<h1 lang="fr" dir="ltr">Formation à l&#x27;embolisation</h1>' in page
    assert '<div class="prose" lang="fr" dir="ltr"><p>Former deux internes.</p></div>' in page
    assert '<span lang="pt" dir="ltr">Programa de radiologia</span>' in page
    assert '<p lang="pt" dir="ltr">Formação em Maputo.</p>' in page
    assert re.search(r"<dt>Written in</dt><dd>French</dd>", page)


def test_the_need_is_never_translated_but_says_its_language_in_the_reader_s(client):
    need = NeedFactory(title="Teach embolisation", description="Two local fellows.", content_language="en")

    page = client.get(need.get_absolute_url(), headers={"Accept-Language": "es"}).content.decode()

    assert '<html lang="es"' in page
    assert '<h1 lang="en" dir="ltr">Teach embolisation</h1>' in page
    assert "Two local fellows." in page
    assert re.search(r"<dt>Idioma de redacción</dt><dd>Inglés</dd>", page)


def test_a_need_whose_language_nobody_said_has_no_lang_of_its_own(client):
    need = NeedFactory(title="Teach embolisation")

    page = client.get(need.get_absolute_url()).content.decode()

    assert "<h1>Teach embolisation</h1>" in page
    assert "Written in" not in page


def test_cards_mark_the_title_s_language_at_once_after_a_change(client):
    need = NeedFactory(title="Formation à Dakar")
    assert f'<a href="{need.get_absolute_url()}">Formation à Dakar</a>' in client.get(LIST).content.decode()

    Need.objects.filter(pk=need.pk).update(content_language="fr")  # no save(): nothing told the card cache

    assert f'<a href="{need.get_absolute_url()}" lang="fr" dir="ltr">Formation à Dakar</a>' in (
        client.get(LIST).content.decode()
    )
    Programme.objects.filter(pk=need.programme_id).update(content_language="pt")
    assert f'<span lang="pt" dir="ltr">{need.programme.title}</span>' in client.get(LIST).content.decode()


def test_coordinator_pages_mark_programmes_and_needs_with_their_languages(coordinator_client, organisation):
    programme = ProgrammeFactory(
        lead_organisation=organisation, title="Programme de Dakar", description="Former.", content_language="fr"
    )
    need = NeedFactory(programme=programme, title="Radiologue interventionnel")
    spanish = NeedFactory(programme=programme, title="Radiólogo intervencionista", content_language="es")

    detail = coordinator_client.get(reverse("programmes:programme-detail", args=[programme.pk])).content.decode()
    workspace = coordinator_client.get(reverse("programmes:workspace")).content.decode()

    assert '<h1 lang="fr" dir="ltr">Programme de Dakar</h1>' in detail
    assert '<div class="prose" lang="fr" dir="ltr"><p>Former.</p></div>' in detail
    for page in (detail, workspace):
        assert f'{need.pk}/" lang="fr" dir="ltr">Radiologue interventionnel</a>' in page
        assert f'{spanish.pk}/" lang="es" dir="ltr">Radiólogo intervencionista</a>' in page
    assert 'lang="fr" dir="ltr">Programme de Dakar</a>' in workspace


def test_an_organisation_s_programmes_are_marked_with_their_languages(client):
    programme = ProgrammeFactory(title="Programa de Maputo", summary="Formação.", content_language="pt")

    page = client.get(programme.lead_organisation.get_absolute_url()).content.decode()

    assert '<h3 lang="pt" dir="ltr">Programa de Maputo</h3>' in page
    assert '<p lang="pt" dir="ltr">Formação.</p>' in page


def test_the_weekly_digest_quotes_a_need_with_its_language():
    need = NeedFactory(programme__content_language="fr")

    assert _digest_need(need)["title_language"] == "fr"


# Filtering by it


def test_volunteers_find_needs_written_in_a_language(client):
    NeedFactory(title="Written in French", content_language="fr")
    NeedFactory(title="French like its programme", programme__content_language="fr")
    NeedFactory(title="Portuguese in a French programme", content_language="pt", programme__content_language="fr")
    NeedFactory(title="Unsaid")
    RemoteNeedFactory(title="Written in Spanish", content_language="es")

    french = client.get(LIST, {"written_in": "fr"})

    assert listed_titles(french) == ["French like its programme", "Written in French"]
    assert listed_titles(client.get(LIST, {"written_in": "es"})) == ["Written in Spanish"]
    assert len(listed_titles(client.get(LIST))) == 5
    assert '<option value="fr" selected>French</option>' in french.content.decode()


def test_the_filter_works_for_htmx_updates_and_offers_to_drop_it(client):
    NeedFactory(title="Written in French", content_language="fr")

    found = client.get(LIST, {"written_in": "fr"}, headers=HTMX)
    nothing = client.get(LIST, {"written_in": "es"}, headers=HTMX)

    assert listed_titles(found) == ["Written in French"]
    assert "<html" not in found.content.decode()
    assert listed_titles(nothing) == []
    assert "Include needs written in any language" in nothing.content.decode()


def test_the_filter_s_menu_is_in_the_reader_s_language(client):
    page = client.get(LIST, headers={"Accept-Language": "pt"}).content.decode()

    assert "Língua de redação" in page
    assert '<option value="fr">Francês</option>' in page


def test_an_unknown_language_is_reported_and_the_other_filters_still_apply(client):
    NeedFactory(title="Written in French", content_language="fr")

    response = client.get(LIST, {"written_in": "xx"})

    assert response.status_code == 200
    assert "xx" in " ".join(response.context["filter"].form.errors["written_in"])
    assert listed_titles(response) == ["Written in French"]
