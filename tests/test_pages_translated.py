"""A French, a Spanish and a Portuguese reader see the pages a volunteer uses most with no English left.

Each page is scanned for the English source of every message of its reader's catalogue (placeholders
standing for anything): one found means a string shown untranslated, or translated in a template but
not in the catalogue. What people typed (titles, names, descriptions from the factories) is taken out
first; a message whose translation is the same as the English ("PDF", "GlobalIR") cannot tell.
"""

import datetime
import html
import re
from functools import cache

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from globalir.catalogues import catalogue_path
from placements.models import Application
from tests.factories import (
    ApplicationFactory,
    AvailabilityWindowFactory,
    CredentialFactory,
    NeedFactory,
    OrganisationFactory,
    PlacementFactory,
    ProgrammeFactory,
    RemoteNeedFactory,
    SiteFactory,
    VolunteerProfileFactory,
    today,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ("fr", "es", "pt")
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdif]|\{[A-Za-z0-9_]*\}")
TAG = re.compile(r"<[^<>]*>")
# Text a page shows in an attribute rather than between tags.
SHOWN_ATTRIBUTES = re.compile(r'\s(?:aria-label|title|placeholder|alt|data-status|data-empty)="([^"]*)"')


def _spaced(text: str) -> str:
    return " ".join(TAG.sub(" ", text).split())


@cache
def english_patterns(language: str) -> tuple[tuple[str, re.Pattern], ...]:
    """A pattern for the English of each message the catalogue translates differently."""
    patterns = []
    for entry in polib.pofile(str(catalogue_path(settings.LOCALE_PATHS[0], language))):
        if entry.msgid_plural:
            pairs = [(entry.msgid, entry.msgstr_plural[0]), (entry.msgid_plural, entry.msgstr_plural[1])]
        else:
            pairs = [(entry.msgid, entry.msgstr)]
        for english, translation in pairs:
            if _spaced(english) == _spaced(translation):
                continue
            parts = PLACEHOLDER.split(_spaced(english))
            # Nothing but placeholders and little words ("%(start)s to %(end)s") would match anything.
            if not re.search(r"[A-Za-z]{3}", "".join(parts)):
                continue
            body = r"\S.{0,80}?".join(re.escape(part) for part in parts)
            # Django capitalises a field's lowercase verbose name for its label.
            variants = {body, re.escape(parts[0][:1].upper()) + body[len(re.escape(parts[0][:1])) :]}
            pattern = "|".join(f"(?<![\\w-]){variant}(?![\\w-])" for variant in variants)
            patterns.append((english, re.compile(pattern)))
    return tuple(patterns)


def shown_text(page: str, language: str, typed: list[str]) -> str:
    """The words a reader sees on the page, without what people typed."""
    page = re.sub(r"<(script|style)\b.*?</\1>|<!--.*?-->", " ", page, flags=re.S)
    # Text marked as being in another language on purpose: the switcher names each language in itself.
    page = re.sub(rf'<(option|label)\b[^>]*\blang="(?!{language}")[^"]*"[^>]*>.*?</\1>', " ", page, flags=re.S)
    text = " ".join([TAG.sub(" ", page), *SHOWN_ATTRIBUTES.findall(page)])
    text = " ".join(html.unescape(text).split())
    for words in sorted(typed, key=len, reverse=True):
        text = text.replace(words, " ")
    return text


def english_left(response, language: str, typed: list[str]) -> list[tuple[str, str]]:
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    text = shown_text(page, language, typed)
    found = []
    for english, pattern in english_patterns(language):
        if match := pattern.search(text):
            found.append((english, match.group(0)))
    return found


