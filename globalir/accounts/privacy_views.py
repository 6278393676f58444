"""A person's own data: /me/export/ (a copy of all of it) and /me/delete/ (erasing the account).

Each app gives its part of the export and of the erasure (globalir.privacy). Every response here carries
personal data, so none of them may be cached (`never_cache` sends Cache-Control: no-store). Logs name
users by primary key only, never an export's content.
"""

import json
import logging

from allauth.account.forms import ReauthenticateForm
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from globalir import privacy
from globalir.views import form_add_refusal

logger = logging.getLogger(__name__)


@never_cache
@login_required
@require_safe
def data_export(request):
    # Users without a volunteer profile (coordinators, people who never finished onboarding) get
    # their account data: the export's volunteer sections are then empty.
    data = privacy.volunteer_data_export(user=request.user)
    logger.info("User %s exported their personal data", request.user.pk)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"globalir-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
def account_delete(request):
    preview = privacy.account_erase_preview(user=request.user)
    if request.method == "POST" and not preview.blockers:
        # allauth's re-authentication form: the password check counts towards its login rate limits.
        form = ReauthenticateForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                privacy.account_erase(user=request.user)
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                logout(request)
                messages.success(
                    request,
                    _(
                        "Your account and your personal data have been erased. "
                        "Thank you for volunteering with GlobalIR."
                    ),
                )
                return redirect("home")
    else:
        form = ReauthenticateForm(user=request.user)
    return render(request, "privacy/account_delete.html", {"form": form, "preview": preview})
