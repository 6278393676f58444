"""The translation gate (`make check-translations`): a fault planted in a copy of the catalogues, or a new
message planted in the source, fails it and is named."""

import shutil

import polib
import pytest
from django.conf import settings

from globalir import catalogues

PLACEHOLDER_MSGID = "Your application for “%(need)s” has been sent to the coordinators."
TAG_MSGID = 'Already have an account? <a href="%(login_url)s">Log in</a>.'
PLURAL_MSGID = "%(counter)s filter in use"


@pytest.fixture(scope="module")
def source():
    """The source's messages, extracted once (makemessages takes a few seconds)."""
    return catalogues.source_messages()


@pytest.fixture
def locale_copy(tmp_path):
    copy = tmp_path / "locale"
    shutil.copytree(settings.LOCALE_PATHS[0], copy, ignore=shutil.ignore_patterns("*.mo"))
    return copy


def edit(locale_dir, language: str, change) -> None:
    path = catalogues.catalogue_path(locale_dir, language)
    catalogue = polib.pofile(str(path))
    change(catalogue)
    catalogue.save(str(path))


def entry(catalogue, msgid: str):
    return next(item for item in catalogue if item.msgid == msgid and not item.msgctxt)


def problems_of(locale_dir, source) -> set[tuple[str, str, str]]:
    return {
        (problem.language, problem.kind, problem.msgid)
        for problem in catalogues.translation_problems(locale_dir, source)
    }


def test_the_committed_catalogues_translate_every_message(source, locale_copy):
    assert len(source) > 1500
    assert catalogues.translation_problems(locale_copy, source) == []


def test_a_message_missing_empty_or_fuzzy_fails(source, locale_copy):
    edit(locale_copy, "fr", lambda po: po.remove(entry(po, "Opportunities")))
    edit(locale_copy, "es", lambda po: setattr(entry(po, "Opportunities"), "msgstr", ""))
    edit(locale_copy, "pt", lambda po: entry(po, "Opportunities").flags.append("fuzzy"))

    assert problems_of(locale_copy, source) == {
        ("fr", "missing", "Opportunities"),
        ("es", "empty", "Opportunities"),
        ("pt", "fuzzy", "Opportunities"),
    }


def test_a_plural_form_left_empty_fails(source, locale_copy):
    # Spanish has three forms: the one for millions must be filled too.
    edit(locale_copy, "es", lambda po: entry(po, PLURAL_MSGID).msgstr_plural.update({1: ""}))

    assert problems_of(locale_copy, source) == {("es", "empty", PLURAL_MSGID)}


def test_a_dropped_or_added_placeholder_or_tag_fails_and_says_which(source, locale_copy):
    def drop_placeholder(po):
        item = entry(po, PLACEHOLDER_MSGID)
        item.msgstr = item.msgstr.replace("%(need)s", "%(needs)s")

    def drop_tag(po):
        item = entry(po, TAG_MSGID)
        item.msgstr = item.msgstr.replace("</a>", "")

    edit(locale_copy, "fr", drop_placeholder)
    edit(locale_copy, "pt", drop_tag)

    problems = catalogues.translation_problems(locale_copy, source)

    details = {(problem.language, problem.kind, problem.msgid): problem.detail for problem in problems}
    assert details[("fr", "placeholders", PLACEHOLDER_MSGID)] == "drops %(need)s; adds %(needs)s"
    assert details[("pt", "placeholders", TAG_MSGID)] == "drops </a>"
    # msgfmt, which compilemessages runs, refuses the unknown placeholder too.
    assert ("fr", "msgfmt") in {(problem.language, problem.kind) for problem in problems}


def test_a_new_message_in_the_source_fails_until_it_is_translated(tmp_path, locale_copy):
    project = tmp_path / "project"
    shutil.copytree(settings.BASE_DIR / "templates", project / "templates")
    (project / "templates" / "new.html").write_text(
        '{% load i18n %}<p>{% translate "A sentence nobody has translated yet" %}</p>'
    )
    source = catalogues.source_messages(project)

    problems = problems_of(locale_copy, source)

    assert {problem for problem in problems if problem[2] == "A sentence nobody has translated yet"} == {
        ("fr", "missing", "A sentence nobody has translated yet"),
        ("es", "missing", "A sentence nobody has translated yet"),
        ("pt", "missing", "A sentence nobody has translated yet"),
    }
    # The templates' other messages are translated.
    assert len(problems) == 3


def test_the_make_target_exits_with_a_failure_and_lists_the_message(settings, locale_copy, capsys):
    edit(locale_copy, "es", lambda po: setattr(entry(po, "Opportunities"), "msgstr", ""))
    settings.LOCALE_PATHS = [locale_copy]

    assert catalogues.main(["check"]) == 1

    errors = capsys.readouterr().err
    assert "es: empty: 'Opportunities' (templates/base.html:" in errors
    assert "Translation problems: 1." in errors
