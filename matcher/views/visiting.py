"""Visiting professors and their hosts.

Hosts (coordinators of a society or of the organisation managing a hospital site) post host requests to a
visiting-professor programme; senior volunteers offer to be candidates; the programme's coordinators open a
match round in which hosts rank candidates and candidates rank hosts, run it, and read the report. After a
visit both sides give feedback.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from globalir.forms import submitted_data
from globalir.views import form_add_refusal
from organisations.access import organisation_for_member
from organisations.models import Organisation
from placements import visit_services
from placements.models import Visit, VisitCandidacy, VisitFeedback
from placements.views.feedback import FeedbackForm
from programmes import host_services
from programmes.models import HostRequest, Programme
from programmes.views.access import coordinated_organisations, programme_for_coordinator
from volunteers.selectors import volunteer_label, volunteer_profile_for_user

from .. import host_rounds
from ..forms import MatchRoundForm, RankForm
from ..models import HostMatchRound
from ..visiting_forms import CandidacyForm, HostRequestForm


def _visiting_programme(request, pk: int) -> Programme:
    programme = programme_for_coordinator(request, pk)
    if programme.kind != Programme.Kind.VISITING_PROFESSOR:
        raise Http404
    return programme


def _host_request_for_host(request, pk: int) -> HostRequest:
    """A request the user's organisation hosts, or whose programme it leads (any for site admins)."""
    requests = HostRequest.objects.select_related("programme__lead_organisation", "host_organisation", "host_site")
    if not request.user.is_staff:
        organisations = coordinated_organisations(request)
        requests = requests.filter(
            Q(host_organisation__in=organisations) | Q(programme__lead_organisation__in=organisations)
        )
    return get_object_or_404(requests.exclude(host_organisation__status=Organisation.Status.ARCHIVED), pk=pk)


def _round_for_coordinator(request, pk: int) -> HostMatchRound:
    rounds = HostMatchRound.objects.select_related("programme__lead_organisation")
    if not request.user.is_staff:
        rounds = rounds.filter(programme__lead_organisation__in=coordinated_organisations(request))
    return get_object_or_404(rounds, pk=pk)


def _onboarded_profile(request):
    profile = volunteer_profile_for_user(user=request.user)
    if profile is None or profile.onboarding_completed_at is None:
        messages.info(request, _("Finish setting up your volunteer profile first."))
        return None
    return profile


# Public: what hosts ask for.


@require_safe
def visiting_list(request):
    requests = (
        HostRequest.objects.listed()
        .select_related("host_organisation", "host_site", "programme", "language")
        .prefetch_related("topics")
    )
    return render(
        request,
        "matcher/visiting/list.html",
        {"host_requests": requests, "programmes": host_services.visiting_programmes().order_by("title")},
    )


# Volunteers: candidacy, ranking hosts, visits.