@pytest.fixture
def world(db):
    """Published needs of a verified organisation, and a volunteer with something in every part of their
    dashboard: an offer, an application, a placement to come, one to give feedback on, a declined
    application, a credential about to expire and needs that fit them."""
    organisation = OrganisationFactory(name="Maputo Imaging Partners", acronym="MIP")
    programme = ProgrammeFactory(lead_organisation=organisation, title="Maputo IR fellowship")
    site = SiteFactory(name="Hospital Central de Maputo", city="Maputo", country="MZ")
    needs = [
        NeedFactory(programme=programme, host_site=site, title=f"Embolização pós-parto {n}", places=3) for n in range(5)
    ]
    remote = RemoteNeedFactory(programme=programme, title="Revisão de exames à distância")
    profile = VolunteerProfileFactory(
        name="Amina Okafor",
        title="Dr",
        user__first_name="Amina",
        user__last_name="Okafor",
        user__email="amina@example.org",
        languages=[("en", 4), ("fr", 3), ("pt", 3), ("es", 2)],
        home_country="MZ",
        institution="Hospital Central de Maputo",
    )
    AvailabilityWindowFactory(
        profile=profile, start_date=today(), end_date=today() + datetime.timedelta(days=365), hours_per_week=6
    )
    CredentialFactory(profile=profile, title="Ordem dos Médicos", expires_on=today() + datetime.timedelta(days=20))
    ApplicationFactory(volunteer=profile, need=needs[0], status=Application.Status.OFFERED)
    ApplicationFactory(volunteer=profile, need=needs[1], status=Application.Status.SHORTLISTED)
    PlacementFactory(application__volunteer=profile, application__need=needs[2])
    past = NeedFactory(
        programme=programme,
        host_site=site,
        title="Formação em drenagem",
        window_start=today() - datetime.timedelta(days=200),
        window_end=today() - datetime.timedelta(days=100),
        application_deadline=None,
    )
    PlacementFactory(
        application__volunteer=profile,
        application__need=past,
        application__status=Application.Status.COMPLETED,
        application__proposed_start=past.window_start,
        application__proposed_end=past.window_start + datetime.timedelta(days=20),
    )
    ApplicationFactory(
        volunteer=profile,
        need=needs[3],
        status=Application.Status.DECLINED,
        decline_reason="Todas as vagas foram preenchidas.",
    )
    typed = [
        organisation.name,
        organisation.acronym,
        organisation.description,
        programme.title,
        programme.summary,
        site.name,
        *(need.title for need in [*needs, remote, past]),
        needs[0].description,
        profile.name,
        profile.institution,
        profile.bio,
        "Ordem dos Médicos",
        "Todas as vagas foram preenchidas.",
        "amina@example.org",
    ]
    return {"volunteer": profile, "need": needs[4], "typed": typed}


def visitor(client, language):
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: language})
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_visitor_sees_the_home_page_and_the_opportunities_in_their_language(client, world, language):
    client = visitor(client, language)

    for url in (
        reverse("home"),
        reverse("programmes:opportunity-list"),
        world["need"].get_absolute_url(),
        reverse("programmes:opportunity-map"),
        reverse("programmes:embed", args=[world["need"].programme.lead_organisation.slug]),
    ):
        assert english_left(client.get(url), language, world["typed"]) == [], url


@pytest.mark.parametrize("language", LANGUAGES)
def test_sign_up_is_in_the_visitor_s_language_even_when_the_form_comes_back_with_errors(client, world, language):
    client = visitor(client, language)

    assert english_left(client.get(reverse("account_signup")), language, world["typed"]) == []
    refused = client.post(reverse("account_signup"), {"email": "not-an-address", "password1": "short"})
    assert english_left(refused, language, world["typed"]) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_volunteer_reads_their_dashboard_and_the_opportunities_in_their_language(client, world, language):
    user = world["volunteer"].user
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)

    dashboard = client.get(reverse("placements:dashboard"))
    page = dashboard.content.decode()
    # Every part of the dashboard is there to be read.
    for section in (
        "waiting-heading",
        "upcoming-heading",
        "applications-heading",
        "suggested-heading",
        "past-heading",
        "closed-heading",
    ):
        assert f'id="{section}"' in page, section
    assert english_left(dashboard, language, world["typed"]) == []
    for url in (reverse("programmes:opportunity-list"), world["need"].get_absolute_url()):
        assert english_left(client.get(url), language, world["typed"]) == [], url


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_volunteer_without_a_name_or_consent_reads_their_dashboard_in_their_language(client, world, language):
    newcomer = VolunteerProfileFactory(name="", consent_to_share=False, consent_given_at=None, user__language=language)
    client.force_login(newcomer.user)

    response = client.get(reverse("placements:dashboard"))

    page = response.content.decode()
    assert 'id="name-prompt"' in page and 'id="consent-withdrawn"' in page
    assert english_left(response, language, [*world["typed"], newcomer.display_name]) == []


def test_the_scan_finds_english_left_in_a_page(client, world):
    """The check itself: an English sentence of the catalogue in a French page is found."""
    client = visitor(client, "fr")
    response = client.get(reverse("home"))
    response.content = response.content.replace(b"</main>", b"<p>Browse opportunities</p></main>")

    assert ("Browse opportunities", "Browse opportunities") in english_left(response, "fr", world["typed"])
    assert ("Browse opportunities", "Browse opportunities") not in english_left(client.get(reverse("home")), "fr", [])
