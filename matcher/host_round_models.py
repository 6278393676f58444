"""Host match rounds: a visiting-professor programme's hosts rank its candidates, the candidates rank the
hosts, and a stable matching pairs each host request with at most one visiting professor."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from placements.models import VisitCandidacy
from programmes.models import HostRequest, Programme


class HostMatchRound(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open for ranking")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="host_match_rounds"
    )
    ranking_deadline = models.DateTimeField(_("ranking deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("host match round")
        verbose_name_plural = _("host match rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(status="open"),
                name="host_match_round_one_open_per_programme",
                violation_error_message=_("This programme already has a match round in progress."),
            ),
        ]

    def __str__(self):
        return f"{self.programme} – {self.get_status_display()} ({self.ranking_deadline:%Y-%m-%d})"


class HostRoundRanking(models.Model):
    """One host request × one candidate in a round: how each ranks the other (blank: not acceptable)."""

    class Outcome(models.TextChoices):
        PENDING = "", _("Not run yet")
        MATCHED = "matched", _("Matched")
        UNMATCHED = "unmatched", _("Not matched")

    match_round = models.ForeignKey(
        HostMatchRound, verbose_name=_("match round"), on_delete=models.CASCADE, related_name="rankings"
    )
    host_request = models.ForeignKey(
        HostRequest, verbose_name=_("host request"), on_delete=models.CASCADE, related_name="round_rankings"
    )
    candidacy = models.ForeignKey(
        VisitCandidacy, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="round_rankings"
    )
    host_rank = models.PositiveSmallIntegerField(_("host's rank of the candidate"), null=True, blank=True)
    candidate_rank = models.PositiveSmallIntegerField(_("candidate's rank of the host"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default="", blank=True)

    class Meta:
        ordering = ["match_round", "host_request", "host_rank", "pk"]
        verbose_name = _("host round ranking")
        verbose_name_plural = _("host round rankings")
        constraints = [
            models.UniqueConstraint(
                fields=["match_round", "host_request", "candidacy"], name="host_round_ranking_unique_pair"
            ),
            models.CheckConstraint(
                condition=Q(host_rank__isnull=True) | Q(host_rank__gte=1), name="host_round_host_rank_positive"
            ),
            models.CheckConstraint(
                condition=Q(candidate_rank__isnull=True) | Q(candidate_rank__gte=1),
                name="host_round_candidate_rank_positive",
            ),
        ]

    def __str__(self):
        return f"{self.match_round_id}: {self.host_request_id} ↔ {self.candidacy_id}"
