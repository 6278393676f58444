"""What volunteers asks of the apps above it (see globalir.hooks)."""

from globalir.hooks import Hook

# consent_withdrawn(*, profile) -> None: the volunteer stopped agreeing to be shown to coordinators, in the
# transaction that records it: the e-mails recorded for coordinators about their applications no longer
# name them. Registered by placements.
consent_withdrawn = Hook("consent_withdrawn", default=lambda *, profile: None)
