"""An organisation admin's page for the embeddable listing: the iframe snippet to give a partner, and the
websites allowed to frame it (the listing itself, /embed/<slug>/, is programmes'). Its coordinators get 403,
outsiders 404 (``organisation_for_member``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from globalir.links import absolute_url
from globalir.views import form_add_refusal

from .. import services
from ..access import organisation_for_member
from ..forms import EmbedOriginsForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def embed_settings(request, slug):
    organisation = organisation_for_member(request, slug, admin=True)
    if request.method == "POST":
        form = EmbedOriginsForm(request.POST)
        if form.is_valid():
            try:
                services.organisation_embed_origins_set(
                    organisation=organisation, origins=form.cleaned_data["embed_origins"], by=request.user
                )
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                messages.success(request, _("The websites allowed to embed your listing are saved."))
                return redirect("organisations:embed-settings", slug=organisation.slug)
    else:
        form = EmbedOriginsForm(initial={"embed_origins": organisation.embed_origins})
    embed_url = absolute_url(reverse("programmes:embed", kwargs={"slug": organisation.slug}))
    return render(
        request,
        "organisations/embed_settings.html",
        {
            "organisation": organisation,
            "form": form,
            "embed_url": embed_url,
            "origins": organisation.embed_origin_list,
        },
        status=400 if form.is_bound else 200,
    )
