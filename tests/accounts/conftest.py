import re
from urllib.parse import urlencode

from django.urls import reverse

from tests.factories import fresh_totp_code

NEW_PASSWORD = "a-long-enough-passphrase"


def link_in(message, path_prefix: str) -> str:
    """The path of the first link in an e-mail body that starts with `path_prefix`."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S*)", message.body)
    assert match, f"No link to {path_prefix} in:\n{message.body}"
    return match.group(1)


def log_in(client, email: str, password: str, *, next_url: str | None = None, code: str | None = None):
    """Post the login form; when allauth then asks for the authenticator code, enter it.

    Returns the last response: the redirect after a complete login, or the page that refused it.
    """
    url = reverse("account_login")
    if next_url is not None:
        url = f"{url}?{urlencode({'next': next_url})}"
    response = client.post(url, {"login": email, "password": password})
    if response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"):
        response = client.post(reverse("mfa_authenticate"), {"code": code or fresh_totp_code()})
    return response


def reauthenticate(client, password: str):
    """Confirm the password again, as allauth asks before account changes."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()
    return response
