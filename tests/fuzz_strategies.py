"""Hypothesis strategies and checks shared by the fuzz tests of forms and query strings.

Data is generated from a form's own fields (its choices, its limits) so that most of it is
plausible and reaches the services; hostile values are mixed in field by field: huge strings, NUL,
right-to-left marks, emoji, lone surrogates (sent as the bytes a careless encoder would produce),
numbers out of range, impossible dates, several values where one is expected, missing fields,
unknown choices and the ids of other organisations' objects.

Every request is sent as raw bytes (``application/x-www-form-urlencoded``, or a query string), so
what reaches Django is what a hand-crafted request could send, not what the test client would
encode for us.
"""

import datetime
import html
import re
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from urllib.parse import quote_plus

from django import forms
from django.db import transaction
from django.forms.formsets import BaseFormSet
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Fixed seed (derandomize) and no example database: CI runs exactly the same examples every time.
FUZZ_SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}


def fuzz_settings(max_examples: int):
    return settings(max_examples=max_examples, **FUZZ_SETTINGS)


# How many examples each fuzz test ran, printed at the end of the run for the closing note.
EXAMPLES_RUN: Counter = Counter()


def report_examples_run(config, *, prefix: str, title: str) -> None:
    """One line in the test run's output: how many examples ran, in total and per target."""
    ran = {name[len(prefix) :]: count for name, count in EXAMPLES_RUN.items() if name.startswith(prefix)}
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or not ran:
        return
    with capture.global_and_fixture_disabled() if capture is not None else nullcontext():
        details = ", ".join(f"{name} {count}" for name, count in sorted(ran.items()))
        reporter.write_line(f"{title}: {sum(ran.values())} examples ({details})")


# Values


HOSTILE_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "%00",
    "\u202eevil\u202c",
    "\u200f\u200e\u061c",
    "\ufeff",
    "💥🧨" * 3,
    "👩🏽‍⚕️",
    "\ud800",
    "a\udfffb",
    "Z̴̡̛a̷l̸g̶o̵",
    "<script>alert(1)</script>",
    "\"'><img src=x onerror=alert(1)>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\r\nSet-Cookie: x=1",
    "{{ settings.SECRET_KEY }}",
    "%(name)s %s {0}",
    "-1",
    "0",
    "-99999999999999999999",
    "9" * 400,
    "1e309",
    "NaN",
    "inf",
    "0x10",
    "١٢٣",
    "3.5",
    "2026-02-30",
    "99999-01-01",
    "0000-00-00",
    "2026-13-01",
    "-0001-01-01",
    "2026-02-29T25:61",
    "true",
    "on",
    "None",
    "null",
    "[]",
]

# Long strings are built by repetition: drawing a 20,000-character text one character at a time would
# be slow and would not find more bugs.
huge_strings = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from(["x", "é", "💥", "\x00", "\u202e", "ab ", "<b>"]),
    st.sampled_from([256, 3001, 20_000]),
)

hostile_text = st.one_of(
    st.sampled_from(HOSTILE_STRINGS),
    huge_strings,
    st.text(max_size=40),  # any code point, surrogates included
)


def _plausible_text(max_length: int | None) -> st.SearchStrategy[str]:
    limit = min(max_length or 200, 200)
    letters = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"))
    return st.one_of(
        st.text(alphabet=letters, min_size=1, max_size=limit),
        st.sampled_from(["Embolisation training", "Hôpital régional de Kigali", "مستشفى", "Zürich 2027"]),
    )


def _plausible_date() -> st.SearchStrategy[str]:
    today = timezone.localdate()
    return st.integers(min_value=-400, max_value=800).map(lambda days: (today + datetime.timedelta(days)).isoformat())


def _plausible_datetime() -> st.SearchStrategy[str]:
    now = timezone.localtime()
    return st.integers(min_value=-48, max_value=24 * 90).map(
        lambda hours: (now + datetime.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")
    )


def choice_values(field: forms.Field) -> list[str]:
    """The values a browser may send for a choice field (its queryset read now, so call it on a form instance)."""
    if isinstance(field, forms.ModelChoiceField):
        return [str(value) for value in field.queryset.values_list(field.to_field_name or "pk", flat=True)]
    values = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):
            values.extend(str(sub_value) for sub_value, _ in label)
        elif value not in ("", None):
            values.append(str(value))
    return values


