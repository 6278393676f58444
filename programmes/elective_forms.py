"""The elective fields of the coordinator's need form (shown in their own fieldset, saved with the need)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .electives import (
    DEFAULT_STUDENTS_PER_SUPERVISOR,
    MAX_STUDENTS_PER_SUPERVISOR,
    Elective,
    elective_for,
    supervisor_candidates,
    supervisor_label,
)
from .models import Need, Programme


class SupervisorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return supervisor_label(obj)


class ElectiveForm(forms.Form):
    """Whether the need is an elective, its on-site supervisor and how many students they take at a time.

    Named with the prefix "elective" so that its fields never clash with the need's.
    """

    is_elective = forms.BooleanField(
        label=_("This need is an elective for medical students or trainees"),
        required=False,
        help_text=_("Students need a letter from their home institution, and a supervisor on site."),
    )
    supervisor = SupervisorChoiceField(
        label=Elective._meta.get_field("supervisor").verbose_name,
        queryset=None,
        required=False,
        empty_label=_("Choose the supervisor"),
        help_text=Elective._meta.get_field("supervisor").help_text,
    )
    max_students = forms.IntegerField(
        label=Elective._meta.get_field("max_students").verbose_name,
        min_value=1,
        max_value=MAX_STUDENTS_PER_SUPERVISOR,
        initial=DEFAULT_STUDENTS_PER_SUPERVISOR,
        required=False,
        help_text=Elective._meta.get_field("max_students").help_text,
        widget=forms.NumberInput(attrs={"min": 1, "max": MAX_STUDENTS_PER_SUPERVISOR}),
    )

    def __init__(self, *args, programme: Programme, need: Need | None = None, **kwargs):
        kwargs.setdefault("prefix", "elective")
        elective = elective_for(need) if need is not None and need.pk else None
        if elective is not None:
            kwargs.setdefault(
                "initial",
                {"is_elective": True, "supervisor": elective.supervisor_id, "max_students": elective.max_students},
            )
        super().__init__(*args, **kwargs)
        # The host site is the lead organisation's own (programmes.services), so its members are the choice.
        self.fields["supervisor"].queryset = supervisor_candidates(need=need or Need(programme=programme))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_elective") and not cleaned.get("supervisor") and "supervisor" not in self.errors:
            self.add_error("supervisor", _("Name the student's on-site supervisor."))
        return cleaned
