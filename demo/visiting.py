"""Demo data of visiting professors and their hosts: a visiting-professor programme on SIR's model, three
hosts with requests, senior demo volunteers as candidates, an open match round with some
ranks already given, and two past visits with feedback for the report."""

from __future__ import annotations

import datetime

from django.utils import timezone

from matcher.host_rounds import host_round_rank_candidates, host_round_rank_hosts
from matcher.models import HostMatchRound, HostRoundRanking
from organisations.models import Membership, Organisation
from placements.models import Visit, VisitCandidacy, VisitFeedback
from placements.visits import VISITING_CAREER_STAGES, VISITING_PROFESSIONS
from programmes.models import HostRequest, Programme, Site
from volunteers.models import Language, Skill, VolunteerProfile

# The programme is led by the demo organisation at this index (a US academic exchange), on the model of SIR's
# International Visiting Professor Program; the hosts are the demo organisations at the other indexes, each
# with one of its demo sites. Demo organisations stay fictional, and no account is added.
LEAD_INDEX = 5
HOST_INDEXES = (0, 1, 2)


def load_visiting_demo(generator, today: datetime.date, organisations: list[Organisation]) -> None:
    now = timezone.now()
    lead = organisations[LEAD_INDEX]
    hosts = [organisations[index] for index in HOST_INDEXES]
    coordinators = {
        membership.organisation_id: membership.user
        for membership in Membership.objects.filter(organisation__in=[lead, *hosts]).select_related("user")
    }
    programme = Programme.objects.create(
        content_language="en",
        lead_organisation=lead,
        title="International Visiting Professor Program (on SIR's model, demo)",
        slug="demo-visiting-professor-program",
        kind=Programme.Kind.VISITING_PROFESSOR,
        summary="Visiting professors teach at host societies' meetings and in host hospitals' teaching weeks.",
        description="Created by the load_demo command for demonstrations; not a real programme.",
        countries=sorted({site.country.code for host in hosts for site in Site.objects.filter(organisation=host)}),
        start_date=today - datetime.timedelta(days=400),
        status=Programme.Status.PUBLISHED,
    )
    sites = [Site.objects.filter(organisation=host).order_by("pk").first() for host in hosts]
    skills = {skill.slug: skill for skill in Skill.objects.active()}
    topics_of = (("embolisation", "image-guided-biopsy"), ("image-guided-biopsy",), ("embolisation",))
    english = Language.objects.get(code="en")
    spanish = Language.objects.filter(code="es").first() or english

    def request(host_index: int, title: str, start: datetime.date, kind: str) -> HostRequest:
        site = sites[host_index]
        country = site.country.code
        host_request = HostRequest.objects.create(
            programme=programme,
            host_organisation=hosts[host_index],
            host_site=site if kind != "meeting" else None,
            title=title,
            kind=kind,
            language=spanish if country in ("GT", "HN", "BO", "PE") else english,
            country=country,
            city=site.city,
            preferred_start=start,
            preferred_end=start + datetime.timedelta(days=5),
            covers_accommodation=True,
            covers_local_travel=host_index != 1,
            description="Lectures, case reviews and hands-on sessions with our trainees.",
        )
        host_request.topics.set(skills[slug] for slug in topics_of[host_index] if slug in skills)
        return host_request

    open_requests = [
        request(0, "Annual meeting of the national IR society", today + datetime.timedelta(days=120), "meeting"),
        request(1, "IR congress and teaching days", today + datetime.timedelta(days=150), "both"),
        request(2, "Teaching week in interventional oncology", today + datetime.timedelta(days=180), "teaching_week"),
    ]
    past = [
        request(0, "Embolisation teaching week (past)", today - datetime.timedelta(days=90), "teaching_week"),
        request(2, "Biopsy workshop (past)", today - datetime.timedelta(days=40), "meeting"),
    ]

    eligible = list(
        VolunteerProfile.objects.filter(
            user__email__startswith="demo-volunteer-",
            profession__in=VISITING_PROFESSIONS,
            career_stage__in=VISITING_CAREER_STAGES,
        ).order_by("pk")[:5]
    )
    candidacies = []
    for profile in eligible:
        candidacy = VisitCandidacy.objects.create(
            programme=programme,
            volunteer=profile,
            statement="I have taught embolisation and biopsy courses for years and would gladly teach in person.",
        )
        candidacy.topics.set(skills[slug] for slug in ("embolisation", "image-guided-biopsy") if slug in skills)
        candidacies.append(candidacy)

    for host_request, candidacy, days in zip(past, candidacies, (90, 40), strict=False):
        HostRequest.objects.filter(pk=host_request.pk).update(status=HostRequest.Status.MATCHED)
        visit = Visit.objects.create(
            host_request=host_request,
            candidacy=candidacy,
            start_date=today - datetime.timedelta(days=days),
            end_date=today - datetime.timedelta(days=days - 5),
        )
        VisitFeedback.objects.create(visit=visit, side=VisitFeedback.Side.HOST, rating=5, comments="Superb teaching.")
        VisitFeedback.objects.create(
            visit=visit, side=VisitFeedback.Side.PROFESSOR, rating=4, comments="Warm welcome, keen trainees."
        )

    if candidacies:
        # Opened without the service, which would e-mail every participant of the demo.
        match_round = HostMatchRound.objects.create(
            programme=programme,
            ranking_deadline=now + datetime.timedelta(days=10),
            created_by=coordinators.get(lead.pk),
        )
        HostRoundRanking.objects.bulk_create(
            HostRoundRanking(match_round=match_round, host_request=host_request, candidacy=candidacy)
            for host_request in open_requests
            for candidacy in candidacies
        )
        # Some of both sides have ranked already; the rest is left for the demo's visitors.
        for offset, candidacy in enumerate(candidacies[1:]):
            order = open_requests[offset % 3 :] + open_requests[: offset % 3]
            host_round_rank_hosts(
                match_round=match_round,
                candidacy=candidacy,
                ranks={host_request.pk: rank for rank, host_request in enumerate(order, start=1)},
            )
        for host_request, host in zip(open_requests[:2], hosts[:2], strict=True):
            host_round_rank_candidates(
                match_round=match_round,
                host_request=host_request,
                ranks={candidacy.pk: rank for rank, candidacy in enumerate(reversed(candidacies), start=1)},
                by=coordinators[host.pk],
            )
