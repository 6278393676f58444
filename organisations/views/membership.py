"""Organisation onboarding: asking to list an organisation, its members and invitations.

Anyone signed in may ask to list an organisation and follow their requests. An organisation's
admins (and site admins) manage its members; its coordinators get 403, outsiders 404
(``organisation_for_member``). An invitation link works for whoever holds it until it is used,
withdrawn or expires, but only joins an account that has confirmed the invited address.
"""

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from globalir.views import form_add_refusal, paginate

from .. import selectors, services
from ..access import organisation_for_member
from ..forms import InvitationForm, MemberRoleForm, OrganisationRequestForm
from ..models import Invitation, Membership, Organisation

REQUESTS_PAGE_SIZE = 20
MEMBERS_PAGE_SIZE = 50


# Asking to list an organisation


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def organisation_request(request):
    """Ask to list an organisation; with ?resubmit=<id>, correct a rejected request and send it again."""
    organisation = None
    resubmit = request.GET.get("resubmit")
    if resubmit is not None:
        if not (resubmit.isascii() and resubmit.isdecimal()):
            raise Http404
        organisation = get_object_or_404(
            selectors.organisation_requests_for(user=request.user).filter(status=Organisation.Status.REJECTED),
            pk=int(resubmit),
        )
    # Kept before the form binds: a bound ModelForm writes what was typed into its instance.
    rejected = (
        {"name": str(organisation), "reason": organisation.rejection_reason} if organisation is not None else None
    )
    if request.method == "POST":
        form = OrganisationRequestForm(request.POST, instance=organisation)
        if form.is_valid():
            try:
                if organisation is None:
                    requested = services.organisation_request(user=request.user, data=form.cleaned_data)
                else:
                    requested = services.organisation_resubmit(
                        organisation=organisation, user=request.user, data=form.cleaned_data
                    )
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: your request to list %(name)s has been sent to the GlobalIR team. "
                        "We will e-mail you when they have decided."
                    )
                    % {"name": requested},
                )
                return redirect("organisations:organisation-request-list")
    else:
        # A new request's description is most likely written in the language its author reads the portal in.
        initial = {"content_language": request.user.language} if organisation is None else None
        form = OrganisationRequestForm(instance=organisation, initial=initial)
    pending_count = (
        selectors.organisation_requests_for(user=request.user).filter(status=Organisation.Status.PENDING).count()
    )
    return render(
        request,
        "organisations/organisation_request.html",
        {
            "form": form,
            "rejected": rejected,
            "pending_count": pending_count,
            "pending_limit": services.MAX_PENDING_REQUESTS,
            "at_limit": pending_count >= services.MAX_PENDING_REQUESTS,
        },
    )


@login_required
@require_safe
def organisation_request_list(request):
    page, page_range = paginate(request, selectors.organisation_requests_for(user=request.user), REQUESTS_PAGE_SIZE)
    return render(
        request,
        "organisations/organisation_request_list.html",
        {"page_obj": page, "requests": page.object_list, "page_range": page_range},
    )


# Members and invitations (organisation admins and site admins)


def _members_page(request, organisation: Organisation, *, invite_form: InvitationForm):
    page, page_range = paginate(
        request, selectors.organisation_member_list(organisation=organisation), MEMBERS_PAGE_SIZE
    )
    return render(
        request,
        "organisations/member_list.html",
        {
            "organisation": organisation,
            "page_obj": page,
            "memberships": page.object_list,
            "page_range": page_range,
            "admin_count": organisation.memberships.admins().count(),
            "role_choices": Membership.Role.choices,
            "invitations": selectors.organisation_pending_invitations(organisation=organisation),
            "invite_form": invite_form,
            "invitation_days": settings.INVITATION_DAYS,
        },
    )


