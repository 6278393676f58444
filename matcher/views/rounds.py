"""Match rounds: a programme opens one, both sides rank, the matching makes offers.

Coordinators (of the programme's lead organisation, and site admins) open, watch and run rounds;
volunteers rank the needs they applied to on /me/rounds/<pk>/ and read their result there.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from globalir.forms import submitted_data
from globalir.views import form_add_refusal
from organisations.models import Membership, Organisation
from placements.emails import application_volunteer_label
from programmes.models import Need
from programmes.views.access import programme_for_coordinator

from .. import round_selectors
from .. import rounds as round_services
from ..forms import MatchRoundForm, RankForm
from ..models import MatchRound, RoundRanking


def _round_for_coordinator(request, pk: int) -> MatchRound:
    """A round of a programme the user's organisation leads (any round for site admins); else 404."""
    rounds = round_selectors.match_round_queryset().exclude(
        programme__lead_organisation__status=Organisation.Status.ARCHIVED
    )
    if not request.user.is_staff:
        rounds = rounds.filter(
            programme__lead_organisation__memberships__user=request.user,
            programme__lead_organisation__memberships__role__in=Membership.COORDINATING_ROLES,
        )
    return get_object_or_404(rounds, pk=pk)


@login_required
def round_create(request, pk):
    programme = programme_for_coordinator(request, pk)
    rounds = list(round_selectors.match_rounds_for_programme(programme=programme)[:20])
    current = next((r for r in rounds if r.status in MatchRound.IN_PROGRESS_STATUSES), None)
    form = MatchRoundForm(submitted_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                match_round = round_services.match_round_open(
                    programme=programme, ranking_deadline=form.cleaned_data["ranking_deadline"], by=request.user
                )
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                messages.success(
                    request, _("The match round is open: every applicant was e-mailed a link to rank their choices.")
                )
                return redirect("matcher:round-detail", pk=match_round.pk)
        status = 400
    return render(
        request,
        "matcher/rounds/round_create.html",
        {"programme": programme, "form": form, "rounds": rounds, "current": current},
        status=status,
    )


def _render_detail(request, match_round: MatchRound, *, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    overview = round_selectors.match_round_overview(match_round=match_round, page_number=request.GET.get("page"))
    may_rank = round_selectors.match_round_coordinators_may_rank(match_round)
    for block in overview.blocks:
        block.form = bound.get(block.need.pk) or RankForm(
            choices=[(row.application.pk, row.label, row.ranking.need_rank) for row in block.rows], key="applicant"
        )
        block.fields = [(row, block.form[f"applicant-{row.application.pk}"]) for row in block.rows]
    return render(
        request,
        "matcher/rounds/round_detail.html",
        {
            "match_round": match_round,
            "programme": match_round.programme,
            "overview": overview,
            "page_obj": overview.page,
            "page_range": overview.page.paginator.get_elided_page_range(overview.page.number),
            "may_rank": may_rank,
            "busy": round_selectors.match_round_is_busy(match_round),
            "queued": round_selectors.match_round_is_queued(match_round),
            "dry_run_state": round_selectors.match_round_dry_run_state(match_round),
        },
        status=status,
    )


@login_required
@require_safe
def round_detail(request, pk):
    return _render_detail(request, _round_for_coordinator(request, pk))


@login_required
@require_safe
def round_progress(request, pk):
    """The progress fragment the round's page refreshes (htmx); reloads the whole page once nothing is busy."""
    match_round = _round_for_coordinator(request, pk)
    busy = round_selectors.match_round_is_busy(match_round)
    response = render(
        request,
        "matcher/rounds/includes/progress.html",
        {
            "match_round": match_round,
            "busy": busy,
            "queued": round_selectors.match_round_is_queued(match_round),
            "dry_run_state": round_selectors.match_round_dry_run_state(match_round),
        },
    )
    if not busy and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def round_need_ranking(request, pk, need_pk):
    match_round = _round_for_coordinator(request, pk)
    rankings = list(
        RoundRanking.objects.filter(match_round=match_round, application__need_id=need_pk)
        .select_related("application__need", "application__volunteer__user")
        .order_by("need_rank", "pk")
    )
    if not rankings:
        raise Http404
    need: Need = rankings[0].application.need
    form = RankForm(
        request.POST,
        choices=[(r.application_id, application_volunteer_label(r.application), r.need_rank) for r in rankings],
        key="applicant",
    )
    if form.is_valid():
        try:
            round_services.match_round_rank_applicants(
                match_round=match_round, need=need, ranks=form.ranks(), by=request.user
            )
        except ValidationError as error:
            # Refused by the service (e.g. the round has started running): the form may not be on the page.
            messages.error(
                request,
                _("The order for “%(need)s” was not saved: %(reason)s")
                % {"need": need.title, "reason": " ".join(error.messages)},
            )
            return _render_detail(request, match_round, bound={need.pk: form}, status=400)
        else:
            messages.success(request, _("The order of the applicants for “%(need)s” is saved.") % {"need": need.title})
            page = request.POST.get("page", "")
            url = reverse("matcher:round-detail", args=[match_round.pk])
            query = f"?page={page}" if page.isdigit() else ""
            return redirect(f"{url}{query}#need-{need.pk}")
    messages.error(request, _("The order for “%(need)s” was not saved: see below.") % {"need": need.title})
    return _render_detail(request, match_round, bound={need.pk: form}, status=400)


@login_required
@require_POST
def round_dry_run(request, pk):
    match_round = _round_for_coordinator(request, pk)
    try:
        match_round = round_services.match_round_request_dry_run(match_round=match_round, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        match_round.refresh_from_db()
        if round_selectors.match_round_dry_run_state(match_round) == "done":
            messages.success(request, _("Dry run done: below is who would be matched. No offer was made."))
        else:
            messages.info(request, _("The dry run is being computed; this page shows it when it is ready."))
    return redirect("matcher:round-detail", pk=pk)


@login_required
@require_POST
def round_run(request, pk):
    match_round = _round_for_coordinator(request, pk)
    if not request.POST.get("confirm"):
        messages.error(
            request, _("Tick the box to confirm: running the round makes offers and e-mails every participant.")
        )
        return redirect("matcher:round-detail", pk=pk)
    try:
        match_round = round_services.match_round_request_run(match_round=match_round, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        match_round.refresh_from_db()
        if match_round.status == MatchRound.Status.DONE:
            messages.success(request, _("The round has run: offers were made and everyone was e-mailed."))
        elif match_round.status == MatchRound.Status.FAILED:
            messages.error(request, _("The round could not run; no offer was made."))
        else:
            messages.info(request, _("The round is running; this page shows its progress."))
    return redirect("matcher:round-detail", pk=pk)


@login_required
@require_POST
def round_cancel(request, pk):
    match_round = _round_for_coordinator(request, pk)
    try:
        round_services.match_round_cancel(match_round=match_round, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round is cancelled. No offer was made; the applications are unchanged."))
    return redirect("matcher:round-detail", pk=pk)


@login_required
def round_volunteer(request, pk):
    """The volunteer's ranking page for a round and, once it has run, their result."""
    match_round = round_selectors.match_round_for_volunteer(user=request.user, pk=pk)
    if match_round is None:
        raise Http404
    view = round_selectors.match_round_volunteer_view(match_round=match_round, user=request.user)
    may_rank = round_selectors.match_round_volunteers_may_rank(match_round)
    form = RankForm(
        submitted_data(request),
        choices=[(c.need.pk, c.need.title, c.ranking.volunteer_rank) for c in view.choices],
        key="need",
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                round_services.match_round_rank_needs(
                    match_round=match_round,
                    profile=view.choices[0].ranking.application.volunteer,
                    ranks=form.ranks(),
                )
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                messages.success(request, _("Your ranking is saved. You can change it until the deadline."))
                return redirect("matcher:round-volunteer", pk=pk)
        status = 400
    return render(
        request,
        "matcher/rounds/round_volunteer.html",
        {
            "match_round": match_round,
            "programme": match_round.programme,
            "view": view,
            "form": form,
            "fields": [(choice, form[f"need-{choice.need.pk}"]) for choice in view.choices],
            "may_rank": may_rank,
        },
        status=status,
    )
