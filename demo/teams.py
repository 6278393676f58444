"""Demo data for teams on rotations: Road2IR's interventional team at a Dar es Salaam hospital.

An IR attending, an IR nurse and a radiographer go every eight weeks for fourteen days. The first rotation
is ready (every role confirmed), the second half-filled (the attending confirmed, the nurse offered, the
radiographer's place open), the later ones take ranked applications. Two distance-learning series (a weekly
case conference and a journal club) are the same programme's remote needs.

Called once from demo.loader.demo_data_replace with its generator, after the demo volunteers are made: the
programme belongs to the first demo organisation (fictional, working in Tanzania), so demo_data_delete
removes it with the rest.
"""

import datetime

from django.utils import timezone

from organisations.models import Membership, Organisation
from placements.models import Application, Placement
from placements.rotations import RotationChoice
from programmes import team_services
from programmes.models import Mode, Need, Programme, Site
from programmes.teams import TeamSlot
from volunteers.models import Profession, VolunteerProfile

ROLES = (Profession.IR_PHYSICIAN, Profession.IR_NURSE, Profession.RADIOGRAPHER)
ROTATIONS = 4
SERIES = (("Road2IR weekly IR case conference", 2), ("Road2IR monthly journal club", 1))
# The needs this makes: a slot per rotation and role, and the distance-learning series. load_demo counts
# them among the needs it was asked for.
NEEDS = len(ROLES) * ROTATIONS + len(SERIES)


def demo_teams(*, generator, organisation: Organisation) -> int:
    """Road2IR's programme (led by `organisation`, a demo organisation working in Tanzania) with a team on
    rotations, one rotation ready and one half-filled, staffed by demo volunteers already made. Returns the
    number of needs made (NEEDS)."""
    today = generator.today
    coordinator = Membership.objects.filter(organisation=organisation).select_related("user").first().user
    site = Site.objects.create(
        name="Demo National Referral Hospital",
        city="Dar es Salaam",
        country="TZ",
        organisation=organisation,
        description="A fictional hospital created for demonstrations.",
    )
    programme = Programme.objects.create(
        content_language="en",
        lead_organisation=organisation,
        title="Road2IR – IR training in Tanzania (demo)",
        slug="demo-programme-road2ir",
        kind=Programme.Kind.TRAINING,
        summary="Visiting IR teams train the first cohort of Tanzanian IR fellows, with distance learning between.",
        countries=["TZ"],
        start_date=today - datetime.timedelta(days=90),
        status=Programme.Status.PUBLISHED,
    )
    programme.sites.add(site)
    team = team_services.team_create(
        programme=programme,
        data={
            "title": "Road2IR interventional team, Dar es Salaam",
            "description": "An IR attending, an IR nurse and a radiographer teach and work alongside the IR fellows.",
            "host_site": site,
        },
        by=coordinator,
    )
    for profession in ROLES:
        team_services.team_role_add(
            team=team,
            data={
                "profession": profession,
                "places": 1,
                "requires_verified_credential": profession == Profession.IR_PHYSICIAN,
            },
            by=coordinator,
        )
    first = today + datetime.timedelta(days=21)
    dates = [
        (first + datetime.timedelta(weeks=8 * n), first + datetime.timedelta(weeks=8 * n, days=13))
        for n in range(ROTATIONS)
    ]
    rotations = team_services.team_rotations_add(team=team, dates=dates, by=coordinator)
    for title, hours in SERIES:
        Need.objects.create(
            content_language="en",
            programme=programme,
            title=title,
            description="Remote teaching between rotations, on video with the IR fellows.",
            profession=Profession.IR_PHYSICIAN,
            places=4,
            mode=Mode.REMOTE,
            window_start=today + datetime.timedelta(days=7),
            window_end=today + datetime.timedelta(days=300),
            min_duration_days=60,
            hours_per_week=hours,
        )

    # Two consenting demo volunteers of each role's profession, if the demo has them.
    profiles = {
        profession: list(
            VolunteerProfile.objects.filter(
                user__email__startswith="demo-volunteer-",
                profession=profession,
                consent_to_share=True,
                onboarding_completed_at__isnull=False,
            ).order_by("pk")[:2]
        )
        for profession in ROLES
    }
    slots = {
        (slot.rotation_id, slot.role.profession): slot.need for slot in TeamSlot.objects.filter(rotation__team=team)
    }
    now = timezone.now()

    def apply(profile, rotation, status, rank=1):
        need = slots[(rotation.pk, profile.profession)]
        application = Application.objects.create(
            need=need,
            volunteer=profile,
            proposed_start=rotation.start_date,
            proposed_end=rotation.end_date,
            status=status,
            offered_at=now if status in (Application.Status.OFFERED, Application.Status.ACCEPTED) else None,
            accepted_at=now if status == Application.Status.ACCEPTED else None,
        )
        RotationChoice.objects.create(application=application, rank=rank)
        if status == Application.Status.ACCEPTED:
            Placement.objects.create(
                application=application,
                need=need,
                volunteer=profile,
                mode=need.mode,
                start_date=rotation.start_date,
                end_date=rotation.end_date,
            )
            if need.places == 1:
                Need.objects.filter(pk=need.pk).update(status=Need.Status.FILLED, filled_at=now)

    ready, half, *later = rotations
    attending, nurse, radiographer = (profiles[profession] for profession in ROLES)
    for people in (attending, nurse, radiographer):
        if people:
            apply(people[0], ready, Application.Status.ACCEPTED)
    if len(attending) > 1:
        apply(attending[1], half, Application.Status.ACCEPTED)
    if len(nurse) > 1:
        apply(nurse[1], half, Application.Status.OFFERED)
    if len(radiographer) > 1:
        apply(radiographer[1], later[0], Application.Status.INTERESTED, rank=1)
        apply(radiographer[1], later[1], Application.Status.INTERESTED, rank=2)
    generator.counts["needs"] = generator.counts.get("needs", 0) + NEEDS
    generator.counts["teams on rotations"] = 1
    return NEEDS
