"""What a thread is about, whether or not its first message has been written yet: an application, or the
group confirmed on a need or on a team's rotation. Who reads a thread, and how people are named in it,
follow from its subject."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from globalir.accounts.models import User
from organisations.models import Organisation
from organisations.selectors import organisation_coordinators, organisations_coordinated_by
from placements.models import Application
from programmes.models import Need
from programmes.teams import Rotation
from volunteers.selectors import volunteer_label


@dataclass
class Subject:
    application: Application | None = None
    need: Need | None = None
    rotation: Rotation | None = None

    @property
    def is_group(self) -> bool:
        return self.application is None

    @property
    def kind(self) -> str:
        return "group" if self.is_group else "application"

    @property
    def thread_lookup(self) -> dict:
        if self.application is not None:
            return {"application": self.application}
        if self.need is not None:
            return {"need": self.need}
        return {"rotation": self.rotation}

    @property
    def programme(self):
        if self.application is not None:
            return self.application.need.programme
        if self.need is not None:
            return self.need.programme
        return self.rotation.team.programme

    @property
    def title(self) -> str:
        if self.application is not None:
            return self.application.need.title
        if self.need is not None:
            return self.need.title
        return _("%(team)s, from %(start)s to %(end)s") % {
            "team": self.rotation.team.title,
            "start": date_format(self.rotation.start_date),
            "end": date_format(self.rotation.end_date),
        }

    @property
    def url(self) -> str:
        if self.application is not None:
            return reverse("conversations:application-thread", args=[self.application.pk])
        if self.need is not None:
            return reverse("conversations:need-thread", args=[self.need.pk])
        return reverse("conversations:rotation-thread", args=[self.rotation.pk])

    def applications(self) -> QuerySet[Application]:
        """The applications whose volunteers are in the thread, or were: for a group, every application to
        its need(s) (those no longer confirmed are still named as before, never by their account)."""
        if self.application is not None:
            return Application.objects.filter(pk=self.application.pk)
        if self.need is not None:
            return Application.objects.filter(need=self.need)
        return Application.objects.filter(need__team_slot__rotation=self.rotation)

    def confirmed(self) -> QuerySet[Application]:
        """The applications whose volunteers take part: the application itself, or everyone confirmed."""
        if self.application is not None:
            return self.applications()
        return self.applications().taking_place()

    @cached_property
    def volunteers(self) -> dict[int, tuple]:
        """user id -> (volunteer profile, application pk), for naming volunteers (volunteer_label)."""
        rows = list(self.applications().filter(volunteer__isnull=False).select_related("volunteer").order_by("pk"))
        # A volunteer who applied to a need again is named by the application the board shows them under:
        # the confirmed one, else the latest.
        rows.sort(key=lambda application: (application.status in Application.TAKING_PLACE_STATUSES, application.pk))
        return {application.volunteer.user_id: (application.volunteer, application.pk) for application in rows}

    def participants(self) -> list[User]:
        """Who is told of a new message: the volunteer(s) taking part and the lead organisation's
        coordinators and admins."""
        organisation_id = self.programme.lead_organisation_id
        people = {
            user.pk: user
            for user in organisation_coordinators(organisation_ids=[organisation_id]).get(organisation_id, [])
        }
        volunteers = self.confirmed().filter(volunteer__user__is_active=True).select_related("volunteer__user")
        for application in volunteers:
            people.setdefault(application.volunteer.user_id, application.volunteer.user)
        return list(people.values())

    def coordinated_by(self, user: User) -> bool:
        """A coordinator or admin of the lead organisation; site admins, who help every organisation."""
        organisation = self.programme.lead_organisation
        if organisation.status == Organisation.Status.ARCHIVED:
            return False
        return user.is_staff or organisations_coordinated_by(user=user).filter(pk=organisation.pk).exists()

    def volunteer_in(self, user: User) -> bool:
        return self.confirmed().filter(volunteer__user=user).exists()

    def readable_by(self, user: User) -> bool:
        if not user.is_authenticated:
            return False
        return self.volunteer_in(user) or self.coordinated_by(user)

    def namer(self, viewer: User) -> Callable[[User | None], str]:
        """How each author is named to `viewer`: a volunteer as coordinators see them (their name, or
        "Volunteer #n" unless they consented to be shown), the viewer as "You", anyone else by their name."""
        volunteers = self.volunteers

        def name(user: User | None) -> str:
            if user is None:
                return _("Someone whose account was erased")
            if user.pk == viewer.pk:
                return _("You")
            if user.pk in volunteers:
                profile, number = volunteers[user.pk]
                return volunteer_label(volunteer=profile, number=number)
            return user.display_name

        return name
