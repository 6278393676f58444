"""The coordinator's workspace: sites, programmes and needs.

Each view parses, authorises with one access helper (outsiders get 404), calls one service or
selector of ``programmes.services`` / ``programmes.selectors`` and renders. A form that does not
validate is shown again with everything typed and a status of 400.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from globalir.forms import submitted_data
from globalir.views import form_add_refusal, paginate, redirect_back
from organisations.access import organisation_for_member
from organisations.models import Organisation

from .. import electives, selectors, services
from ..elective_forms import ElectiveForm
from ..forms import NeedForm, ProgrammeForm, SiteForm
from ..models import Need, Programme
from .access import need_for_coordinator, programme_for_coordinator, site_for_coordinator


def _add_need_errors(form: BaseForm, elective_form: BaseForm, error: ValidationError) -> None:
    """A refusal of a need saved with its elective fields: each message next to the field it names, on the
    form that has it."""
    if not hasattr(error, "error_dict"):
        form_add_refusal(form, error)
        return
    on_elective = {
        name: errors
        for name, errors in error.error_dict.items()
        if name in elective_form.fields and name not in form.fields
    }
    if on_elective:
        form_add_refusal(elective_form, ValidationError(on_elective))
    if rest := {name: errors for name, errors in error.error_dict.items() if name not in on_elective}:
        form_add_refusal(form, ValidationError(rest))


def _render_form(request, template: str, form: BaseForm, context: dict):
    return render(request, template, {"form": form, **context}, status=400 if form.is_bound else 200)


# The workspace


# The query parameter of an organisation's page of programmes in the workspace.
WORKSPACE_PAGE_PARAMETER = "programmes-{}"


@login_required
@require_safe
def workspace(request):
    prefix = WORKSPACE_PAGE_PARAMETER.format("")
    pages = {
        int(key.removeprefix(prefix)): int(value)
        for key, value in request.GET.items()
        if key.startswith(prefix) and key.removeprefix(prefix).isdigit() and value.isdigit() and len(value) < 9
    }
    entries = selectors.workspace_for_user(user=request.user, pages=pages)
    for entry in entries:
        parameter = WORKSPACE_PAGE_PARAMETER.format(entry.organisation.pk)
        entry.previous_url = _with_parameter(request, parameter, entry.page - 1)
        entry.next_url = _with_parameter(request, parameter, entry.page + 1)
    return render(request, "programmes/coordinate/workspace.html", {"entries": entries})


def _with_parameter(request, name: str, value: int) -> str:
    query = request.GET.copy()
    query[name] = str(value)
    return f"?{query.urlencode()}"


@login_required
@require_safe
@vary_on_headers("HX-Request")
def workspace_needs(request, pk):
    """A programme's first needs, fetched by the workspace (htmx) when the coordinator opens the programme.
    Without JavaScript the workspace links to the programme's page instead, where this address also leads."""
    programme = programme_for_coordinator(request, pk)
    if not request.headers.get("HX-Request"):
        return redirect("programmes:programme-detail", pk=programme.pk)
    return render(
        request,
        "programmes/coordinate/includes/workspace_needs.html",
        {"row": selectors.workspace_needs(programme=programme), "next_url": reverse("programmes:workspace")},
    )


# Sites


@login_required
@require_safe
def site_list(request, slug):
    organisation = organisation_for_member(request, slug)
    page, page_range = paginate(
        request, selectors.site_list_for_organisation(organisation=organisation), selectors.SITE_PAGE_SIZE
    )
    return render(
        request,
        "programmes/coordinate/site_list.html",
        {"organisation": organisation, "page_obj": page, "sites": page.object_list, "page_range": page_range},
    )


