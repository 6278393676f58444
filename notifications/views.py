"""Notification preferences and one-click unsubscribe."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from globalir.forms import submitted_data

from . import selectors, services
from .forms import NotificationPreferenceForm


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request):
    preference = selectors.notification_preferences_for(user=request.user)
    form = NotificationPreferenceForm(submitted_data(request), instance=preference)
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_save(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Your e-mail preferences are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


# RFC 8058 one-click unsubscribe: mail clients POST "List-Unsubscribe=One-Click" to the link in the
# List-Unsubscribe header, without cookies and so without a CSRF token. The signed token in the URL
# is the authority (only its recipient has it), and the one thing it can do is turn e-mails off, so
# a forged request could do no more than the link's owner already can. GET only asks for
# confirmation: link checkers and mail scanners fetch links and must not unsubscribe anyone.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        user = selectors.user_for_unsubscribe_token(token=token)
    except signing.BadSignature:
        # Like every token link: a wrong token is a page that does not exist.
        return render(request, "notifications/unsubscribe_invalid.html", {"account_gone": False}, status=404)
    if user is None:
        return render(request, "notifications/unsubscribe_invalid.html", {"account_gone": True}, status=404)
    if request.method == "POST":
        services.notification_preferences_opt_out(user=user)
        return render(request, "notifications/unsubscribe_done.html", {"email": user.email})
    return render(request, "notifications/unsubscribe_confirm.html", {"email": user.email})
