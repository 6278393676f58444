"""The matcher's part of a person's export and erasure (globalir.privacy): what it computed about them."""

from typing import Any

from globalir.accounts.models import User
from globalir.privacy import export_record
from globalir.refresh import recommendations_refresh_needs_later
from programmes.privacy import need_export_record

from .models import Recommendation

EXPORT_RECOMMENDATION_FIELDS = ("score", "rank_for_volunteer", "rank_for_need", "factors", "computed_at")


def export(user: User) -> dict[str, Any]:
    # How well they fit each need the matcher stored, and why.
    recommendations = (
        Recommendation.objects.filter(volunteer__user=user)
        .select_related("need__programme__lead_organisation")
        .order_by("rank_for_volunteer", "pk")
    )
    return {
        "recommendations": [
            {**export_record(row, EXPORT_RECOMMENDATION_FIELDS), "need": need_export_record(row.need)}
            for row in recommendations
        ]
    }


def erase(user: User) -> None:
    """Their recommendations go with their profile: the needs that ranked them rank again."""
    recommendations_refresh_needs_later(
        need_ids=Recommendation.objects.filter(volunteer__user=user, rank_for_need__isnull=False).values_list(
            "need_id", flat=True
        )
    )
