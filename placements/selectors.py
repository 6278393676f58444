"""Reads about applications and placements: a need's pipeline counts, the volunteer's dashboard and
calendar, a placement's dates, and who may open a volunteer's credential document."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from globalir.accounts.models import User
from organisations.models import Membership, Organisation
from programmes.models import Mode, Need
from volunteers.models import Credential, VolunteerProfile

from .models import Application, Feedback, Placement


def need_counts_queryset(needs: QuerySet[Need]) -> QuerySet[Need]:
    """``needs`` annotated with the pipeline's counts, in the same query (programmes.hooks.need_pipeline_counts:
    the one count of a need's places taken).

    ``interested_count`` (new applications), ``shortlisted_count``, ``offered_count``,
    ``taken_count`` (accepted and completed) and ``places_left`` (places − taken − offered, never below 0).
    """
    by_status = {
        "interested_count": Count("applications", filter=Q(applications__status=Application.Status.INTERESTED)),
        "shortlisted_count": Count("applications", filter=Q(applications__status=Application.Status.SHORTLISTED)),
        "offered_count": Count("applications", filter=Q(applications__status=Application.Status.OFFERED)),
        "taken_count": Count("applications", filter=Q(applications__status__in=Application.TAKING_PLACE_STATUSES)),
    }
    return needs.annotate(**by_status).annotate(
        # As on the pipeline board: a place offered and awaiting an answer is not left to offer.
        places_left=Greatest(F("places") - F("taken_count") - F("offered_count"), Value(0), output_field=IntegerField())
    )


def need_ids_applied_by(user: User) -> QuerySet:
    """The needs the user applied to as a volunteer, whatever became of the application
    (programmes.hooks.need_ids_applied_by)."""
    return Application.objects.filter(volunteer__user=user).values("need_id")


def placement_dates_for(application: Application) -> tuple[datetime.date, datetime.date]:
    """The dates a placement will have: those the volunteer proposed, else the need's window."""
    need = application.need
    return application.proposed_start or need.window_start, application.proposed_end or need.window_end


def onsite_placements_overlapping(
    *, volunteer: VolunteerProfile, start: datetime.date, end: datetime.date
) -> QuerySet[Placement]:
    """The volunteer's accepted on-site (or hybrid) placements that share a day with start–end."""
    return Placement.objects.filter(
        volunteer=volunteer,
        application__status=Application.Status.ACCEPTED,
        mode__in=[Mode.ONSITE, Mode.HYBRID],
        start_date__lte=end,
        end_date__gte=start,
    )


def application_active_for(*, profile: VolunteerProfile, need: Need) -> Application | None:
    """The volunteer's application to `need` that is still going (interested to accepted), if any."""
    return Application.objects.active().for_volunteer(profile).filter(need=need).first()


@dataclass
class VolunteerDashboard:
    offers: list[Application]  # waiting for the volunteer's answer
    in_progress: list[Application]  # interested or shortlisted
    upcoming: list[Placement]  # accepted, not over yet
    past: list[Placement]  # completed, or over
    closed: list[Application]  # declined or withdrawn
    active_need_ids: list[int] = field(default_factory=list)  # the needs of applications still going


def volunteer_dashboard(*, profile: VolunteerProfile, today: datetime.date | None = None) -> VolunteerDashboard:
    """The volunteer's applications on /me/, in one query with their needs and placements (the matcher's
    suggestions and rounds beside them are its template tags')."""
    today = today or timezone.localdate()
    own_feedback = Feedback.objects.filter(placement__application=OuterRef("pk"), side=Feedback.Side.VOLUNTEER)
    applications = list(
        Application.objects.for_volunteer(profile)
        .select_related("need__programme__lead_organisation", "need__host_site", "placement")
        .annotate(feedback_given=Exists(own_feedback))
        .order_by("-updated_at", "-pk")
    )
    dashboard = VolunteerDashboard(offers=[], in_progress=[], upcoming=[], past=[], closed=[])
    for application in applications:
        status = application.status
        if status == Application.Status.OFFERED:
            dashboard.offers.append(application)
        elif status in Application.UNDER_REVIEW_STATUSES:
            dashboard.in_progress.append(application)
        elif status in Application.TAKING_PLACE_STATUSES:
            placement = getattr(application, "placement", None)
            if placement is None:
                continue
            placement.need = application.need  # the same row, already loaded with its programme and site
            if status == Application.Status.ACCEPTED and placement.end_date >= today:
                dashboard.upcoming.append(placement)
            else:
                placement.feedback_due = not application.feedback_given  # over: the volunteer may give feedback
                dashboard.past.append(placement)
        else:
            dashboard.closed.append(application)
    dashboard.upcoming.sort(key=lambda placement: placement.start_date)

    dashboard.active_need_ids = [application.need_id for application in applications if application.is_active]
    return dashboard


def placement_calendar_list(*, profile: VolunteerProfile) -> list[Placement]:
    """The volunteer's accepted and completed placements with all their feed shows, in one query."""
    return list(
        Placement.objects.filter(volunteer=profile, application__status__in=Application.TAKING_PLACE_STATUSES)
        .select_related("application", "need__programme__lead_organisation", "need__host_site")
        .order_by("start_date", "pk")
    )


def credential_for_download(*, user: User, pk: int) -> Credential | None:
    """The credential `pk` if `user` may open its document, otherwise None (whether or not it exists).

    Allowed: its owner; site admins; coordinators and admins of the verified organisation that leads
    the programme of a need the volunteer applied to (whatever became of the application), when the
    volunteer consented to be shown to coordinators. Partner organisations are not enough: a lead
    organisation names its partners on its own.
    """
    if not user.is_authenticated:
        return None
    credentials = Credential.objects.exclude(document="").select_related("profile")
    if not user.is_staff:
        their_organisations = (
            Membership.objects.coordinators()
            .filter(user=user, organisation__status=Organisation.Status.VERIFIED)
            .values("organisation_id")
        )
        applied_to_them = Application.objects.filter(
            volunteer=OuterRef("profile_id"), need__programme__lead_organisation__in=their_organisations
        )
        credentials = credentials.filter(
            Q(profile__user=user) | (Q(profile__consent_to_share=True) & Exists(applied_to_them))
        )
    return credentials.filter(pk=pk).first()