@dataclass(frozen=True)
class Pick:
    """The index-th choice of a choice field, resolved when the request is made.

    Examples do not hold database ids (they differ between runs and databases): they say "the third
    choice", and the ids of objects the user may not choose (another organisation's site) count as
    choices too, after the real ones.
    """

    index: int


def _picks(multiple: bool) -> st.SearchStrategy[tuple]:
    pick = st.integers(min_value=0, max_value=60).map(Pick)
    if multiple:
        return st.lists(pick, max_size=4, unique=True).map(tuple)
    return pick.map(lambda one: (one,))


def plausible_values(field: forms.Field) -> st.SearchStrategy[tuple]:
    """What a browser could send for this field: the values of one input (several for multiple choices)."""
    if isinstance(field, forms.BooleanField):
        return st.sampled_from([("on",), ()])
    if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        return _picks(isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField))
    if isinstance(field, forms.DateTimeField):
        return _plausible_datetime().map(lambda value: (value,))
    if isinstance(field, forms.DateField):
        return _plausible_date().map(lambda value: (value,))
    if isinstance(field, forms.IntegerField):
        low = field.min_value if field.min_value is not None else -10
        high = field.max_value if field.max_value is not None else 1000
        return st.integers(min_value=low - 2, max_value=high + 2).map(lambda value: (str(value),))
    if isinstance(field, forms.EmailField):
        return st.emails().map(lambda value: (value[:254],))
    if isinstance(field, forms.URLField):
        return st.sampled_from(["https://example.org/", "example.org", "http://hospital.example.org/ir"]).map(
            lambda value: (value,)
        )
    return _plausible_text(getattr(field, "max_length", None)).map(lambda value: (value,))


def hostile_values(field: forms.Field) -> st.SearchStrategy[tuple]:
    """Values a browser would never send for this field; sometimes several where one is expected."""
    one = st.one_of(hostile_text, plausible_values(field).map(lambda values: values[0] if values else ""))
    return st.one_of(hostile_text.map(lambda value: (value,)), st.lists(one, min_size=2, max_size=4).map(tuple))


DROP = None  # a change that leaves the field out of the submission


@dataclass(frozen=True)
class Submission:
    """A generated submission of a form: from the known-good data or from nothing, with some fields changed.

    ``changes`` maps a field's name to the values sent for it (strings and Picks), or to DROP.
    """

    from_valid: bool
    changes: tuple[tuple[str, tuple | None], ...] = ()

    def pairs(self, *forms_, valid: dict | None = None, foreign_ids: Iterable[int] = ()) -> list[tuple[str, str]]:
        """Name/value pairs for ``forms_`` (unbound forms or formsets made as the view makes them)."""
        fields = {name: field for form in forms_ for name, field in form_fields(form).items()}
        data = {name: _as_list(value) for name, value in (valid or {}).items()} if self.from_valid else {}
        for name, values in self.changes:
            if values is DROP:
                data.pop(name, None)
                continue
            data[name] = [self._resolve(value, fields.get(name), foreign_ids) for value in values]
        return [(name, value) for name, values in data.items() for value in values]

    @staticmethod
    def _resolve(value, field, foreign_ids) -> str:
        if not isinstance(value, Pick):
            return value
        choices = (choice_values(field) if field is not None else []) + [str(pk) for pk in foreign_ids]
        return choices[value.index % len(choices)] if choices else str(value.index)


def _as_list(value) -> list[str]:
    return [str(one) for one in value] if isinstance(value, list | tuple) else [str(value)]


def form_fields(form) -> dict[str, forms.Field]:
    """Every input of a form or formset (management form included) by its name in the submission."""
    fields: dict[str, forms.Field] = {}
    for one in form.forms if isinstance(form, BaseFormSet) else [form]:
        fields.update({one.add_prefix(name): field for name, field in one.fields.items()})
    if isinstance(form, BaseFormSet):
        management = form.management_form
        fields.update({management.add_prefix(name): field for name, field in management.fields.items()})
    return fields


