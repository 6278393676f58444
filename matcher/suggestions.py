"""What the matcher suggests: needs to a volunteer (their dashboard, /opportunities/ by best fit), and
volunteers to a need's coordinators (its stored suggestions, the eligible volunteers while it has none),
whom a coordinator may invite to apply."""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, F, FilteredRelation, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from globalir.accounts.models import User
from notifications.models import Notification
from notifications.services import absolute_url, notify
from placements.board import (
    VolunteerSummary,
    need_asks_for_skills,
    summary_prefetches,
    volunteer_summary,
    wanted_skill_ids,
)
from placements.models import Application
from placements.waiting_list import WaitingListEntry
from programmes.models import Mode, Need
from programmes.selectors import need_card_queryset, need_listed_queryset
from volunteers.models import AvailabilityWindow, Proficiency, VolunteerLanguage, VolunteerProfile

from . import fit
from .engine import FACTORS, Weights, score_matrix
from .loader import candidate_volunteers, matching_weights, volunteers_data
from .models import Recommendation

logger = logging.getLogger(__name__)

DASHBOARD_SUGGESTIONS = 5
ELIGIBLE_LIMIT = 10
# The eligible volunteers are picked by the matcher's engine among at most this many who pass the
# database's rough filter (those with most of the need's skills and experience first).
ELIGIBLE_CANDIDATES = 500


# Needs for a volunteer


# What each factor of a fit score stands for, for coordinators (matcher.engine.FACTORS).
FACTOR_LABELS = {
    "required_skills": gettext_lazy("Required skills"),
    "preferred_skills": gettext_lazy("Preferred skills"),
    "languages": gettext_lazy("Languages"),
    "experience": gettext_lazy("Experience beyond the minimum"),
    "region": gettext_lazy("Preferred region"),
    "availability": gettext_lazy("Availability across the window"),
    "engagement": gettext_lazy("Has volunteered with your organisation"),
}


def recommended_needs(*, profile: VolunteerProfile, needs: QuerySet[Need], limit: int) -> list[Need] | None:
    """The best `limit` of `needs` the matcher recommends to the volunteer, best first, each with
    `.fit_score` and loaded for a result card; None when it has stored nothing for the volunteer yet."""
    recommendations = list(
        Recommendation.objects.filter(volunteer=profile, need__in=needs.order_by().values("pk"))
        .select_related("need__programme__lead_organisation", "need__host_site")
        .defer(
            "factors",
            "need__description",
            "need__support_notes",
            "need__programme__description",
            "need__programme__lead_organisation__description",
            "need__host_site__description",
        )
        .order_by("-score", "need_id")[:limit]
    )
    if not recommendations and not Recommendation.objects.filter(volunteer=profile).exists():
        return None
    for recommendation in recommendations:
        recommendation.need.fit_score = round(recommendation.score)
    return [recommendation.need for recommendation in recommendations]


@dataclass(frozen=True)
class SuggestionReason:
    code: str  # a factor of matcher.engine.FACTORS
    label: str
    points: int  # what the factor added to the score
    full_marks: int  # what it adds at most


@dataclass
class SuggestedVolunteer:
    volunteer: VolunteerProfile  # with .user
    score: int  # 0–100
    rank: int  # among the volunteers the matcher suggests for the need, 1 = best
    reasons: list[SuggestionReason]  # the factors that added points, most first
    invited: bool  # a coordinator already invited them to apply