@login_required
@require_safe
def member_list(request, slug):
    organisation = organisation_for_member(request, slug, admin=True)
    return _members_page(request, organisation, invite_form=InvitationForm())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_create(request, slug):
    """The members page with its invitation form; POST sends the invitation."""
    organisation = organisation_for_member(request, slug, admin=True)
    if request.method != "POST":
        return _members_page(request, organisation, invite_form=InvitationForm())
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except ValidationError as error:
            form_add_refusal(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Invitation sent to %(email)s. The link works for %(days)d day.",
                    "Invitation sent to %(email)s. The link works for %(days)d days.",
                    settings.INVITATION_DAYS,
                )
                % {"email": invitation.email, "days": settings.INVITATION_DAYS},
            )
            return redirect("organisations:member-list", slug=organisation.slug)
    return _members_page(request, organisation, invite_form=form)


@login_required
@require_POST
def member_role(request, slug, pk):
    organisation = organisation_for_member(request, slug, admin=True)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organisation=organisation)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role: programme coordinator or organisation admin."))
        return redirect("organisations:member-list", slug=organisation.slug)
    try:
        membership = services.membership_role_change(
            membership=membership, role=form.cleaned_data["role"], by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now: %(role)s.")
            % {"name": membership.user.display_name, "role": membership.get_role_display()},
        )
    return redirect("organisations:member-list", slug=organisation.slug)


@login_required
@require_POST
def member_remove(request, slug, pk):
    organisation = organisation_for_member(request, slug, admin=True)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organisation=organisation)
    leaving = membership.user_id == request.user.pk
    try:
        services.membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("organisations:member-list", slug=organisation.slug)
    if leaving and not request.user.is_staff:
        messages.success(request, _("You have left %(organisation)s.") % {"organisation": organisation})
        return redirect("programmes:workspace")
    messages.success(
        request,
        _("%(name)s is no longer a member of %(organisation)s.")
        % {"name": membership.user.display_name, "organisation": organisation},
    )
    return redirect("organisations:member-list", slug=organisation.slug)


@login_required
@require_POST
def invitation_revoke(request, slug, pk):
    organisation = organisation_for_member(request, slug, admin=True)
    invitation = get_object_or_404(Invitation, pk=pk, organisation=organisation)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The invitation to %(email)s was withdrawn: its link no longer works.") % {"email": invitation.email},
        )
    return redirect("organisations:member-list", slug=organisation.slug)


# Accepting an invitation (the link in the e-mail)

REFUSAL_STATUS = {"unknown": 404, "wrong_email": 403}


def _invitation_page(request, invitation: Invitation | None, *, error: ValidationError | None = None):
    refusal = selectors.invitation_refusal(invitation=invitation)
    if refusal is not None:
        error = refusal
    email_confirmed = refusal is None and selectors.invitation_email_confirmed(invitation=invitation, user=request.user)
    status = 200 if error is None else REFUSAL_STATUS.get(error.code, 410)
    return render(
        request,
        "organisations/invitation_accept.html",
        {
            "invitation": None if refusal is not None and refusal.code == "unknown" else invitation,
            "usable": refusal is None,
            "error": error,
            "email_confirmed": email_confirmed,
            "back_here": request.path,
        },
        status=status,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request, token):
    invitation = selectors.invitation_by_token(token=token)
    if request.method != "POST":
        if not request.user.is_authenticated and selectors.invitation_refusal(invitation=invitation) is None:
            # The link reached this visitor through the invited address: signing up with that
            # address needs no second confirmation e-mail (allauth marks it verified).
            get_adapter(request).stash_verified_email(request, invitation.email)
        return _invitation_page(request, invitation)
    if not request.user.is_authenticated:
        return redirect_to_login(request.path)
    try:
        membership = services.invitation_accept(token=token, user=request.user)
    except ValidationError as error:
        # Read again: it may have been used or withdrawn a moment ago.
        return _invitation_page(request, selectors.invitation_by_token(token=token), error=error)
    messages.success(
        request,
        _("Welcome to %(organisation)s! You joined as: %(role)s.")
        % {"organisation": membership.organisation, "role": membership.get_role_display()},
    )
    return redirect("programmes:workspace")
