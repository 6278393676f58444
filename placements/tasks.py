from celery import shared_task

from globalir.tasks import RELIABLE

from . import checklist_services, credential_checks, emails, feedback


@shared_task(name="placements.send_deadline_reminders", **RELIABLE, time_limit=600, soft_time_limit=540)
def send_deadline_reminders() -> int:
    # Safe to run again: each reminder is keyed by need, deadline and coordinator, so nobody gets two.
    return emails.needs_deadline_reminders_send()


@shared_task(name="placements.request_feedback", **RELIABLE, time_limit=600, soft_time_limit=540)
def placements_feedback_request() -> int:
    # Safe to run again: each request is keyed by placement, side and recipient, so nobody is asked twice.
    return feedback.placements_feedback_request_send()


@shared_task(name="placements.send_checklist_reminders", **RELIABLE, time_limit=600, soft_time_limit=540)
def send_checklist_reminders() -> int:
    # Safe to run again: each item is claimed once (reminded_at) with its e-mail, so nobody gets two.
    return checklist_services.checklist_reminders_send()


@shared_task(name="placements.warn_credentials_expiring", **RELIABLE, time_limit=600, soft_time_limit=540)
def warn_credentials_expiring() -> int:
    # Safe to run again: each warning is keyed by placement, credential, threshold and recipient.
    return credential_checks.credential_expiry_warnings_send()
