"""Forms of the volunteer's own pages: the onboarding steps (reused to edit the profile) and credentials.

Forms only check what the volunteer typed and say clearly what to fix; the services in
``volunteers.services`` do the writing.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from globalir.forms import ModelMultipleChoiceField
from globalir.regions import Region
from globalir.views import form_add_refusal
from globalir.widgets import DateInput, SuggestionsInput

from .models import Credential, Language, Proficiency, Skill, VolunteerProfile
from .selectors import volunteer_current_availability
from .validators import ACCEPT_ATTRIBUTE, MAX_DOCUMENT_SIZE, validate_credential_document

STEP_TITLES = {
    "about": _("You and your work"),
    "languages": _("Languages"),
    "skills": _("Skills"),
    "availability": _("How and when you can help"),
    "preferences": _("Preferences and consent"),
}


# Step 1: about your work


# Offered as the volunteer types their title; any other title is fine too.
TITLE_SUGGESTIONS = [_("Dr"), _("Prof"), _("Mr"), _("Mrs"), _("Ms"), _("Mx")]


class AboutForm(forms.ModelForm):
    class Meta:
        model = VolunteerProfile
        fields = ["name", "title", "profession", "career_stage", "years_experience", "home_country", "institution"]
        labels = {
            "name": _("Your name"),
            "title": _("Title"),
            "years_experience": _("Years of experience in your profession"),
            "home_country": _("Country where you live and work"),
            "institution": _("Hospital, university or employer"),
        }
        help_texts = {
            "name": _("What coordinators should call you, for example Amina Okafor."),
            "title": _("Optional, for example Dr or Prof."),
            "institution": _("Optional."),
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "title": SuggestionsInput(TITLE_SUGGESTIONS, attrs={"autocomplete": "honorific-prefix"}),
            "years_experience": forms.NumberInput(attrs={"min": 0, "max": 70}),
        }
        error_messages = {"name": {"required": _("Tell us your name: coordinators need to know what to call you.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Blank in the model for profiles made before they were asked; every volunteer gives them now.
        self.fields["home_country"].required = True
        self.fields["name"].required = True

    @staticmethod
    def _single_spaced(value: str) -> str:
        return " ".join(value.split())

    def clean_name(self):
        return self._single_spaced(self.cleaned_data["name"])

    def clean_title(self):
        return self._single_spaced(self.cleaned_data["title"])


# Step 2: languages


class LanguageForm(forms.Form):
    language = forms.ModelChoiceField(
        label=_("Language"), queryset=Language.objects.all(), required=True, empty_label=_("Choose a language")
    )
    proficiency = forms.TypedChoiceField(
        label=_("Level"), choices=Proficiency.choices, coerce=int, initial=Proficiency.WORKING
    )


# However many rows a hand-made request claims, at most this many are built and shown (DoS protection;
# nobody works in more languages or gives more periods at once).
MAX_FORMSET_ROWS = 20


class BaseLanguageFormSet(forms.BaseFormSet):
    default_error_messages = {"too_many_forms": _("Give at most %(num)d languages at a time.")}

    def clean(self):
        if any(self.errors):
            return
        chosen = [form.cleaned_data for form in self.forms if form.cleaned_data and not self._should_delete_form(form)]
        if not chosen:
            raise forms.ValidationError(_("Add at least one language you can work in."), code="no_language")
        seen = set()
        for row in chosen:
            if row["language"].pk in seen:
                raise forms.ValidationError(
                    _("%(language)s is listed twice: keep it once, with your best level.")
                    % {"language": row["language"]},
                    code="duplicate_language",
                )
            seen.add(row["language"].pk)

    @property
    def languages(self) -> list[tuple[Language, int]]:
        return [
            (form.cleaned_data["language"], form.cleaned_data["proficiency"])
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]


LanguageFormSet = forms.formset_factory(
    LanguageForm,
    formset=BaseLanguageFormSet,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
    max_num=MAX_FORMSET_ROWS,
    absolute_max=MAX_FORMSET_ROWS,
)


# Step 3: skills


class SkillsForm(forms.Form):
    skills = ModelMultipleChoiceField(
        label=_("Skills"),
        queryset=Skill.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick everything you could teach, do or support. You can change this at any time."),
    )

    def skill_groups(self) -> list[tuple[str, list]]:
        """The skill checkboxes grouped by category, in the taxonomy's order."""
        groups: dict[str, list] = {}
        for checkbox in self["skills"]:
            groups.setdefault(checkbox.data["value"].instance.category, []).append(checkbox)
        return [(Skill.Category(category).label, groups[category]) for category in Skill.Category if category in groups]


