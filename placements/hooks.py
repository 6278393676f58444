"""placements' answers to the hooks of the apps below it (registered in PlacementsConfig.ready()), and what
placements asks of the apps above it (see globalir.hooks)."""

from django.urls import reverse

from globalir.hooks import Hook
from organisations.selectors import clinician_organisation_ids, organisations_coordinated_by
from volunteers.models import VolunteerProfile
from volunteers.selectors import volunteer_label, volunteer_profile_for_user

from .emails import applications_coordinator_emails_rename

# need_volunteer_fit_scores(*, need: Need, profile_ids: list[int]) -> {profile id: fit score 0–100} of the
# volunteers the matcher finds eligible for the need (the others are left out): the order of a need's waiting
# list. Registered by matcher.
need_volunteer_fit_scores = Hook("need_volunteer_fit_scores", default=lambda *, need, profile_ids: {})

# consult_remote_hours(*, profile: VolunteerProfile) -> the hours (a number) the volunteer gave to answering case
# consults, counted in their hours of remote work. Registered by consults.
consult_remote_hours = Hook("consult_remote_hours", default=lambda *, profile: 0)


def landing_url(user) -> str:
    """globalir.accounts.hooks.landing_url: a coordinator or organisation admin lands on the workspace; a
    volunteer on their dashboard, or the profile wizard until their profile is complete; a partner clinician who
    does not volunteer on their consults rather than a wizard that is not for them. Someone with more than one
    role lands on the first."""
    if organisations_coordinated_by(user=user).exists():
        return reverse("programmes:workspace")
    profile = volunteer_profile_for_user(user=user)
    if profile is not None and profile.onboarding_completed_at is not None:
        return reverse("placements:dashboard")
    if clinician_organisation_ids(user=user):
        return reverse("consults:list")
    return reverse("volunteers:onboarding")


def consent_withdrawn(*, profile: VolunteerProfile) -> None:
    """volunteers.hooks.consent_withdrawn: the e-mails to coordinators about the volunteer's applications
    name them "Volunteer #n" from now on, should they be sent again."""
    applications_coordinator_emails_rename(
        application_pks=profile.applications.values_list("pk", flat=True),
        label_of=lambda pk: volunteer_label(volunteer=profile, number=pk),
    )
