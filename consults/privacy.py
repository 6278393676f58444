"""Consults' part of a person's export and erasure (globalir.privacy).

Export: the requests they asked (never the images: those are de-identified patient data, not theirs), the
reports they wrote, the messages they wrote, and the image views of the audit trail that are theirs.

Erasure: their messages are emptied; requests, reports and the audit trail stay with no link to them (the
foreign keys are SET_NULL when the account goes), since the host site and the other side still need them
until the retention period deletes them.
"""

from typing import Any

from globalir.accounts.models import User
from globalir.privacy import export_record

from .models import ConsultImageView, ConsultMessage, ConsultReport, ConsultRequest

EXPORT_REQUEST_FIELDS = (
    "public_id",
    "question",
    "history",
    "modality",
    "body_part",
    "urgency",
    "status",
    "created_at",
    "closed_at",
    "rating",
)
EXPORT_REPORT_FIELDS = ("findings", "impression", "recommendation", "confidence", "hours_spent", "created_at")


def export(user: User) -> dict[str, Any]:
    requests = ConsultRequest.objects.filter(created_by=user).order_by("created_at", "pk")
    reports = ConsultReport.objects.filter(author__user=user).select_related("request").order_by("created_at")
    return {
        "consult_requests": [export_record(consult, EXPORT_REQUEST_FIELDS) for consult in requests],
        "consult_reports": [
            {"request": report.request.public_id, **export_record(report, EXPORT_REPORT_FIELDS)} for report in reports
        ],
        "consult_messages": [
            {"request": message.request.public_id, "body": message.body, "created_at": message.created_at}
            for message in ConsultMessage.objects.filter(author=user).select_related("request")
        ],
        "consult_image_views": [
            {
                "request_public_id": view.request_public_id,
                "how": view.how,
                "preset": view.preset,
                "created_at": view.created_at,
            }
            for view in ConsultImageView.objects.filter(viewer=user)
        ],
    }


def erase(user: User) -> dict[str, int] | None:
    emptied = ConsultMessage.objects.filter(author=user).update(body="", author=None)
    return {"consult_messages_emptied": emptied} if emptied else None
