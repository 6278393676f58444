"""Glue that every app's views share: a service's refusal shown on the form that asked for the change, the
way back to the page a button was on, and one page of a long list."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme


def form_add_refusal(form: BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on ``form``: next to the field it names when the form has that field,
    else above the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def safe_next_url(request: HttpRequest) -> str | None:
    """The ``next`` the form posted, when it stays on this site (and on HTTPS when the request came over
    HTTPS); else None, so that a crafted link cannot send anyone elsewhere."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def redirect_back(request: HttpRequest, default: str, *args: Any) -> HttpResponseRedirect:
    """To the page the button was on (a safe ``next``), else to ``default`` (a URL or a URL name with
    ``args``)."""
    target = safe_next_url(request)
    return redirect(target) if target else redirect(default, *args)


def paginate(request: HttpRequest, items: Sequence | Iterable, per_page: int) -> tuple[Page, Iterable]:
    """The page of ``items`` that ``?page=`` asks for (the last one when it is past the end), and the page
    numbers to link to, elided in the middle of long lists."""
    paginator = Paginator(items, per_page)
    page = paginator.get_page(request.GET.get("page"))
    return page, paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