def formset_fields(form_class, *, prefix: str, rows: int) -> dict[str, forms.Field]:
    """The inputs of a formset of ``rows`` rows (for generating data without a database)."""
    fields = {
        f"{prefix}-{name}": forms.IntegerField(min_value=0, max_value=1000)
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    }
    for row in range(rows):
        fields.update({f"{prefix}-{row}-{name}": field for name, field in form_class.base_fields.items()})
        fields[f"{prefix}-{row}-DELETE"] = forms.BooleanField()
    return fields


UNKNOWN_NAMES = ["status", "organisation", "lead_organisation", "is_staff", "volunteer", "\x00", "a" * 300, "x[]"]


@st.composite
def submissions(draw, fields: dict[str, forms.Field], *, has_valid: bool = True) -> Submission:
    """Submissions of a form with these ``fields`` (e.g. ``NeedForm.base_fields``), plausible to hostile."""
    names = sorted(fields)
    from_valid = has_valid and draw(st.booleans())
    hostility = draw(st.sampled_from(["plausible", "mixed", "hostile"]))
    if from_valid:
        changed = draw(st.lists(st.sampled_from(names), max_size=3, unique=True)) if names else []
    else:
        changed = names
    changes = []
    for name in changed:
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            changes.append((name, DROP))
            continue
        hostile = hostility == "hostile" or (hostility == "mixed" and draw(st.booleans()))
        changes.append((name, draw((hostile_values if hostile else plausible_values)(fields[name]))))
    # Inputs the form does not have (a status, an owner) are ignored, never a crash or a write.
    for name in draw(st.lists(st.sampled_from(UNKNOWN_NAMES), max_size=2, unique=True)):
        changes.append((name, (draw(hostile_text),)))
    return Submission(from_valid=from_valid, changes=tuple(changes))


def urlencode(pairs: Iterable[tuple[str, str]]) -> str:
    """Pairs as a query string, lone surrogates sent as their (invalid UTF-8) bytes, as a broken client would."""
    return "&".join(
        f"{quote_plus(name, encoding='utf-8', errors='surrogatepass')}="
        f"{quote_plus(value, encoding='utf-8', errors='surrogatepass')}"
        for name, value in pairs
    )


def post_pairs(client: Client, url: str, pairs: Iterable[tuple[str, str]], **headers):
    return client.post(url, urlencode(pairs), content_type="application/x-www-form-urlencoded", headers=headers)


# Per-example isolation


@contextmanager
def rolled_back():
    """Everything an example writes is undone when it ends, so each example starts from the same data."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def client_for(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# Checks


NOT_REACHED = ("/accounts/login/", "/accounts/2fa/", "/accounts/reauthenticate/")
ERROR_ITEM = re.compile(r'<ul class="errorlist[^"]*"[^>]*>\s*<li>\s*[^<\s]', re.S)
ERROR_MESSAGE = re.compile(r'class="message message-error"[^>]*>\s*(?:<p>)?\s*[^<\s]', re.S)


def _bound_forms(response) -> list:
    found = []
    for context in response.context or []:
        for value in context.flatten().values() if hasattr(context, "flatten") else context.values():
            if isinstance(value, forms.BaseForm | BaseFormSet) and value.is_bound and value not in found:
                found.append(value)
    return found


def _error_messages(form) -> list[str]:
    if isinstance(form, BaseFormSet):
        messages = list(form.non_form_errors())
        for one in form.forms:
            messages.extend(_error_messages(one))
        return messages
    return [message for errors in form.errors.values() for message in errors]


def assert_handled(response, *, success=(302,)) -> None:
    """No server error; a refusal is shown with its reasons; a success redirects."""
    assert response.status_code < 500, response.status_code
    if response.status_code in success:
        # A redirect to sign in (or to set up two-factor authentication) is not the form's success:
        # it would mean the fuzz never reached the form.
        location = response.get("Location", "")
        assert not location.startswith(NOT_REACHED), f"redirected to {location}"
        return
    assert response.status_code in (200, 400), f"unexpected status {response.status_code}"
    content = response.content.decode()
    messages = [message for form in _bound_forms(response) for message in _error_messages(form)]
    for message in messages:
        # Every reason the form gave is on the page (escaped as the template escapes it).
        assert html.escape(str(message)) in content, f"error not shown: {message!r}"
    assert messages or ERROR_ITEM.search(content) or ERROR_MESSAGE.search(content), "refused without a message"


def assert_page(response) -> None:
    """A list page answered with a query string: never a server error."""
    assert response.status_code < 500, response.status_code
