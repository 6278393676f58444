"""The volunteer's speaker profile: opting in to the Speakers Bureau and choosing what it shows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from globalir.forms import submitted_data

from . import selectors, speaker_selectors, speaker_services
from .speaker_forms import SpeakerProfileForm


@login_required
def speaker_profile(request):
    profile = selectors.volunteer_profile_for_user(user=request.user)
    if profile is None or profile.onboarding_completed_at is None:
        messages.info(request, _("Finish setting up your volunteer profile first."))
        return redirect("volunteers:onboarding")
    speaker = speaker_selectors.speaker_profile_for(profile=profile)
    if request.method == "POST" and request.POST.get("action") == "delete":
        if speaker_services.speaker_profile_delete(profile=profile):
            messages.success(request, _("Your speaker profile has been deleted. You are no longer in the bureau."))
        return redirect("volunteers:speaker")
    form = SpeakerProfileForm(submitted_data(request), instance=speaker)
    if request.method == "POST" and form.is_valid():
        speaker = speaker_services.speaker_profile_save(profile=profile, data=form.cleaned_data)
        if speaker.is_listed:
            messages.success(request, _("Your speaker profile has been saved. Coordinators can find you."))
        else:
            messages.success(request, _("Your speaker profile has been saved. You are not listed in the bureau."))
        return redirect("volunteers:speaker")
    card = None
    if speaker is not None and speaker.is_listed:
        listed = speaker_selectors.speaker_listed_by_pk(pk=speaker.pk)
        card = speaker_selectors.speaker_card(listed) if listed else None
    return render(
        request,
        "volunteers/speaker_profile.html",
        {"profile": profile, "speaker": speaker, "form": form, "card": card},
        status=400 if form.is_bound else 200,
    )
