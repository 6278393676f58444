"""{{ need|card_fingerprint }}: what an opportunity card shows, under which the rendered card is cached."""

from django import template

register = template.Library()


@register.filter
def card_fingerprint(need) -> str:
    """Every value templates/programmes/includes/opportunity_card.html shows, as one string.

    The card is cached under it (with the language, the sort order and the release), so an edited need, programme,
    organisation or site is a new card at once, never a stale one. A value added to the card must be
    added here too: test_an_edited_need_shows_at_once_on_its_card (tests/programmes/test_opportunities.py)
    changes each one and looks for it.
    """
    site = need.host_site
    programme = need.programme
    values = (
        need.pk,
        need.title,
        need.content_language,
        programme.title,
        programme.content_language,
        str(programme.lead_organisation),
        getattr(need, "fit_score", None),
        (site.name, site.city, site.country.code) if site else None,
        need.mode,
        need.profession,
        need.window_start,
        need.window_end,
        need.min_duration_days,
        need.application_deadline,
        need.places,
        hasattr(need, "elective"),  # the "Elective" badge
    )
    return repr(values)
