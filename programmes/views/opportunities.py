"""Browsing open needs: /opportunities/ and /opportunities/<id>/."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from volunteers.selectors import volunteer_profile_for_user

from .. import fit, selectors
from ..forms import ApplicationForm
from .access import need_for_reader

LIST_TEMPLATE = "programmes/opportunity_list.html"
RESULTS_TEMPLATE = "programmes/includes/opportunity_results.html"
DETAIL_TEMPLATE = "programmes/opportunity_detail.html"


def wants_results_only(request) -> bool:
    """An htmx request from the filter form or the page links: only the results region is replaced.

    When htmx restores a page missing from its history cache it asks for the whole page again.
    """
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"


@require_safe
def opportunity_list(request):
    profile = volunteer_profile_for_user(user=request.user)
    search = selectors.opportunity_search(data=request.GET, profile=profile, page_number=request.GET.get("page"))
    results_only = wants_results_only(request)
    context = {
        "search": search,
        "filter": search.filter,
        "page_obj": search.page,
        "needs": search.page.object_list,
        "profile": profile,
        "results_only": results_only,
    }
    response = render(request, RESULTS_TEMPLATE if results_only else LIST_TEMPLATE, context)
    # The same address answers with a whole page or only the results: caches must keep both apart.
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


@require_safe
def opportunity_detail(request, pk):
    return render_need_page(request, need_for_reader(request, pk))


def render_need_page(request, need, *, application_form: ApplicationForm | None = None, status: int = 200):
    """The need's page; for a signed-in volunteer, how it fits them and the form to apply."""
    profile = volunteer_profile_for_user(user=request.user)
    # A filled or closed need keeps its page (applicants and coordinators follow links to it), without the form.
    accepts_applications = selectors.need_is_listed(need) and selectors.need_accepts_applications(need=need)
    context = {
        "need": need,
        "programme": need.programme,
        "partners": need.programme.listed_partners,
        "support": need.support_offered(),
        "accepts_applications": accepts_applications,
        "profile": profile,
        "fit": None,
        "application": None,
        "application_form": None,
    }
    if profile is not None:
        if accepts_applications:
            context["fit"] = fit.need_fit(profile=profile, need=need)
        context["application"] = selectors.application_active_for(profile=profile, need=need)
        can_apply = accepts_applications and context["application"] is None and profile.onboarding_completed_at
        if can_apply:
            context["application_form"] = application_form or ApplicationForm(need=need)
    return render(request, DETAIL_TEMPLATE, context, status=status)
