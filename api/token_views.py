"""An organisation admin's API tokens, from the organisation's members page: created (shown once) and revoked.

Its admins and site admins pass; its coordinators get 403, outsiders 404 (organisations.access).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organisations.access import organisation_for_member

from .forms import ApiTokenForm
from .selectors import api_token_list
from .services import api_token_create as create_token
from .services import api_token_revoke as revoke_token


@login_required
@require_POST
def api_token_create(request, slug):
    organisation = organisation_for_member(request, slug, admin=True)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("organisations:member-list", slug=organisation.slug)
    try:
        token, raw = create_token(organisation=organisation, name=form.cleaned_data["name"], by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("organisations:member-list", slug=organisation.slug)
    # The one time the token is shown: the page is never stored (a signed-in user's pages are no-store).
    return render(request, "api/token_created.html", {"organisation": organisation, "token": token, "raw": raw})


@login_required
@require_POST
def api_token_revoke(request, slug, pk):
    organisation = organisation_for_member(request, slug, admin=True)
    token = get_object_or_404(api_token_list(organisation=organisation), pk=pk)
    revoke_token(token=token, by=request.user)
    messages.success(
        request, _("The API token “%(name)s” is revoked: requests made with it are refused.") % {"name": token.name}
    )
    return redirect("organisations:member-list", slug=organisation.slug)