def need_suggested_volunteers(*, need: Need, limit: int = 10) -> list[SuggestedVolunteer]:
    """The volunteers the matcher suggests for `need`, best first, with their score and its reasons:
    its stored top K, leaving out volunteers who applied to it (whatever became of the application), who
    are on its waiting list (the list decides who is offered a place next) or who no longer agree to be
    shown to coordinators. Two queries."""
    applied = Application.objects.filter(need=need, volunteer=OuterRef("volunteer"))
    waiting = WaitingListEntry.objects.active().filter(need=need, volunteer=OuterRef("volunteer"))
    recommendations = list(
        Recommendation.objects.filter(
            need=need,
            rank_for_need__isnull=False,
            volunteer__consent_to_share=True,
            volunteer__user__is_active=True,
        )
        .exclude(Exists(applied))
        .exclude(Exists(waiting))
        .select_related("volunteer__user")
        .order_by("rank_for_need")[:limit]
    )
    if not recommendations:
        return []
    keys = {f"apply-invitation:{need.pk}:{r.volunteer_id}": r.volunteer_id for r in recommendations}
    invited = {keys[key] for key in Notification.objects.filter(event_key__in=keys).values_list("event_key", flat=True)}
    full_marks = Weights.from_mapping(settings.MATCHING_WEIGHTS).points()
    suggestions = []
    for recommendation in recommendations:
        factors = recommendation.factors if isinstance(recommendation.factors, dict) else {}
        reasons = [
            SuggestionReason(
                code=code,
                label=str(FACTOR_LABELS[code]),
                points=round(factors[code]),
                full_marks=round(full_marks[code]),
            )
            for code in sorted(FACTORS, key=lambda code: -float(factors.get(code, 0)))
            if round(float(factors.get(code, 0))) > 0
        ]
        suggestions.append(
            SuggestedVolunteer(
                volunteer=recommendation.volunteer,
                score=round(recommendation.score),
                rank=recommendation.rank_for_need,
                reasons=reasons,
                invited=recommendation.volunteer_id in invited,
            )
        )
    return suggestions


def opportunity_fit_scores(*, profile: VolunteerProfile, needs: QuerySet[Need]) -> dict[int, float]:
    """The volunteer's fit score of each need of `needs` that fits them, scored live: until the matcher has
    stored scores for them (programmes.hooks.opportunity_fit_scores)."""
    return fit.need_fit_scores(volunteer=fit.volunteer_data(profile), needs=needs)


def opportunity_fit_ordered(*, profile: VolunteerProfile, needs: QuerySet[Need]) -> tuple[int, QuerySet[Need] | None]:
    """How many `needs` there are, and `needs` with the matcher's stored score for the volunteer as `fit`, best
    first (the others after, in the order `needs` already has), sorted in the database so that a page reads
    only its own rows; None instead while the matcher has stored nothing for the volunteer. One query here,
    whatever the number of needs (programmes.hooks.opportunity_fit_ordered)."""
    counts = needs.order_by().aggregate(
        total=Count("pk"), matcher_ran=Count("pk", filter=Exists(Recommendation.objects.filter(volunteer=profile)))
    )
    if not counts["matcher_ran"]:
        return counts["total"], None
    # One row at most per need: a volunteer has one recommendation per need (recommendation_unique_pair).
    scored = needs.annotate(
        own_recommendation=FilteredRelation("recommendations", condition=Q(recommendations__volunteer=profile)),
        fit=F("own_recommendation__score"),
    )
    return counts["total"], scored.order_by(F("fit").desc(nulls_last=True), *needs.query.order_by)


def opportunity_fit_version_annotations() -> dict[str, Subquery]:
    """What `opportunity_fit_version` reads, as annotations of a volunteer profile: read in the query of the
    profile itself (programmes.hooks.opportunity_fit_version_annotations)."""
    stored = Recommendation.objects.filter(volunteer=OuterRef("pk")).order_by().values("volunteer")
    return {
        "fit_rows": Subquery(stored.annotate(rows=Count("pk")).values("rows")),
        "fit_last": Subquery(stored.annotate(last=Max("computed_at")).values("last")),
    }


def opportunity_fit_version(*, profile: VolunteerProfile) -> str | None:
    """A string that changes whenever the matcher's stored scores for the volunteer do, None while it has stored
    none: a refresh stamps every row it writes or rewrites with the time (`computed_at`), and a row deleted
    changes the count. The "best fit" results of /opportunities/ are cached under it
    (programmes.hooks.opportunity_fit_version). No query when the profile was read with
    `opportunity_fit_version_annotations`, one on the unique pair's index otherwise."""
    if hasattr(profile, "fit_rows"):
        stored = {"rows": profile.fit_rows, "last": profile.fit_last}
    else:
        stored = Recommendation.objects.filter(volunteer=profile).aggregate(rows=Count("pk"), last=Max("computed_at"))
    if not stored["rows"]:
        return None
    return f"{stored['rows']}:{stored['last'].isoformat()}"


