"""The form of a programme's pre-departure checklist template: one row per step, to add, edit, remove and
reorder (a formset)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .checklist_templates import MAX_DAYS_BEFORE_START, ChecklistAppliesTo, ChecklistWho

MAX_STEPS = 40


class ChecklistStepForm(forms.Form):
    title = forms.CharField(label=_("What must be done"), max_length=200)
    who_acts = forms.ChoiceField(label=_("Who does it"), choices=ChecklistWho.choices)
    days_before_start = forms.IntegerField(
        label=_("Days before the start"),
        min_value=0,
        max_value=MAX_DAYS_BEFORE_START,
        error_messages={
            "max_value": _("At most %(limit_value)s days before the start."),
            "min_value": _("Count the days before the start: 0 or more."),
        },
    )
    needs_document = forms.BooleanField(label=_("A document is needed"), required=False)
    applies_to = forms.ChoiceField(label=_("Applies to"), choices=ChecklistAppliesTo.choices)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def has_changed(self) -> bool:
        # A row without a title is an empty row, left out (its menus always send a value).
        return bool((self.data.get(self.add_prefix("title")) or "").strip())


class BaseChecklistStepFormSet(forms.BaseFormSet):
    def _construct_form(self, i, **kwargs):
        # Any row may be left empty (a step removed by clearing its title), not only the extra ones.
        return super()._construct_form(i, **{**kwargs, "empty_permitted": True, "use_required_attribute": False})

    def steps(self) -> list[dict]:
        """The rows kept, in the order asked for (ORDER, then as listed), blank extra rows left out."""
        kept = [
            form
            for form in self.forms
            if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda form: (form.cleaned_data.get("ORDER") is None, form.cleaned_data.get("ORDER") or 0))
        return [form.cleaned_data for form in kept]


ChecklistStepFormSet = forms.formset_factory(
    ChecklistStepForm,
    formset=BaseChecklistStepFormSet,
    extra=1,
    can_delete=True,
    can_order=True,
    max_num=MAX_STEPS,
    validate_max=True,
)
