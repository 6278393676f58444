"""How well needs fit a volunteer: the database side of the pure matching engine.

Loads a VolunteerProfile and Needs as the engine's records (matcher.loader), scores a set of candidate
needs for one volunteer, and turns the engine's explanation of one pair (English, machine-oriented) into
plain sentences in the visitor's language.

Query budget: `volunteer_data` runs three queries and `need_fit_scores` two, whatever the number of
needs.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from globalir.regions import Region
from programmes.models import Mode, Need
from volunteers.models import (
    Profession,
    Proficiency,
    VolunteerProfile,
)

from .engine import NeedData, VolunteerData, explain, score_matrix
from .loader import needs_data, volunteers_data

# --------------------------------------------------------------------------------------------------
# Models → engine data (matcher.loader, a batch of one)
# --------------------------------------------------------------------------------------------------


def volunteer_data(profile: VolunteerProfile) -> VolunteerData:
    """Everything the engine needs about a volunteer, in three queries."""
    return volunteers_data([profile])[0]


def need_data(need: Need) -> NeedData:
    """The engine's view of one need loaded with its programme and host site and its skills and
    languages prefetched (as `need_listed_detail_queryset` does); no query."""
    return needs_data([need])[0]


def _modes_open_to(volunteer: VolunteerData) -> list[str]:
    modes = []
    if volunteer.offers_onsite:
        modes += [Mode.ONSITE, Mode.HYBRID]  # a hybrid need always has an on-site part
    if volunteer.offers_remote:
        modes.append(Mode.REMOTE)
    return modes


def need_fit_scores(*, volunteer: VolunteerData, needs: QuerySet[Need]) -> dict[int, float]:
    """The fit score (0–100) of each need of `needs` the volunteer is eligible for; the others are left out.

    Only the needs that can be eligible at all (the volunteer's profession, a mode they offer) are loaded
    and scored, in two queries however many needs there are.
    """
    modes = _modes_open_to(volunteer)
    if not volunteer.consent or not modes:
        return {}
    candidates = needs_data(needs.filter(profession=volunteer.profession, mode__in=modes))
    if not candidates:
        return {}
    result = score_matrix([volunteer], candidates)
    eligible, scores = result.eligible[0], result.score[0]
    return {need_id: float(scores[i]) for i, need_id in enumerate(result.need_ids) if eligible[i]}


def need_volunteer_fit_scores(*, need: Need, profile_ids: list[int]) -> dict[int, float]:
    """The fit score (0–100) of the need for each of these volunteers the engine finds eligible for it; the
    others are left out (placements.hooks.need_volunteer_fit_scores: a need's waiting list). Six queries,
    whatever the number of volunteers."""
    if not profile_ids:
        return {}
    volunteers = volunteers_data(VolunteerProfile.objects.filter(pk__in=profile_ids))
    candidates = needs_data(Need.objects.filter(pk=need.pk))
    if not volunteers or not candidates:
        return {}
    result = score_matrix(volunteers, candidates)
    return {
        int(volunteer_id): float(result.score[i][0])
        for i, volunteer_id in enumerate(result.volunteer_ids)
        if result.eligible[i][0]
    }


# --------------------------------------------------------------------------------------------------
# The engine's explanation, in plain words
# --------------------------------------------------------------------------------------------------

# The first failed requirement, by the engine's reason code (REASON_CODES), with what to do about it.
REASON_TEXTS = {
    "no_consent": gettext_lazy(
        "You have not agreed to be shown to the coordinators of the needs you apply to, so they cannot consider you."
    ),
    "profession": gettext_lazy(
        "This need is for this profession: %(need_profession)s. Your profile says: %(volunteer_profession)s."
    ),
    "not_onsite": gettext_lazy(
        "This need includes on-site work, and your profile does not offer on-site volunteering."
    ),
    "not_remote": gettext_lazy("This need is remote, and your profile does not offer remote volunteering."),
    # The plural follows the number of days (ngettext_lazy picks it from the values at formatting time).
    "onsite_availability": ngettext_lazy(
        "You are not available for %(min_duration_days)s day between %(window_start)s and %(window_end)s.",
        "You are not available for %(min_duration_days)s consecutive days between %(window_start)s and %(window_end)s.",
        "min_duration_days",
    ),
    "remote_availability": ngettext_lazy(
        "You are not available %(hours_per_week)s hours a week for %(min_duration_days)s day between "
        "%(window_start)s and %(window_end)s.",
        "You are not available %(hours_per_week)s hours a week for %(min_duration_days)s consecutive days between "
        "%(window_start)s and %(window_end)s.",
        "min_duration_days",
    ),
    "language": gettext_lazy("This need requires %(language)s at working level or better."),
    "experience": ngettext_lazy(
        "This need requires at least %(min_years)s year of experience; your profile says %(years)s.",
        "This need requires at least %(min_years)s years of experience; your profile says %(years)s.",
        "min_years",
    ),
    "credential": gettext_lazy("This need requires a verified credential valid until at least %(valid_through)s."),
}
_PROFILE_ACTION = ("volunteers:profile", gettext_lazy("Update your profile"))
REASON_ACTIONS = {
    "no_consent": ("volunteers:consent", gettext_lazy("Give your consent again")),
    "profession": _PROFILE_ACTION,
    "not_onsite": _PROFILE_ACTION,
    "not_remote": _PROFILE_ACTION,
    "onsite_availability": ("volunteers:profile", gettext_lazy("Update your availability")),
    "remote_availability": ("volunteers:profile", gettext_lazy("Update your availability")),
    "language": ("volunteers:profile", gettext_lazy("Update your languages")),
    "experience": _PROFILE_ACTION,
    "credential": ("volunteers:credentials", gettext_lazy("Add or renew a credential")),
}


@dataclass(frozen=True)
class FitReason:
    text: str
    points: int


@dataclass(frozen=True)
class NeedFit:
    """How a need fits one volunteer, ready for a template."""

    eligible: bool
    score: int = 0  # 0–100
    reasons: list[FitReason] = field(default_factory=list)  # why it fits, best factors first
    missing: str = ""  # the first requirement the volunteer misses
    action_url: str = ""
    action_label: str = ""


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _names(items) -> str:
    return ", ".join(str(item) for item in items)


def _missing_text(code: str, params: dict, need: Need) -> str:
    values = dict(params)
    for key in ("window_start", "window_end", "valid_through"):
        if isinstance(values.get(key), datetime.date):
            values[key] = _date(values[key])
    if code == "profession":
        values["need_profession"] = Profession(params["need_profession"]).label
        values["volunteer_profession"] = Profession(params["volunteer_profession"]).label
    if code == "language":
        names = {language.pk: str(language) for language in need.required_languages.all()}
        values["language"] = names.get(params["language"], params["language"])
    return REASON_TEXTS[code] % values


def _skills_text(wanted: list, have: set[int], *, preferred: bool) -> str:
    missing = [skill for skill in wanted if skill.pk not in have]
    if not missing:
        if preferred:
            return _("You have every preferred skill: %(skills)s.") % {"skills": _names(wanted)}
        return _("You have every required skill: %(skills)s.") % {"skills": _names(wanted)}
    values = {"have": len(wanted) - len(missing), "total": len(wanted), "missing": _names(missing)}
    if preferred:
        return (
            ngettext(
                "You have %(have)s of the %(total)s preferred skill (missing: %(missing)s).",
                "You have %(have)s of the %(total)s preferred skills (missing: %(missing)s).",
                len(wanted),
            )
            % values
        )
    return (
        ngettext(
            "You have %(have)s of the %(total)s required skill (missing: %(missing)s).",
            "You have %(have)s of the %(total)s required skills (missing: %(missing)s).",
            len(wanted),
        )
        % values
    )


def _factor_text(code: str, value: float, *, volunteer: VolunteerData, data: NeedData, need: Need) -> str:
    """One soft factor of the engine's score as a sentence, or "" when it says nothing useful."""
    if code == "required_skills":
        wanted = list(need.required_skills.all())
        return _skills_text(wanted, volunteer.skills, preferred=False) if wanted else ""
    if code == "preferred_skills":
        wanted = list(need.preferred_skills.all())
        return _skills_text(wanted, volunteer.skills, preferred=True) if wanted else ""
    if code == "languages":
        if not data.required_languages:
            return ""
        spoken = [
            _("%(language)s (%(level)s)")
            % {"language": language, "level": Proficiency(volunteer.languages[language.pk]).label}
            for language in need.required_languages.all()
        ]
        return _("You speak %(languages)s.") % {"languages": _names(spoken)}
    if code == "experience":
        values = {"years": volunteer.years_experience, "min_years": data.min_years_experience}
        if data.min_years_experience:
            return (
                ngettext(
                    "You have %(years)s year of experience; the need asks for at least %(min_years)s.",
                    "You have %(years)s years of experience; the need asks for at least %(min_years)s.",
                    volunteer.years_experience,
                )
                % values
            )
        return (
            ngettext(
                "You have %(years)s year of experience.",
                "You have %(years)s years of experience.",
                volunteer.years_experience,
            )
            % values
        )
    if code == "region":
        if value >= 1:
            return _("It is in a region you prefer: %(region)s.") % {"region": Region(data.region).label}
        if value <= 0:
            return _("It is outside the regions you prefer.")
        return ""
    if code == "availability":
        if value >= 1:
            return _("You are available for its whole date window.")
        days = round(value * data.window_days)
        return ngettext(
            "You are available for %(days)s consecutive day of its %(window)s-day window.",
            "You are available for %(days)s consecutive days of its %(window)s-day window.",
            days,
        ) % {"days": days, "window": data.window_days}
    if code == "engagement" and value > 0:
        return _("You have volunteered with %(organisation)s before.") % {
            "organisation": need.programme.lead_organisation
        }
    return ""


def need_fit(*, profile: VolunteerProfile, need: Need) -> NeedFit:
    """Why `need` fits the volunteer (the engine's factors in plain words) or the first requirement they
    miss. `need` comes from `need_listed_detail_queryset` (programme, host site, skills and languages
    loaded); three queries for the volunteer."""
    volunteer = volunteer_data(profile)
    data = need_data(need)
    explanation = explain(volunteer, data)
    if not explanation.eligible:
        code = explanation.reason_code
        url_name, label = REASON_ACTIONS.get(code, ("", ""))
        return NeedFit(
            eligible=False,
            missing=_missing_text(code, explanation.reason_params, need),
            action_url=reverse(url_name) if url_name else "",
            action_label=str(label),
        )
    reasons = []
    for contribution in sorted(explanation.contributions, key=lambda c: -c.points):
        text = _factor_text(contribution.code, contribution.value, volunteer=volunteer, data=data, need=need)
        if text:
            reasons.append(FitReason(text=text, points=round(contribution.points)))
    return NeedFit(eligible=True, score=round(explanation.score), reasons=reasons)