# Step 4: modes and availability windows


class ModesForm(forms.Form):
    offers_onsite = forms.BooleanField(
        label=_("On site: I can travel to work alongside a partner's team"), required=False
    )
    offers_remote = forms.BooleanField(
        label=_("Remotely: teaching, reporting, mentoring or advice from where I am"), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("offers_onsite") or cleaned.get("offers_remote")):
            raise forms.ValidationError(
                _("Choose at least one way you can help: on site, remotely or both."), code="no_mode"
            )
        return cleaned


class AvailabilityWindowForm(forms.Form):
    start_date = forms.DateField(label=_("From"), widget=DateInput())
    end_date = forms.DateField(label=_("Until"), widget=DateInput())
    hours_per_week = forms.IntegerField(
        label=_("Hours per week for remote work"),
        min_value=0,
        max_value=80,
        required=False,
        help_text=_("Needed if you offer remote work."),
    )

    def __init__(self, *args, offers_remote: bool = False, **kwargs):
        self.offers_remote = offers_remote
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            if end < start:
                self.add_error("end_date", _("The end date cannot be before the start date."))
            elif end < timezone.localdate():
                self.add_error("end_date", _("This period is already over: give dates from today onwards."))
        if self.offers_remote and not cleaned.get("hours_per_week") and "hours_per_week" not in self.errors:
            self.add_error(
                "hours_per_week", _("You offer remote work: say how many hours a week you can give in this period.")
            )
        return cleaned


class BaseAvailabilityFormSet(forms.BaseFormSet):
    default_error_messages = {"too_many_forms": _("Give at most %(num)d periods at a time.")}

    def clean(self):
        if any(self.errors):
            return
        if not self.windows:
            raise forms.ValidationError(_("Add at least one period when you are available."), code="no_window")

    @property
    def windows(self) -> list[tuple[datetime.date, datetime.date, int]]:
        return [
            (row["start_date"], row["end_date"], row.get("hours_per_week") or 0)
            for row in (form.cleaned_data for form in self.forms if not self._should_delete_form(form))
            if row
        ]


AvailabilityFormSet = forms.formset_factory(
    AvailabilityWindowForm,
    formset=BaseAvailabilityFormSet,
    extra=2,
    can_delete=True,
    can_delete_extra=False,
    max_num=MAX_FORMSET_ROWS,
    absolute_max=MAX_FORMSET_ROWS,
)


# Step 5: preferences and consent


