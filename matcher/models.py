from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from placements.models import Application
from programmes.models import Need, Programme
from volunteers.models import VolunteerProfile


class Recommendation(models.Model):
    """A stored matcher result: how well one volunteer fits one need, and why.

    Only each side's top results are kept (see settings.MATCHING_TOP_K). A refresh replaces a
    volunteer's or a need's rows in one transaction.
    """

    # No index of their own: the unique pair starts with the volunteer, the index below is the need's.
    volunteer = models.ForeignKey(
        VolunteerProfile,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="recommendations",
        db_index=False,
    )
    need = models.ForeignKey(
        Need, verbose_name=_("need"), on_delete=models.CASCADE, related_name="recommendations", db_index=False
    )
    score = models.FloatField(_("score"), validators=[MinValueValidator(0), MaxValueValidator(100)])
    rank_for_volunteer = models.PositiveSmallIntegerField(_("rank among the volunteer's needs"), null=True, blank=True)
    rank_for_need = models.PositiveSmallIntegerField(_("rank among the need's volunteers"), null=True, blank=True)
    factors = models.JSONField(_("contribution of each factor"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed at"))
    # A hash of score, ranks and factors (matcher.store_rows): a refresh compares it with the row it wants
    # instead of reading back and decoding every stored row, and rewrites only the rows whose hash differs.
    fingerprint = models.BigIntegerField(_("fingerprint"), default=0, editable=False)

    class Meta:
        ordering = ["-score"]
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "need"], name="recommendation_unique_pair"),
        ]
        # No index holds a column a refresh rewrites (score, ranks, factors): PostgreSQL then updates a row
        # in place on its page (a HOT update, with room left by the fill factor its migration sets)
        # without touching any index. A volunteer's or a need's rows are a few dozen, found by the pair
        # index or the need's and sorted by rank in no time.
        indexes = [models.Index(fields=["need"], name="matcher_recommendation_need")]

    def __str__(self):
        return f"{self.volunteer_id} ↔ {self.need_id}: {self.score:.0f}"


class RecommendationBlock(models.Model):
    """What the last full refresh stored for one profession: a digest of everything its rows were computed
    from, and the count and checksum of the rows it left. The next full refresh skips the profession when
    its inputs give the same digest and its stored rows still add up to the same count and checksum (no
    partial refresh, deletion or edit has touched them since)."""

    profession = models.CharField(_("profession"), max_length=20, unique=True)
    inputs = models.CharField(_("digest of the inputs"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    checksum = models.BigIntegerField(_("checksum of the rows"))
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("recommendation block")
        verbose_name_plural = _("recommendation blocks")

    def __str__(self):
        return f"{self.profession}: {self.rows} rows"


class MatchRoundQuerySet(models.QuerySet):
    def in_progress(self):
        return self.filter(status__in=MatchRound.IN_PROGRESS_STATUSES)


class MatchRound(models.Model):
    """A programme's match round: volunteers rank the needs they applied to, coordinators rank each
    need's applicants, and at the deadline a stable matching turns into offers."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open for ranking")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    IN_PROGRESS_STATUSES = (Status.OPEN, Status.RUNNING)

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="match_rounds"
    )
    ranking_deadline = models.DateTimeField(_("ranking deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    dry_run_at = models.DateTimeField(_("last dry run at"), null=True, blank=True)
    dry_run_result = models.JSONField(_("last dry run"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    objects = MatchRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("match round")
        verbose_name_plural = _("match rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["programme"],
                condition=Q(status__in=["open", "running"]),
                name="match_round_one_in_progress_per_programme",
                violation_error_message=_("This programme already has a match round in progress."),
            ),
        ]

    def __str__(self):
        return f"{self.programme} – {self.get_status_display()} ({self.ranking_deadline:%Y-%m-%d})"


class RoundRanking(models.Model):
    """An application's place in a round: how the volunteer ranks the need, how the need ranks the volunteer.

    A blank rank on either side makes the pair unacceptable to the matching.
    """

    class Outcome(models.TextChoices):
        PENDING = "", _("Not run yet")
        MATCHED = "matched", _("Matched")
        UNMATCHED = "unmatched", _("Not matched")

    match_round = models.ForeignKey(
        MatchRound, verbose_name=_("match round"), on_delete=models.CASCADE, related_name="rankings"
    )
    application = models.ForeignKey(
        Application, verbose_name=_("application"), on_delete=models.CASCADE, related_name="round_rankings"
    )
    volunteer_rank = models.PositiveSmallIntegerField(_("volunteer's rank of the need"), null=True, blank=True)
    need_rank = models.PositiveSmallIntegerField(_("need's rank of the volunteer"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default="", blank=True)
    explanation = models.TextField(_("explanation"), blank=True)

    class Meta:
        ordering = ["match_round", "application__need", "need_rank"]
        verbose_name = _("round ranking")
        verbose_name_plural = _("round rankings")
        constraints = [
            models.UniqueConstraint(fields=["match_round", "application"], name="round_ranking_unique_application"),
            models.CheckConstraint(
                condition=Q(volunteer_rank__isnull=True) | Q(volunteer_rank__gte=1),
                name="round_volunteer_rank_positive",
            ),
            models.CheckConstraint(
                condition=Q(need_rank__isnull=True) | Q(need_rank__gte=1), name="round_need_rank_positive"
            ),
        ]

    def __str__(self):
        return f"{self.match_round_id}: application {self.application_id}"


# Match rounds of visiting professors and their hosts live in their own module.
from .host_round_models import HostMatchRound, HostRoundRanking  # noqa: E402, F401