def volunteer_suggestions(
    *, profile: VolunteerProfile, exclude_need_ids: list[int], today: datetime.date | None = None
) -> list[Need]:
    """The best-fitting listed needs the volunteer has not applied to, for their dashboard, each with
    `.fit_score`: the matcher's stored recommendations with their cards (one query; two when there are
    none); until it has stored any for the volunteer, the fit scorer's queries and one for the cards."""
    today = today or timezone.localdate()
    candidates = need_listed_queryset(today=today).exclude(pk__in=exclude_need_ids)
    suggestions = recommended_needs(profile=profile, needs=candidates, limit=DASHBOARD_SUGGESTIONS)
    if suggestions is not None:
        return suggestions
    scores = fit.need_fit_scores(volunteer=fit.volunteer_data(profile), needs=candidates)
    best = sorted(scores, key=lambda pk: (-scores[pk], pk))[:DASHBOARD_SUGGESTIONS]
    cards = need_card_queryset(Need.objects.all()).in_bulk(best) if best else {}
    for pk in best:
        cards[pk].fit_score = round(scores[pk])
    return [cards[pk] for pk in best]


# Volunteers for a need


@dataclass
class EligibleVolunteer:
    profile: VolunteerProfile
    summary: VolunteerSummary
    availability: list[AvailabilityWindow]  # the windows that overlap the need's


def need_eligible_volunteers(
    *, need: Need, limit: int = ELIGIBLE_LIMIT, today: datetime.date | None = None
) -> list[EligibleVolunteer]:
    """Volunteers who meet every requirement of the need and have not applied, best fit first.

    The matcher's engine decides, as it does for its suggestions and for a volunteer's own view of a
    need (matcher.engine): agreed to be shown to coordinators, the need's profession, open
    to its mode (a hybrid need has an on-site part), free for its minimum stay in a row inside its
    window (not on another on-site placement; for remote work, with its hours a week), every required
    language at working level, the minimum experience, and a credential valid long enough when the
    need asks for one. On top of that they hold every skill the need requires, which the engine only
    scores. They are ranked by the engine's fit score, then experience.

    The database first keeps only the onboarded, active volunteers who could pass (the same
    profession, mode, languages, skills and experience, a window overlapping the need's, no active
    application to it), at most ELIGIBLE_CANDIDATES of them; a fixed number of queries however many.
    """
    today = today or timezone.localdate()
    profiles = candidate_volunteers().filter(
        profession=need.profession, years_experience__gte=need.min_years_experience
    )
    windows = AvailabilityWindow.objects.filter(
        profile_id=OuterRef("pk"), start_date__lte=need.window_end, end_date__gte=need.window_start
    )
    if need.mode == Mode.REMOTE:
        profiles = profiles.filter(offers_remote=True)
        windows = windows.filter(hours_per_week__gte=need.hours_per_week)
    else:
        profiles = profiles.filter(offers_onsite=True)
    spoken = VolunteerLanguage.objects.filter(
        profile_id=OuterRef(OuterRef("pk")), proficiency__gte=Proficiency.WORKING
    ).values("language_id")
    language_missing = Need.required_languages.through.objects.filter(need_id=need.pk).exclude(language_id__in=spoken)
    held = VolunteerProfile.skills.through.objects.filter(volunteerprofile_id=OuterRef(OuterRef("pk"))).values(
        "skill_id"
    )
    skill_missing = Need.required_skills.through.objects.filter(need_id=need.pk).exclude(skill_id__in=held)
    applied = Application.objects.active().filter(need_id=need.pk, volunteer_id=OuterRef("pk"))
    waiting = WaitingListEntry.objects.active().filter(need_id=need.pk, volunteer_id=OuterRef("pk"))
    candidates = (
        profiles.filter(
            ~Exists(language_missing), ~Exists(skill_missing), Exists(windows), ~Exists(applied), ~Exists(waiting)
        )
        .annotate(matching=Count("skills", filter=Q(skills__in=wanted_skill_ids(need)), distinct=True))
        .order_by("-matching", "-years_experience", "pk")
    )
    candidate_ids = list(candidates.values_list("pk", flat=True)[:ELIGIBLE_CANDIDATES])
    if not candidate_ids:
        return []

    volunteers = volunteers_data(VolunteerProfile.objects.filter(pk__in=candidate_ids))
    result = score_matrix(volunteers, [fit.need_data(need)], matching_weights())
    years = {volunteer.id: volunteer.years_experience for volunteer in volunteers}
    ranked = sorted(
        (
            (-float(result.score[row, 0]), -years[volunteer_id], volunteer_id)
            for row, volunteer_id in enumerate(result.volunteer_ids)
            if result.eligible[row, 0]
        )
    )[:limit]
    chosen = [volunteer_id for *_, volunteer_id in ranked]
    if not chosen:
        return []
    loaded = (
        VolunteerProfile.objects.filter(pk__in=chosen)
        .annotate(need_asks_for_skills=need_asks_for_skills(need))
        .select_related("user")
        .prefetch_related(
            *summary_prefetches(need),
            Prefetch(
                "availability",
                queryset=AvailabilityWindow.objects.filter(
                    start_date__lte=need.window_end, end_date__gte=need.window_start
                ).order_by("start_date"),
                to_attr="board_availability",
            ),
        )
    )
    by_id = {profile.pk: profile for profile in loaded}
    return [
        EligibleVolunteer(
            profile=by_id[pk],
            summary=volunteer_summary(by_id[pk], today=today, asks_for_skills=by_id[pk].need_asks_for_skills),
            availability=by_id[pk].board_availability,
        )
        for pk in chosen
    ]


