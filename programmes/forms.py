"""Forms of the coordinator's workspace: sites, programmes and needs."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from globalir.forms import ModelMultipleChoiceField, https_by_default
from globalir.widgets import DateInput
from organisations.models import Organisation
from volunteers.models import REQUIRABLE_CREDENTIALS, Language, Skill, credential_requirement_label

from .models import Mode, Need, Programme, Site
from .selectors import site_duplicate_message, site_find_duplicate

# The coordinator's workspace. These forms check what was typed and say what to fix next to each
# field; the services in programmes.services do the writing (and check again).


class SiteForm(forms.ModelForm):
    """A hospital or institution the organisation manages."""

    class Meta:
        model = Site
        fields = list(Site.EDITABLE_FIELDS)
        formfield_callback = https_by_default
        labels = {"name": _("Name of the hospital or institution")}
        help_texts = {
            "website": _("Optional. For example https://hospital.example.org"),
            "description": _("Optional. What volunteers should know: departments, equipment, language spoken."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean(self):
        cleaned = super().clean()
        name, city, country = cleaned.get("name"), cleaned.get("city"), cleaned.get("country")
        if name and city and country:
            duplicate = site_find_duplicate(name=name, city=city, country=country, exclude_pk=self.instance.pk)
            if duplicate is not None:
                # Reported next to the name; the field's error also keeps the model's generic
                # uniqueness message from appearing a second time above the form.
                self.add_error("name", site_duplicate_message(duplicate))
        return cleaned


class ProgrammeForm(forms.ModelForm):
    """A programme led by the organisation named in the address (never chosen in the form)."""

    class Meta:
        model = Programme
        fields = list(Programme.EDITABLE_FIELDS)
        help_texts = {
            "summary": _("One or two sentences shown in lists."),
            "content_language": _(
                "The language you write the title, summary and description in. They are shown as written, never "
                "translated; its new needs start in this language."
            ),
            "countries": _("Where the programme works; remote needs are listed under these countries."),
            "sites": _("Your organisation's sites and shared ones. Add a missing site on the Sites page."),
            "start_date": _("Optional."),
            "end_date": _("Optional: leave empty for an ongoing programme."),
            "partners": _("Verified organisations working with you on this programme."),
        }
        field_classes = {"sites": ModelMultipleChoiceField, "partners": ModelMultipleChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "countries": forms.CheckboxSelectMultiple,
            "sites": forms.CheckboxSelectMultiple,
            "partners": forms.CheckboxSelectMultiple,
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        current_sites = self.instance.sites.all() if self.instance.pk else Site.objects.none()
        current_partners = self.instance.partners.all() if self.instance.pk else Organisation.objects.none()
        self.fields["sites"].queryset = Site.objects.filter(
            Q(organisation=organisation) | Q(organisation__isnull=True) | Q(pk__in=current_sites.values("pk"))
        ).order_by("country", "city", "name")
        self.fields["partners"].queryset = (
            Organisation.objects.filter(
                Q(status=Organisation.Status.VERIFIED) | Q(pk__in=current_partners.values("pk"))
            )
            .exclude(pk=organisation.pk)
            .order_by("name")
        )
        for name in ("sites", "partners"):
            self.fields[name].error_messages["invalid_choice"] = _(
                "%(value)s is not one you can choose here; pick from the list."
            )


class NeedForm(forms.ModelForm):
    """Every field of a need that a coordinator sets. Its status and programme never come from the form.

    ``Need.clean()`` checks the rules between fields (dates, duration, host site, remote hours,
    deadline); ModelForm puts each of its errors next to the field it names.
    """

    places = forms.IntegerField(
        label=capfirst(Need._meta.get_field("places").verbose_name),
        min_value=1,
        max_value=100,
        initial=1,
        widget=forms.NumberInput(attrs={"min": 1, "max": 100}),
        error_messages={
            "min_value": _("A need must offer at least one place."),
            "max_value": _("A need can offer at most 100 places: split larger requests into several needs."),
        },
    )

    required_credentials = forms.MultipleChoiceField(
        label=_("Other credentials required"),
        choices=[(kind, capfirst(credential_requirement_label(kind))) for kind in REQUIRABLE_CREDENTIALS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each must be verified and valid until the placement ends, or the offer cannot be made or accepted."
        ),
    )

    class Meta:
        model = Need
        fields = list(Need.EDITABLE_FIELDS)
        labels = {"requires_verified_credential": _("A verified licence to practise is required")}
        help_texts = {
            "description": _("What the partner asked for, what the volunteer will do, who they will work with."),
            "content_language": _(
                "The language you write the title and description in. They are shown as written, never translated, "
                "and volunteers can look for needs written in a language they read."
            ),
            "mode": _("On-site and hybrid needs name a host site; remote and hybrid needs give hours per week."),
            "host_site": _("For on-site and hybrid needs. Add a missing site on your organisation's Sites page."),
            "window_start": _("The earliest day a volunteer could start."),
            "window_end": _("The latest day the work can end."),
            "min_duration_days": _("The shortest stay or engagement that helps, in days."),
            "hours_per_week": _("For remote and hybrid needs."),
            "application_deadline": _("Optional: leave empty to take applications until the places are filled."),
            "support_notes": _("Optional. Anything else: stipend, insurance, childcare…"),
            "requires_verified_credential": _(
                "A licence, board certification or professional registration, verified and valid until the "
                "placement ends."
            ),
        }
        field_classes = {"required_skills": ModelMultipleChoiceField, "preferred_skills": ModelMultipleChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "support_notes": forms.Textarea(attrs={"rows": 3}),
            "required_skills": forms.CheckboxSelectMultiple,
            "preferred_skills": forms.CheckboxSelectMultiple,
            "required_languages": forms.CheckboxSelectMultiple,
            "mode": forms.RadioSelect,
            "min_duration_days": forms.NumberInput(attrs={"min": 1, "max": 730}),
            "hours_per_week": forms.NumberInput(attrs={"min": 0, "max": 60}),
            "min_years_experience": forms.NumberInput(attrs={"min": 0, "max": 40}),
            "window_start": DateInput(),
            "window_end": DateInput(),
            "application_deadline": DateInput(),
        }

    def __init__(self, *args, programme: Programme, author_language: str = "", **kwargs):
        kwargs.setdefault("instance", None)
        if kwargs["instance"] is None:
            kwargs["instance"] = Need(programme=programme)
        given = set(kwargs.get("initial") or ())
        super().__init__(*args, **kwargs)
        need = self.instance
        # Only the lead organisation's own sites; the need's current one stays choosable.
        sites = Q(organisation_id=programme.lead_organisation_id)
        if need.host_site_id:
            sites |= Q(pk=need.host_site_id)
        host_site = self.fields["host_site"]
        host_site.queryset = Site.objects.filter(sites).order_by("country", "city", "name")
        host_site.empty_label = _("No host site (remote needs only)")
        host_site.error_messages["invalid_choice"] = _(
            "Choose one of your organisation's sites; add yours on the Sites page if it is missing."
        )
        groups = self._host_site_groups(programme, host_site.queryset)
        self.has_host_sites = any(group for _, group in groups)
        self._offer_host_sites(groups)
        if need.pk is None:
            self._agreeing_defaults(groups, given=given)
            if "content_language" not in given:
                # Needs are most often written like their programme, else in the language their author reads.
                self.initial["content_language"] = programme.content_language or author_language
        # Active skills, and any retired skill the need already names (so saving does not drop it).
        current = Q(is_active=True)
        if need.pk:
            current |= Q(pk__in=need.required_skills.values("pk")) | Q(pk__in=need.preferred_skills.values("pk"))
        skills = Skill.objects.filter(current).order_by("category", "name")
        for name in ("required_skills", "preferred_skills"):
            self.fields[name].queryset = skills
        self.fields["required_languages"].queryset = Language.objects.order_by("name")

    @staticmethod
    def _host_site_groups(programme: Programme, sites) -> list[tuple[str, list[Site]]]:
        """The choosable sites in the order a coordinator looks for them: the programme's own, then
        those in the programme's countries, then the organisation's others (a Kenyan hospital is
        not the first offer for a programme in Uganda)."""
        own = set(programme.sites.values_list("pk", flat=True)) if programme.pk else set()
        countries = {country.code for country in programme.countries}
        programme_sites, in_countries, others = [], [], []
        for site in sites:
            if site.pk in own:
                programme_sites.append(site)
            elif site.country.code in countries:
                in_countries.append(site)
            else:
                others.append(site)
        return [
            (_("This programme's sites"), programme_sites),
            (_("In the programme's countries"), in_countries),
            (_("Your organisation's other sites"), others),
        ]

    def _offer_host_sites(self, groups: list[tuple[str, list[Site]]]) -> None:
        """The host site menu in the groups' order, under their headings when there is more than one."""
        field = self.fields["host_site"]
        iterator = field.iterator(field)
        filled = [(label, [iterator.choice(site) for site in group]) for label, group in groups if group]
        if len(filled) > 1:
            options = filled
        else:
            options = [choice for _, group in filled for choice in group]
        # Choosing still checks the value against the queryset; this only orders what is shown.
        field.choices = [("", field.empty_label), *options]

    def _agreeing_defaults(self, groups: list[tuple[str, list[Site]]], *, given: set[str]) -> None:
        """A new need starts with a mode and a host site that agree: the programme's one site (or
        the organisation's one site in the programme's countries) when there is exactly one, and
        remote work when the organisation has no site at all. A copied need keeps its own."""
        (_, programme_sites), (_, in_countries), _others = groups
        likely = programme_sites or in_countries
        if "host_site" not in given and len(likely) == 1:
            self.initial["host_site"] = likely[0].pk
        if "mode" not in given and not self.has_host_sites:
            self.initial["mode"] = Mode.REMOTE

    def _post_clean(self):
        # A field the form has already refused keeps only its own message: the model's clean() would
        # add a confusing second one (a refused host site reads as "no host site" to it).
        refused = {name: len(errors) for name, errors in self.errors.items() if name != NON_FIELD_ERRORS}
        super()._post_clean()
        for name, count in refused.items():
            del self.errors[name][count:]

    def skill_groups(self, name: str) -> list[tuple[str, list]]:
        """The checkboxes of the skills field ``name`` grouped by category, in the taxonomy's order."""
        groups: dict[str, list] = {}
        for checkbox in self[name]:
            groups.setdefault(checkbox.data["value"].instance.category, []).append(checkbox)
        return [(Skill.Category(category).label, groups[category]) for category in Skill.Category if category in groups]

    def required_skill_groups(self):
        return self.skill_groups("required_skills")

    def preferred_skill_groups(self):
        return self.skill_groups("preferred_skills")

    def clean(self):
        cleaned = super().clean()
        required, preferred = cleaned.get("required_skills"), cleaned.get("preferred_skills")
        if required is not None and preferred is not None:
            both = sorted({str(skill) for skill in required} & {str(skill) for skill in preferred})
            if both:
                self.add_error(
                    "preferred_skills",
                    _("%(skills)s is already required: tick it in one list only.") % {"skills": ", ".join(both)},
                )
        deadline = cleaned.get("application_deadline")
        if deadline and self.instance.status == Need.Status.OPEN and deadline < timezone.localdate():
            self.add_error("application_deadline", _("This deadline has already passed: choose today or a later day."))
        return cleaned
