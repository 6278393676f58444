"""allauth's sign-up form, costing the same whether the address has an account or not."""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password


class SignupForm(AllauthSignupForm):
    """With ACCOUNT_PREVENT_ENUMERATION the page is the same for a new address and a known one, and
    each gets one e-mail (sent the same way, by the adapter); but a new account's password is hashed,
    deliberately slowly (about half a second with the production hasher), so a stopwatch told the two
    apart. The password typed for a known address is hashed too, with the configured hasher, and the
    hash thrown away: both answers then take as long, to within the few milliseconds of two inserts.
    """

    def try_save(self, request):
        if self.account_already_exists and self.cleaned_data.get("password1"):
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)
