"""The volunteer's own profile: onboarding wizard, profile editing and credentials.

Every page here is about the signed-in user's own data; nobody else's profile or credential
is ever reachable from these views.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from globalir.regions import Region
from globalir.views import form_add_refusal

from . import selectors, services
from .forms import STEP_TITLES, ConsentForm, CredentialForm, onboarding_step_forms
from .services import ONBOARDING_STEPS


def _progress(*, current: str, reached: int, editing: bool) -> list[dict]:
    """One entry per step for the progress list: saved steps are links, later ones plain text."""
    return [
        {
            "slug": slug,
            "number": number,
            "title": STEP_TITLES[slug],
            "current": slug == current,
            "done": number <= reached,
            "reachable": editing or number <= reached + 1,
        }
        for number, slug in enumerate(ONBOARDING_STEPS, start=1)
    ]


@login_required
def onboarding(request, step=None):
    profile = selectors.volunteer_profile_for_user(user=request.user)
    editing = profile is not None and profile.onboarding_completed_at is not None
    next_step = services.onboarding_next_step(profile=profile)
    if step is None:
        if editing:
            return redirect("volunteers:profile")
        # Resume where the volunteer left off; after the last saved step, back to the last one.
        return redirect("volunteers:onboarding-step", step=next_step or ONBOARDING_STEPS[-1])
    if step not in ONBOARDING_STEPS:
        raise Http404
    number = ONBOARDING_STEPS.index(step) + 1
    reached = profile.onboarding_step if profile is not None else 0
    if not editing and number > reached + 1:
        # Steps are filled in order: a later step waits until the ones before it are saved.
        return redirect("volunteers:onboarding-step", step=next_step)

    if request.method == "POST":
        step_forms = onboarding_step_forms(step, profile=profile, data=request.POST)
        if step_forms.is_valid():
            try:
                profile = services.profile_save_step(user=request.user, step=step, data=step_forms.data)
                finishing = not editing and step == ONBOARDING_STEPS[-1]
                if finishing:
                    services.profile_complete(profile=profile)
            except ValidationError as error:
                step_forms.add_error(error)
            else:
                if editing:
                    messages.success(request, _("Your profile has been saved."))
                    return redirect("volunteers:profile")
                if finishing:
                    messages.success(
                        request,
                        _("Welcome to GlobalIR! Your profile is complete: you can now apply to opportunities."),
                    )
                    return redirect("placements:dashboard")
                return redirect("volunteers:onboarding-step", step=ONBOARDING_STEPS[number])
    else:
        step_forms = onboarding_step_forms(step, profile=profile)

    return render(
        request,
        "volunteers/onboarding_step.html",
        {
            "step": step,
            "step_title": STEP_TITLES[step],
            "step_number": number,
            "step_count": len(ONBOARDING_STEPS),
            "previous_step": ONBOARDING_STEPS[number - 2] if number > 1 else None,
            "is_last_step": step == ONBOARDING_STEPS[-1],
            "progress": _progress(current=step, reached=reached, editing=editing),
            "editing": editing,
            "form": step_forms.form,
            "formset": step_forms.formset,
            "has_errors": step_forms.has_errors,
        },
    )


@login_required
@require_safe
def profile_edit(request):
    profile = selectors.volunteer_profile_detail(user=request.user)
    if profile is None or profile.onboarding_completed_at is None:
        messages.info(request, _("Finish setting up your volunteer profile first."))
        return redirect("volunteers:onboarding")
    return render(
        request,
        "volunteers/profile.html",
        {
            "profile": profile,
            "step_titles": STEP_TITLES,
            "regions": [Region(code).label for code in profile.preferred_regions if code in Region.values],
            "credential_rows": selectors.credential_rows(profile=profile),
        },
    )


@login_required
def consent(request):
    """Who can see the profile: withdraw consent to be shown to coordinators, or give it again.

    The page says what changes before the volunteer acts, so withdrawing needs no further step;
    giving consent is a box to tick, as in the wizard.
    """
    profile = selectors.volunteer_profile_for_user(user=request.user)
    if profile is None or profile.onboarding_completed_at is None:
        messages.info(request, _("Finish setting up your volunteer profile first."))
        return redirect("volunteers:onboarding")
    form = ConsentForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "withdraw":
            if profile.consent_to_share:
                services.profile_consent_withdraw(profile=profile)
                messages.success(
                    request,
                    _(
                        "You have withdrawn your consent. Coordinators now see you only as a number and cannot "
                        "open your credentials."
                    ),
                )
            return redirect("volunteers:consent")
        if action == "give":
            form = ConsentForm(request.POST)
            if form.is_valid():
                if not profile.consent_to_share:
                    services.profile_consent_give(profile=profile)
                    messages.success(
                        request,
                        _("Thank you. The coordinators of needs you apply to or are suggested for can see you again."),
                    )
                return redirect("volunteers:consent")
        else:
            messages.error(request, _("Choose whether to withdraw your consent or give it."))
            return redirect("volunteers:consent")
    return render(
        request,
        "volunteers/consent.html",
        {"profile": profile, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def credential_list(request):
    profile = selectors.volunteer_profile_for_user(user=request.user)
    if profile is None:
        messages.info(request, _("Set up your volunteer profile first, then add your credentials."))
        return redirect("volunteers:onboarding")
    if request.method == "POST":
        form = CredentialForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.credential_upload(
                    profile=profile, data=form.credential_data, document=form.cleaned_data["document"]
                )
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                messages.success(
                    request, _("Thank you. Your credential has been uploaded and is waiting for verification.")
                )
                return redirect("volunteers:credentials")
    else:
        form = CredentialForm()
    rows = selectors.credential_rows(profile=profile)
    return render(
        request,
        "volunteers/credentials.html",
        {
            "form": form,
            "rows": rows,
            "attention_rows": [row for row in rows if row.needs_attention],
            "warning_days": selectors.EXPIRY_WARNING_DAYS,
        },
    )


@login_required
@require_POST
def credential_delete(request, pk):
    credential = get_object_or_404(selectors.credential_owned_queryset(user=request.user), pk=pk)
    title = credential.title
    services.credential_delete(credential=credential, by=request.user)
    messages.success(request, _("“%(title)s” has been deleted, with its document.") % {"title": title})
    return redirect("volunteers:credentials")