@login_required
def candidacy_create(request, pk):
    programme = get_object_or_404(host_services.visiting_programmes(), pk=pk)
    profile = _onboarded_profile(request)
    if profile is None:
        return redirect("volunteers:onboarding")
    form = CandidacyForm(submitted_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                visit_services.candidacy_submit(programme=programme, volunteer=profile, **form.cleaned_data)
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                messages.success(request, _("You are now a visiting-professor candidate for this programme."))
                return redirect("matcher:my-visiting")
        status = 400
    return render(
        request,
        "matcher/visiting/candidacy_form.html",
        {
            "programme": programme,
            "form": form,
            "eligible": visit_services.volunteer_may_be_visiting_professor(profile),
        },
        status=status,
    )


@login_required
@require_safe
def my_visiting(request):
    profile = _onboarded_profile(request)
    if profile is None:
        return redirect("volunteers:onboarding")
    return render(
        request,
        "matcher/visiting/mine.html",
        {
            "candidacies": profile.visit_candidacies.select_related("programme").order_by("-created_at"),
            "rounds": host_rounds.host_rounds_for_user(user=request.user),
            "visits": visit_services.visits_of_volunteer(profile=profile),
        },
    )


@login_required
def host_round_candidate(request, pk):
    candidacy = get_object_or_404(
        VisitCandidacy.objects.select_related("programme")
        .filter(round_rankings__match_round_id=pk, volunteer__user=request.user)
        .distinct()
    )
    match_round = get_object_or_404(HostMatchRound, pk=pk)
    pairs = host_rounds.host_round_candidate_view(match_round=match_round, candidacy=candidacy)
    may_rank = host_rounds.host_round_may_rank(match_round)
    choices = [(p.ranking.host_request_id, p.ranking.host_request.title, p.ranking.candidate_rank) for p in pairs]
    form = RankForm(submitted_data(request), choices=choices, key="host")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                host_rounds.host_round_rank_hosts(match_round=match_round, candidacy=candidacy, ranks=form.ranks())
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Your ranking is saved. You can change it until the deadline."))
                return redirect("matcher:host-round-candidate", pk=match_round.pk)
        status = 400
    return render(
        request,
        "matcher/visiting/round_candidate.html",
        {
            "match_round": match_round,
            "programme": candidacy.programme,
            "pairs": pairs,
            "fields": list(zip(pairs, [form[f"host-{p.ranking.host_request_id}"] for p in pairs], strict=True)),
            "form": form,
            "may_rank": may_rank,
            "matched": next((p for p in pairs if p.code == host_rounds.MATCHED), None),
        },
        status=status,
    )


# Hosts: their requests, ranking candidates.


@login_required
@require_safe
def host_request_list(request, slug):
    organisation = organisation_for_member(request, slug)
    return render(
        request,
        "matcher/visiting/host_requests.html",
        {
            "organisation": organisation,
            "host_requests": organisation.host_requests.select_related("programme", "host_site", "language")
            .prefetch_related("topics")
            .order_by("-created_at"),
            "visits": visit_services.visits_of_organisation(organisation_ids=[organisation.pk]),
        },
    )


@login_required
def host_request_create(request, slug):
    organisation = organisation_for_member(request, slug)
    form = HostRequestForm(submitted_data(request), organisation=organisation)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = {name: value for name, value in form.cleaned_data.items() if name not in ("programme", "topics")}
            try:
                host_request = host_services.host_request_create(
                    programme=form.cleaned_data["programme"],
                    host_organisation=organisation,
                    topics=form.cleaned_data["topics"],
                    by=request.user,
                    **fields,
                )
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                messages.success(request, _("Your host request is published."))
                return redirect("matcher:host-request-detail", pk=host_request.pk)
        status = 400
    return render(
        request,
        "matcher/visiting/host_request_form.html",
        {"organisation": organisation, "form": form},
        status=status,
    )


@login_required
def host_request_detail(request, pk):
    host_request = _host_request_for_host(request, pk)
    match_round = (
        HostMatchRound.objects.filter(rankings__host_request=host_request).distinct().order_by("-created_at").first()
    )
    block = None
    form = None
    status = 200
    if match_round is not None:
        blocks = host_rounds.host_round_overview(match_round=match_round)
        block = next((b for b in blocks if b.host_request.pk == host_request.pk), None)
        choices = [(p.ranking.candidacy_id, p.label, p.ranking.host_rank) for p in block.rows]
        form = RankForm(submitted_data(request), choices=choices, key="candidate")
        block.fields = list(
            zip(block.rows, [form[f"candidate-{p.ranking.candidacy_id}"] for p in block.rows], strict=True)
        )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                host_rounds.host_round_rank_candidates(
                    match_round=match_round, host_request=host_request, ranks=form.ranks(), by=request.user
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Your ranking is saved. You can change it until the deadline."))
                return redirect("matcher:host-request-detail", pk=host_request.pk)
        status = 400
    visit = Visit.objects.filter(host_request=host_request).select_related("candidacy__volunteer").first()
    return render(
        request,
        "matcher/visiting/host_request_detail.html",
        {
            "host_request": host_request,
            "match_round": match_round,
            "host_block": block,
            "form": form,
            "may_rank": match_round is not None and host_rounds.host_round_may_rank(match_round),
            "visit": visit,
            "visit_label": volunteer_label(volunteer=visit.candidacy.volunteer, number=visit.candidacy_id)
            if visit
            else "",
            "host_request_list": [host_request],
        },
        status=status,
    )


@login_required
@require_POST
def host_request_close(request, pk):
    host_request = _host_request_for_host(request, pk)
    try:
        host_services.host_request_close(host_request=host_request, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The host request is closed."))
    return redirect("matcher:host-request-detail", pk=host_request.pk)


# Both sides: feedback after a visit.


@login_required
def visit_feedback(request, pk):
    visit = get_object_or_404(
        Visit.objects.select_related("host_request__host_organisation", "candidacy__volunteer__user"), pk=pk
    )
    volunteer = visit.candidacy.volunteer
    if volunteer is not None and volunteer.user_id == request.user.pk:
        side, done_url = VisitFeedback.Side.PROFESSOR, reverse("matcher:my-visiting")
    elif coordinated_organisations(request).filter(pk=visit.host_request.host_organisation_id).exists():
        side = VisitFeedback.Side.HOST
        done_url = reverse("matcher:host-request-detail", args=[visit.host_request_id])
    else:
        raise Http404
    given = visit.feedback.filter(side=side).first()
    is_open = visit_services.visit_is_over(visit)
    form = FeedbackForm(submitted_data(request)) if is_open and given is None else None
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(
                request,
                _("Feedback opens once the visit is over.") if not is_open else _("Thank you: your feedback is saved."),
            )
            return redirect(done_url)
        if form.is_valid():
            try:
                visit_services.visit_feedback_give(visit=visit, side=side, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Thank you: your feedback is saved."))
                return redirect(done_url)
        status = 400
    return render(
        request,
        "matcher/visiting/visit_feedback.html",
        {"visit": visit, "side": side, "form": form, "given": given, "is_open": is_open, "done_url": done_url},
        status=status,
    )


# The programme's coordinators: rounds and report.


@login_required
def visiting_programme(request, pk):
    programme = _visiting_programme(request, pk)
    form = MatchRoundForm(submitted_data(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                match_round = host_rounds.host_round_open(
                    programme=programme, ranking_deadline=form.cleaned_data["ranking_deadline"], by=request.user
                )
            except ValidationError as error:
                form_add_refusal(form, error)
            else:
                messages.success(
                    request, _("The match round is open: hosts and candidates were e-mailed a link to rank.")
                )
                return redirect("matcher:host-round-detail", pk=match_round.pk)
        status = 400
    return render(
        request,
        "matcher/visiting/programme.html",
        {
            "programme": programme,
            "form": form,
            "host_requests": programme.host_requests.select_related(
                "host_organisation", "host_site", "language"
            ).prefetch_related("topics"),
            "candidacies": [
                (candidacy, volunteer_label(volunteer=candidacy.volunteer, number=candidacy.pk))
                for candidacy in programme.visit_candidacies.select_related("volunteer").prefetch_related("topics")
            ],
            "rounds": programme.host_match_rounds.order_by("-created_at")[:20],
        },
        status=status,
    )


@login_required
@require_safe
def host_round_detail(request, pk):
    match_round = _round_for_coordinator(request, pk)
    preview = match_round.status == HostMatchRound.Status.OPEN
    return render(
        request,
        "matcher/visiting/round_detail.html",
        {
            "match_round": match_round,
            "programme": match_round.programme,
            "blocks": host_rounds.host_round_overview(match_round=match_round, preview=preview),
            "preview": preview,
        },
    )


@login_required
@require_POST
def host_round_run(request, pk):
    match_round = _round_for_coordinator(request, pk)
    try:
        match_round = host_rounds.host_round_run(match_round=match_round, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round has run: the visits are planned and everyone was e-mailed."))
    return redirect("matcher:host-round-detail", pk=match_round.pk)


@login_required
@require_POST
def host_round_cancel(request, pk):
    match_round = _round_for_coordinator(request, pk)
    try:
        host_rounds.host_round_cancel(match_round=match_round, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The round is cancelled."))
    return redirect("matcher:host-round-detail", pk=match_round.pk)


@login_required
@require_safe
def visit_report(request, pk):
    programme = _visiting_programme(request, pk)
    return render(
        request,
        "matcher/visiting/report.html",
        {"programme": programme, "report": visit_services.visit_report(programme=programme)},
    )
