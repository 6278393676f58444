"""Provider hooks: how a lower app asks a higher one for figures without importing it.

Apps import each other only downwards (the layers in pyproject.toml). When a lower app's rule or page needs
what only a higher app knows (a need's places taken live with the applications), the lower app declares a
`Hook` next to the code that calls it, saying what it expects, and the higher app registers its
implementation in its AppConfig.ready(). Every hook of the portal is declared in a module named hooks.py.
"""

from collections.abc import Callable
from typing import Any


class HookNotRegistered(RuntimeError):
    pass


class Hook:
    """One provider, registered once by the app that knows the answer."""

    def __init__(self, name: str, *, default: Callable[..., Any] | None = None):
        self.name = name
        self._default = default
        self._provider: Callable[..., Any] | None = None

    def register(self, provider: Callable[..., Any]) -> Callable[..., Any]:
        self._provider = provider
        return provider

    def __call__(self, *args, **kwargs):
        provider = self._provider or self._default
        if provider is None:
            raise HookNotRegistered(f"No app registered the {self.name} hook.")
        return provider(*args, **kwargs)


class MultiHook:
    """Any number of providers, each adding its part; called in the order they registered (the apps' order)."""

    def __init__(self, name: str):
        self.name = name
        self._providers: list[Callable[..., Any]] = []

    def register(self, provider: Callable[..., Any]) -> Callable[..., Any]:
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def __call__(self, *args, **kwargs) -> list[Any]:
        return [provider(*args, **kwargs) for provider in self._providers]


# What the admin's index asks of the apps: review_queue() -> one {"label", "count", "url"} per kind of
# review waiting for a site admin (globalir.admin_site). Registered by organisations (requests to list an
# organisation) and volunteers (credentials to verify), in that order.
review_queue = MultiHook("review_queue")
