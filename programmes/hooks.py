"""What programmes asks of the apps above it (see globalir.hooks): each hook is registered once, in the
AppConfig.ready() of the app named below."""

from globalir.hooks import Hook

# need_pipeline_counts(needs: QuerySet[Need]) -> QuerySet[Need]: `needs` annotated, in the same query, with
# interested_count, shortlisted_count, offered_count, taken_count (places taken: accepted and completed) and
# places_left (places − taken − offered, never below 0). The one count of a need's places taken: the
# workspace, the need's status rules and its edits use it. Registered by placements.
need_pipeline_counts = Hook("need_pipeline_counts")

# need_ids_applied_by(user) -> QuerySet of need ids the user applied to as a volunteer (whatever became of
# the application): they may still read those needs' pages once closed. Registered by placements.
need_ids_applied_by = Hook("need_ids_applied_by")

# needs_held_open() -> QuerySet of need ids the nightly job must not close although their dates have passed
# (a match round still ranking their applicants). Registered by matcher; none without it.
needs_held_open = Hook("needs_held_open", default=lambda: [])

# opportunity_fit_scores(*, profile, needs: QuerySet[Need]) -> {need id: fit score 0–100} of the needs of
# `needs` that fit the volunteer, scored live: the "best fit" order of /opportunities/ until the matcher
# has stored scores for the volunteer. Registered by matcher.
opportunity_fit_scores = Hook("opportunity_fit_scores")

# opportunity_fit_ordered(*, profile, needs: QuerySet[Need]) -> (how many `needs` there are, `needs`
# annotated with `fit` (the matcher's stored score for the volunteer, None for needs it does not recommend
# to them) and ordered by it, best first, then in their own order), sorted in the database; the queryset is
# None while the matcher has stored nothing for the volunteer. Registered by matcher.
opportunity_fit_ordered = Hook("opportunity_fit_ordered", default=lambda *, profile, needs: (needs.count(), None))

# opportunity_fit_version(*, profile) -> a string that changes whenever the matcher's stored scores for the
# volunteer change, or None while it has stored nothing for them: the "best fit" results of /opportunities/
# are cached under it (programmes.listing_cache). Registered by matcher; without it they are never cached.
opportunity_fit_version = Hook("opportunity_fit_version", default=lambda *, profile: None)

# opportunity_fit_version_annotations() -> {name: expression over a volunteer profile}: what opportunity_fit_version
# reads, so that the page reads it with the profile, in the same query. Registered by matcher; none without it.
opportunity_fit_version_annotations = Hook("opportunity_fit_version_annotations", default=lambda: {})
