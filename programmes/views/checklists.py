"""A programme's pre-departure checklist template, edited by its coordinators (add, edit, remove, reorder).

Access as for the programme: the lead organisation's coordinators and site admins; outsiders get 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import checklist_template_services
from ..checklist_forms import ChecklistStepFormSet
from .access import programme_for_coordinator


@login_required
def checklist_template(request, pk):
    programme = programme_for_coordinator(request, pk)
    items = checklist_template_services.checklist_template_items(programme=programme)
    if request.method == "POST":
        formset = ChecklistStepFormSet(request.POST, prefix="steps")
        if formset.is_valid():
            try:
                count = checklist_template_services.checklist_template_replace(
                    programme=programme, rows=formset.steps(), by=request.user
                )
            except ValidationError as error:
                formset._non_form_errors = formset.error_class(error.messages)
            else:
                if count:
                    messages.success(request, _("The checklist template is saved."))
                else:
                    messages.success(request, _("The template is empty: new placements get the default checklist."))
                return redirect("programmes:checklist-template", pk=programme.pk)
        status = 400
    else:
        initial = (
            [
                {
                    "title": item.title,
                    "who_acts": item.who_acts,
                    "days_before_start": item.days_before_start,
                    "needs_document": item.needs_document,
                    "applies_to": item.applies_to,
                    "ORDER": position + 1,
                }
                for position, item in enumerate(items)
            ]
            if items
            else [
                {**row, "ORDER": position + 1}
                for position, row in enumerate(checklist_template_services.checklist_template_initial())
            ]
        )
        formset = ChecklistStepFormSet(initial=initial, prefix="steps")
        status = 200
    return render(
        request,
        "programmes/checklists/template.html",
        {"programme": programme, "formset": formset, "uses_defaults": not items},
        status=status,
    )
