"""What accounts asks of the apps above it (see globalir.hooks)."""

from django.db.models import BooleanField, Value

from globalir.hooks import Hook

# role_requiring_mfa(user_id: OuterRef | int) -> boolean expression: whether the user holds a role that
# requires two-factor authentication beyond staff (a membership of an organisation), for the annotation that
# loads the signed-in user (globalir.accounts.selectors). Registered by organisations.
role_requiring_mfa = Hook("role_requiring_mfa", default=lambda user_id: Value(False, output_field=BooleanField()))

# landing_url(user) -> str: where a signed-in user who is not staff lands after logging in (their
# workspace, their dashboard or the profile wizard: globalir.accounts.adapter). Registered by placements,
# whose dashboard is the volunteer's home.
landing_url = Hook("landing_url")