class PreferencesForm(forms.Form):
    preferred_regions = forms.MultipleChoiceField(
        label=_("Regions where you would most like to help"),
        choices=Region.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave them all unticked if you have no preference."),
    )
    bio = forms.CharField(
        label=_("Short bio"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        required=False,
        help_text=_("A few lines for coordinators: your experience, what you enjoy teaching, what you hope to do."),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the coordinators of needs I apply to, or that I am suggested for, may see my profile "
            "and credentials."
        ),
        required=True,
        error_messages={
            "required": _(
                "Tick the box to agree to be shown to the coordinators of needs you apply to or are suggested "
                "for: they cannot consider you without it."
            )
        },
        help_text=_("Your profile is never public: nobody else can see it."),
    )

    def __init__(self, *args, asks_consent: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not asks_consent:
            # Once onboarded, consent is given and withdrawn on its own page (ConsentForm), where the
            # volunteer reads what it changes: editing preferences leaves it as it is.
            del self.fields["consent"]


class ConsentForm(forms.Form):
    """Giving consent again after withdrawing it: the same words as in the wizard."""

    consent = PreferencesForm.base_fields["consent"]


# One step = a main form and, for some steps, a formset. The view only deals with StepForms.


@dataclass
class StepForms:
    step: str
    form: forms.Form
    formset: forms.BaseFormSet | None = None

    def is_valid(self) -> bool:
        # Validate both so that every mistake is shown at once.
        form_valid = self.form.is_valid()
        formset_valid = self.formset.is_valid() if self.formset is not None else True
        return form_valid and formset_valid

    @property
    def data(self) -> dict[str, Any]:
        """What the service needs to save this step."""
        if self.step == "languages":
            return {"languages": self.formset.languages}
        if self.step == "availability":
            return {**self.form.cleaned_data, "windows": self.formset.windows}
        return dict(self.form.cleaned_data)

    def add_error(self, error: forms.ValidationError) -> None:
        form_add_refusal(self.form, error)

    @property
    def has_errors(self) -> bool:
        form_errors = self.form.is_bound and bool(self.form.errors)
        formset_errors = self.formset is not None and self.formset.is_bound and not self.formset.is_valid()
        return form_errors or formset_errors


def onboarding_step_forms(step: str, *, profile: VolunteerProfile | None, data=None) -> StepForms:
    """The forms of one onboarding step, filled from the profile (or bound to ``data`` when posted)."""
    if step == "about":
        return StepForms(step, AboutForm(data, instance=profile))
    if step == "languages":
        initial = [
            {"language": row.language_id, "proficiency": row.proficiency}
            for row in profile.languages.all().order_by("-proficiency", "language__name")
        ]
        formset = LanguageFormSet(data, initial=initial, prefix="languages")
        if not initial:
            formset.extra = 3
        # A message-only form keeps StepForms uniform; the formset carries the fields.
        return StepForms(step, forms.Form(data), formset)
    if step == "skills":
        return StepForms(step, SkillsForm(data, initial={"skills": list(profile.skills.values_list("pk", flat=True))}))
    if step == "availability":
        modes = ModesForm(
            data, initial={"offers_onsite": profile.offers_onsite, "offers_remote": profile.offers_remote}
        )
        # Hours per week are needed when remote work is offered in what was just sent (or, on a fresh
        # page, on the profile).
        offers_remote = (
            forms.CheckboxInput().value_from_datadict(data, {}, "offers_remote")
            if data is not None
            else profile.offers_remote
        )
        initial = [
            {"start_date": window.start_date, "end_date": window.end_date, "hours_per_week": window.hours_per_week}
            for window in volunteer_current_availability(profile=profile)
        ]
        formset = AvailabilityFormSet(
            data, initial=initial, prefix="windows", form_kwargs={"offers_remote": offers_remote}
        )
        if not initial:
            formset.extra = 1 if profile.onboarding_completed_at is None else 2
        return StepForms(step, modes, formset)
    if step == "preferences":
        return StepForms(
            step,
            PreferencesForm(
                data,
                initial={
                    "preferred_regions": profile.preferred_regions,
                    "bio": profile.bio,
                    "consent": profile.consent_to_share,
                },
                asks_consent=profile.onboarding_completed_at is None,
            ),
        )
    raise ValueError(f"Unknown onboarding step: {step!r}")


# Credentials


def _document_help_text() -> str:
    return gettext("A scan or photo: PDF, JPEG or PNG, at most %(size)s MB.") % {"size": MAX_DOCUMENT_SIZE // 2**20}


class CredentialForm(forms.ModelForm):
    document = forms.FileField(
        label=_("Document"),
        # Formatted when shown, in the reader's language (not once, in English, when the module loads).
        help_text=lazy(_document_help_text, str)(),
        validators=[validate_credential_document],
        widget=forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        error_messages={
            "required": _("Choose the scan or photo of your document."),
            "empty": _("The file is empty. Choose the scan or photo of your document again."),
        },
    )

    class Meta:
        model = Credential
        fields = ["kind", "title", "issuing_body", "issuing_country", "number", "issued_on", "expires_on"]
        widgets = {"issued_on": DateInput(), "expires_on": DateInput()}
        help_texts = {"expires_on": _("Leave empty if it does not expire.")}

    def clean_issued_on(self):
        issued_on = self.cleaned_data.get("issued_on")
        if issued_on and issued_on > timezone.localdate():
            raise forms.ValidationError(_("The issue date cannot be in the future."), code="future")
        return issued_on

    def clean_expires_on(self):
        expires_on = self.cleaned_data.get("expires_on")
        if expires_on and expires_on < timezone.localdate():
            raise forms.ValidationError(
                _("This credential has already expired: upload the current one."), code="expired"
            )
        return expires_on

    @property
    def credential_data(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "document"}
