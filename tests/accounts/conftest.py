import re

import pytest
from django.core.cache import cache

NEW_PASSWORD = "a-long-enough-passphrase"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """allauth counts log-in and sign-up attempts per IP in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


def link_in(message, path_prefix: str) -> str:
    """The path of the first link in an e-mail body that starts with `path_prefix`."""
    match = re.search(rf"https?://[^/\s]+({re.escape(path_prefix)}\S*)", message.body)
    assert match, f"No link to {path_prefix} in:\n{message.body}"
    return match.group(1)
