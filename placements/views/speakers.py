"""The Speakers Bureau: coordinators search speakers and invite them; speakers answer their invitations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from globalir.forms import submitted_data
from organisations.access import organisation_for_member
from volunteers.speaker_selectors import speaker_card, speaker_listed_by_pk, speaker_search

from .. import speaking
from ..speaking_forms import SpeakingInvitationForm, TalkDeclineForm


def _organisation_for_bureau(request, slug: str):
    """The organisation, if the signed-in user coordinates it and it may use the bureau (verified)."""
    organisation = organisation_for_member(request, slug)
    if not speaking.talk_can_be_sent_by(user=request.user, organisation=organisation):
        raise PermissionDenied(_("The Speakers Bureau opens once your organisation is verified."))
    return organisation


@login_required
@require_safe
def speaker_list(request, slug):
    organisation = _organisation_for_bureau(request, slug)
    search = speaker_search(data=request.GET, page_number=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "placements/speakers/speaker_list.html",
        {
            "organisation": organisation,
            "search": search,
            "filter": search.filter,
            "page_obj": search.page,
            "page_range": search.page_range,
            "query": query.urlencode(),
        },
    )


@login_required
def speaker_invite(request, slug, pk):
    organisation = _organisation_for_bureau(request, slug)
    speaker = speaker_listed_by_pk(pk=pk)
    if speaker is None:
        raise Http404
    form = SpeakingInvitationForm(submitted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            speaking.speaking_invitation_send(
                organisation=organisation, speaker=speaker, by=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Your invitation has been sent to %(speaker)s.") % {"speaker": speaker.profile.display_name},
            )
            return redirect("placements:talk-list", slug=organisation.slug)
    return render(
        request,
        "placements/speakers/speaker_invite.html",
        {"organisation": organisation, "card": speaker_card(speaker), "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_safe
def talk_list(request, slug):
    organisation = _organisation_for_bureau(request, slug)
    return render(
        request,
        "placements/speakers/talk_list.html",
        {"organisation": organisation, "invitations": speaking.talks_of_organisation(organisation=organisation)},
    )


def _own_talk(request, pk):
    invitation = speaking.talk_for_speaker(user=request.user, pk=pk)
    if invitation is None:
        raise Http404
    return invitation


@login_required
@require_safe
def talk_detail(request, pk):
    invitation = _own_talk(request, pk)
    return render(
        request,
        "placements/speakers/talk_detail.html",
        {"invitation": invitation, "decline_form": TalkDeclineForm()},
    )


@login_required
@require_POST
def talk_accept(request, pk):
    invitation = _own_talk(request, pk)
    try:
        speaking.speaking_invitation_accept(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("You accepted to speak at “%(event)s”. It is in your placements and your calendar.")
            % {"event": invitation.event},
        )
    return redirect("placements:talk-detail", pk=invitation.pk)


@login_required
@require_POST
def talk_decline(request, pk):
    invitation = _own_talk(request, pk)
    form = TalkDeclineForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        speaking.speaking_invitation_decline(invitation=invitation, by=request.user, reason=reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You declined the invitation. The organisation has been told."))
    return redirect("placements:talk-detail", pk=invitation.pk)