# A coordinator invites a suggested volunteer to apply


def apply_invitation_event_key(*, need_id: int, volunteer_id: int) -> str:
    return f"apply-invitation:{need_id}:{volunteer_id}"


def suggestion_invite(*, need: Need, volunteer: VolunteerProfile, by: User) -> Notification | None:
    """E-mail a volunteer the matcher suggests for `need` an invitation to apply, on behalf of `by` (a
    coordinator of the need's lead organisation; the view checks that). Once only per need and volunteer:
    returns None when they were already invited. Raises ValidationError when the need no longer takes
    applications, the volunteer has not agreed to be shown to coordinators or is not among the need's
    suggestions, or already has an application going."""
    listed = Need.objects.listed().filter(pk=need.pk).exists()
    if not listed or not need.accepts_applications(timezone.localdate()):
        raise ValidationError(_("This need no longer takes applications, so nobody can be invited to it."))
    with transaction.atomic():
        volunteer = VolunteerProfile.objects.select_related("user").get(pk=volunteer.pk)
        if not volunteer.consent_to_share or not volunteer.user.is_active:
            raise ValidationError(_("This volunteer is not available to be contacted by coordinators."))
        if not Recommendation.objects.filter(need=need, volunteer=volunteer).exists():
            raise ValidationError(_("This volunteer is not among the suggestions for this need."))
        if Application.objects.active().filter(need=need, volunteer=volunteer).exists():
            raise ValidationError(_("This volunteer has already applied to this need."))
        programme = need.programme
        context = {
            "need_title": need.title,
            "programme_title": programme.title,
            "organisation_name": str(programme.lead_organisation),
            "coordinator_name": by.display_name,
            "window_start": date_format(need.window_start, "DATE_FORMAT"),
            "window_end": date_format(need.window_end, "DATE_FORMAT"),
            "deadline": date_format(need.application_deadline, "DATE_FORMAT") if need.application_deadline else "",
            "need_url": absolute_url(need.get_absolute_url()) + "#fit-heading",
        }
        notification = notify(
            kind="apply_invitation",
            event_key=apply_invitation_event_key(need_id=need.pk, volunteer_id=volunteer.pk),
            recipient=volunteer.user,
            context=context,
        )
    if notification is not None:
        logger.info("User %s invited volunteer %s to apply to need %s", by.pk, volunteer.pk, need.pk)
    return notification
