"""Who is offered a consult request: the matcher's eligibility and scoring, applied to a request as to a remote need.

A request reads to the engine as a remote need of its profession, open over the next week for at least a day,
in the request's language, preferring the skills of its modality and of remote reporting. Once an urgent
request is escalated (tasks.consults_escalate) the pool widens to every consenting volunteer of the
profession who offers remote work and speaks the language at any level, whatever their availability.
"""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from matcher.engine import NeedData, VolunteerData, score_matrix
from matcher.loader import candidate_volunteers, volunteers_data
from volunteers.models import Skill, VolunteerLanguage, VolunteerProfile

from .models import ConsultRequest

OFFER_WINDOW_DAYS = 7
MODALITY_SKILLS = {"CT": "ct", "MR": "mri", "CR": "x-ray", "US": "ultrasound", "MG": "mammography", "XA": "fluoroscopy"}
REPORTING_SKILLS = ("tele-radiology-reporting", "case-consultation")


def _skill_ids(modality: str) -> frozenset[int]:
    slugs = [*REPORTING_SKILLS, *([MODALITY_SKILLS[modality]] if modality in MODALITY_SKILLS else [])]
    return frozenset(Skill.objects.filter(slug__in=slugs).values_list("pk", flat=True))


def request_need_data(consult: ConsultRequest, *, today: datetime.date | None = None) -> NeedData:
    today = today or timezone.localdate()
    return NeedData(
        id=consult.pk,
        profession=consult.profession,
        mode="remote",
        window_start=today,
        window_end=today + datetime.timedelta(days=OFFER_WINDOW_DAYS - 1),
        min_duration_days=1,
        preferred_skills=_skill_ids(consult.modality),
        required_languages=frozenset([consult.language_id]),
        organisation_id=consult.site.organisation_id,
    )


def _pool(consult: ConsultRequest) -> QuerySet[VolunteerProfile]:
    return candidate_volunteers().filter(offers_remote=True, profession=consult.profession)


def offer_scores(*, consult: ConsultRequest) -> dict[int, float]:
    """Volunteer profile id → fit score (0–100) of everyone the request is offered to."""
    volunteers = volunteers_data(_pool(consult))
    if not volunteers:
        return {}
    result = score_matrix(volunteers, [request_need_data(consult)])
    scores = {
        volunteer_id: float(result.score[i][0])
        for i, volunteer_id in enumerate(result.volunteer_ids)
        if result.eligible[i][0]
    }
    if consult.escalated_at is not None:
        for profile_id in _wider_pool(consult).values_list("pk", flat=True):
            scores.setdefault(profile_id, 0.0)
    return scores


def _wider_pool(consult: ConsultRequest) -> QuerySet[VolunteerProfile]:
    speakers = VolunteerLanguage.objects.filter(language_id=consult.language_id).values("profile_id")
    return _pool(consult).filter(pk__in=speakers)


def wider_pool_ids(*, consult: ConsultRequest) -> set[int]:
    return set(_wider_pool(consult).values_list("pk", flat=True))


def is_offered_to(*, consult: ConsultRequest, profile: VolunteerProfile | None) -> bool:
    if profile is None or consult.status != ConsultRequest.Status.OPEN:
        return False
    return consult.pk in offered_request_ids(profile=profile, requests=[consult])


def offered_request_ids(*, profile: VolunteerProfile, requests) -> set[int]:
    """Which of these open requests are offered to the volunteer (one scoring pass for all of them)."""
    requests = [r for r in requests if r.profession == profile.profession and r.status == ConsultRequest.Status.OPEN]
    if not requests or not profile.offers_remote:
        return set()
    volunteer: list[VolunteerData] = volunteers_data(candidate_volunteers().filter(pk=profile.pk))
    if not volunteer:
        return set()
    result = score_matrix(volunteer, [request_need_data(r) for r in requests])
    offered = {need_id for i, need_id in enumerate(result.need_ids) if result.eligible[0][i]}
    escalated = [r for r in requests if r.escalated_at is not None and r.pk not in offered]
    if escalated:
        spoken = set(VolunteerLanguage.objects.filter(profile=profile).values_list("language_id", flat=True))
        offered |= {r.pk for r in escalated if r.language_id in spoken}
    return offered