@login_required
def site_create(request, slug):
    organisation = organisation_for_member(request, slug)
    form = SiteForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_create(organisation=organisation, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            form_add_refusal(form, error)
        else:
            messages.success(request, _("“%(site)s” is listed as one of your sites.") % {"site": site.name})
            return redirect("programmes:site-list", slug=organisation.slug)
    return _render_form(request, "programmes/coordinate/site_form.html", form, {"organisation": organisation})


@login_required
def site_edit(request, pk):
    site = site_for_coordinator(request, pk)
    form = SiteForm(submitted_data(request), instance=site)
    if request.method == "POST" and form.is_valid():
        try:
            site = services.site_update(site=site, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            form_add_refusal(form, error)
        else:
            messages.success(request, _("“%(site)s” is saved.") % {"site": site.name})
            if site.organisation_id:
                return redirect("programmes:site-list", slug=site.organisation.slug)
            return redirect("programmes:workspace")
    return _render_form(
        request, "programmes/coordinate/site_form.html", form, {"organisation": site.organisation, "site": site}
    )


# Programmes


def _unverified_note(organisation: Organisation) -> str:
    return _("Its needs are listed publicly only once %(organisation)s is verified by the GlobalIR team.") % {
        "organisation": organisation
    }


@login_required
def programme_create(request, slug):
    organisation = organisation_for_member(request, slug)
    form = ProgrammeForm(submitted_data(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(organisation=organisation, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            form_add_refusal(form, error)
        else:
            messages.success(
                request,
                _("“%(programme)s” is saved as a draft. Add its needs, then publish it.")
                % {"programme": programme.title},
            )
            return redirect("programmes:programme-detail", pk=programme.pk)
    return _render_form(request, "programmes/coordinate/programme_form.html", form, {"organisation": organisation})


@login_required
@require_safe
def programme_detail(request, pk):
    programme = programme_for_coordinator(request, pk)
    page, page_range = paginate(
        request,
        selectors.programme_needs_for_coordinator(programme=programme),
        selectors.PROGRAMME_NEEDS_PAGE_SIZE,
    )
    return render(
        request,
        "programmes/coordinate/programme_detail.html",
        {
            "programme": programme,
            "organisation": programme.lead_organisation,
            "page_obj": page,
            "needs": page.object_list,
            "page_range": page_range,
        },
    )


@login_required
def programme_edit(request, pk):
    programme = programme_for_coordinator(request, pk)
    form = ProgrammeForm(submitted_data(request), instance=programme, organisation=programme.lead_organisation)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_update(programme=programme, data=form.cleaned_data, by=request.user)
        except ValidationError as error:
            form_add_refusal(form, error)
        else:
            messages.success(request, _("“%(programme)s” is saved.") % {"programme": programme.title})
            return redirect("programmes:programme-detail", pk=programme.pk)
    return _render_form(
        request,
        "programmes/coordinate/programme_form.html",
        form,
        {"organisation": programme.lead_organisation, "programme": programme},
    )


@login_required
@require_POST
def programme_publish(request, pk):
    programme = programme_for_coordinator(request, pk)
    try:
        changed = services.programmes_publish(programmes=[programme], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if not changed:
            messages.info(request, _("“%(programme)s” was already published.") % {"programme": programme.title})
        elif programme.lead_organisation.status != Organisation.Status.VERIFIED:
            messages.warning(
                request,
                _("“%(programme)s” is published.") % {"programme": programme.title}
                + " "
                + _unverified_note(programme.lead_organisation),
            )
        else:
            messages.success(
                request,
                _("“%(programme)s” is published: its open needs are listed for volunteers.")
                % {"programme": programme.title},
            )
    return redirect_back(request, reverse("programmes:programme-detail", kwargs={"pk": programme.pk}))


@login_required
@require_POST
def programme_close(request, pk):
    programme = programme_for_coordinator(request, pk)
    try:
        changed = services.programmes_close(programmes=[programme], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if changed:
            messages.success(
                request,
                _("“%(programme)s” is closed: its needs are no longer listed.") % {"programme": programme.title},
            )
        else:
            messages.info(request, _("“%(programme)s” was already closed.") % {"programme": programme.title})
    return redirect_back(request, reverse("programmes:programme-detail", kwargs={"pk": programme.pk}))


# Needs


def _need_listing_note(programme: Programme) -> str:
    """Why a need of this programme is not listed yet, if it is not."""
    if programme.status == Programme.Status.DRAFT:
        return _("It is listed for volunteers once the programme is published.")
    if programme.status == Programme.Status.CLOSED:
        return _("The programme is closed: publish it again to list its needs.")
    if programme.lead_organisation.status != Organisation.Status.VERIFIED:
        return _unverified_note(programme.lead_organisation)
    return ""


@login_required
def need_create(request, pk):
    programme = programme_for_coordinator(request, pk)
    initial = None
    copy_of = request.GET.get("copy", "")
    if request.method != "POST" and copy_of.isascii() and copy_of.isdecimal():
        # A copy whose dates had passed (see need_duplicate): the form starts from the original.
        source = need_for_coordinator(request, int(copy_of))
        if source.programme_id == programme.pk:
            initial = selectors.need_copy_initial(need=source)
    form = NeedForm(
        submitted_data(request), initial=initial, programme=programme, author_language=request.user.language
    )
    elective_form = ElectiveForm(submitted_data(request), programme=programme)
    if request.method == "POST" and all([form.is_valid(), elective_form.is_valid()]):
        try:
            need = electives.need_save_with_elective(
                programme=programme, data=form.cleaned_data, elective_data=elective_form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            _add_need_errors(form, elective_form, error)
        else:
            note = _need_listing_note(programme)
            message = _("“%(need)s” is posted.") % {"need": need.title}
            if note:
                messages.warning(request, f"{message} {note}")
            else:
                messages.success(request, f"{message} {_('Volunteers can apply now.')}")
            return redirect("programmes:programme-detail", pk=programme.pk)
    return _render_form(
        request,
        "programmes/coordinate/need_form.html",
        form,
        {
            "programme": programme,
            "organisation": programme.lead_organisation,
            "copying": initial is not None,
            "elective_form": elective_form,
        },
    )


@login_required
def need_edit(request, pk):
    need = need_for_coordinator(request, pk)
    programme = need.programme
    status_before = need.status
    form = NeedForm(submitted_data(request), instance=need, programme=programme)
    elective_form = ElectiveForm(submitted_data(request), programme=programme, need=need)
    if request.method == "POST" and all([form.is_valid(), elective_form.is_valid()]):
        try:
            need = electives.need_save_with_elective(
                need=need, data=form.cleaned_data, elective_data=elective_form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            _add_need_errors(form, elective_form, error)
        else:
            messages.success(request, _("“%(need)s” is saved.") % {"need": need.title})
            if need.status != status_before and need.status == Need.Status.FILLED:
                messages.info(request, _("Every place is now taken: the need is filled and no longer listed."))
            elif need.status != status_before and need.status == Need.Status.OPEN:
                messages.info(request, _("Places are free again: the need is open to applications."))
            return redirect("programmes:programme-detail", pk=programme.pk)
    return _render_form(
        request,
        "programmes/coordinate/need_form.html",
        form,
        {
            "programme": programme,
            "organisation": programme.lead_organisation,
            "need": need,
            "elective_form": elective_form,
        },
    )


@login_required
@require_POST
def need_duplicate(request, pk):
    need = need_for_coordinator(request, pk)
    try:
        copy = services.need_duplicate(need=need, by=request.user)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
        return redirect(f"{reverse('programmes:need-create', kwargs={'pk': need.programme_id})}?copy={need.pk}")
    messages.success(
        request,
        _("“%(copy)s” is a new open need with the same details. Check it, above all its title and dates.")
        % {"copy": copy.title},
    )
    return redirect("programmes:need-edit", pk=copy.pk)


@login_required
@require_POST
def need_close(request, pk):
    need = need_for_coordinator(request, pk)
    try:
        changed = services.need_status_change(needs=[need], change=services.NeedChange.CLOSE, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if changed:
            messages.success(request, _("“%(need)s” is closed to new applications.") % {"need": need.title})
        else:
            messages.info(request, _("“%(need)s” was already closed.") % {"need": need.title})
    return redirect_back(request, reverse("programmes:programme-detail", kwargs={"pk": need.programme_id}))


@login_required
@require_POST
def need_reopen(request, pk):
    need = need_for_coordinator(request, pk)
    try:
        changed = services.need_status_change(needs=[need], change=services.NeedChange.REOPEN, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if changed:
            messages.success(request, _("“%(need)s” is open to applications again.") % {"need": need.title})
        else:
            messages.info(request, _("“%(need)s” was already open.") % {"need": need.title})
    return redirect_back(request, reverse("programmes:programme-detail", kwargs={"pk": need.programme_id}))
