"""The translation catalogues: regenerating them, and the gate that keeps every partner language complete.

``python -m globalir.catalogues update`` (``make messages``) regenerates locale/<language>/LC_MESSAGES/django.po
from the source with Django's makemessages, keeping the translations already made; translators then fill what
is new. ``python -m globalir.catalogues check`` (``make check-translations``, a phase of CI) extracts the source's
messages again, into a temporary folder so that the committed catalogues are only read, and fails, listing
them, when a message is missing from a catalogue, has an empty or fuzzy translation, or when a translation drops
or adds a placeholder (``%(name)s``, ``%s``, ``{name}``) or an HTML tag; then msgfmt checks each catalogue as
compilemessages will.

The scripts show no text of their own (static/js reads its words from the page), so there is no djangojs
catalogue. polib (requirements-dev.txt) reads the catalogues; makemessages and msgfmt need gettext.
"""

import contextlib
import re
import subprocess  # nosec B404
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test.utils import override_settings

# The partner languages, which must be complete (English is the source).
LANGUAGES = ("fr", "es", "pt")
# Not the portal's messages: the virtualenv, collected static files, tests and benchmarks. The catalogues'
# folder too: makemessages writes next to a "locale" folder it walks into, and the check writes elsewhere.
IGNORED = (".venv", "staticfiles", "tests", "bench", "locale", "node_modules")

PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACE = re.compile(r"\{[A-Za-z0-9_.]*\}")
TAG = re.compile(r"<[^<>]+>")
ENTITY = re.compile(r"&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);")


@dataclass(frozen=True)
class Problem:
    language: str
    kind: str  # missing, empty, fuzzy, placeholders, msgfmt
    msgid: str
    where: str = ""
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.language}: {self.kind}: {self.msgid!r}"
        if self.where:
            text += f" ({self.where})"
        if self.detail:
            text += f": {self.detail}"
        return text


def catalogue_path(locale_dir: Path, language: str) -> Path:
    return Path(locale_dir) / language / "LC_MESSAGES" / "django.po"


def source_messages(root: Path | None = None) -> polib.POFile:
    """Every message of the source under ``root`` (the project), as makemessages extracts it, untranslated."""
    root = Path(root or settings.BASE_DIR)
    # makemessages writes a file's messages to the first locale folder whose parent holds the file: a
    # temporary folder at the root comes before locale/. Hidden, so that makemessages does not walk it.
    with (
        tempfile.TemporaryDirectory(prefix=".catalogue-check-", dir=root) as folder,
        contextlib.chdir(root),
        override_settings(LOCALE_PATHS=[folder]),
    ):
        call_command(
            "makemessages", locale=[LANGUAGES[0]], ignore_patterns=list(IGNORED), no_obsolete=True, verbosity=0
        )
        return polib.pofile(str(catalogue_path(Path(folder), LANGUAGES[0])))


def catalogues_update(root: Path | None = None) -> None:
    """Regenerate the committed catalogues from the source: new messages come in untranslated, messages
    no longer in the source go, translations of the others are kept (makemessages runs msgmerge)."""
    with contextlib.chdir(Path(root or settings.BASE_DIR)):
        call_command("makemessages", locale=list(LANGUAGES), ignore_patterns=list(IGNORED), no_obsolete=True)


def _key(entry: polib.POEntry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def _marks(text: str, *, percent: bool) -> Counter:
    marks = Counter(BRACE.findall(text)) + Counter(TAG.findall(text)) + Counter(ENTITY.findall(text))
    if percent:
        marks += Counter(PERCENT.findall(text))
    return marks


def _mark_difference(source: str, translation: str, *, percent: bool) -> str:
    expected, found = _marks(source, percent=percent), _marks(translation, percent=percent)
    if expected == found:
        return ""
    parts = []
    if dropped := expected - found:
        parts.append("drops " + " ".join(sorted(dropped.elements())))
    if added := found - expected:
        parts.append("adds " + " ".join(sorted(added.elements())))
    return "; ".join(parts)


def catalogue_problems(source: polib.POFile, catalogue: polib.POFile, language: str) -> list[Problem]:
    """What keeps ``catalogue`` from translating every message of ``source`` faithfully."""
    problems = []
    if catalogue.metadata_is_fuzzy:
        # msgfmt skips a fuzzy header, and with it the charset: every accented letter would be lost.
        problems.append(Problem(language, "fuzzy", "", "the catalogue's header"))
    entries = {_key(entry): entry for entry in catalogue if not entry.obsolete}
    match = re.search(r"nplurals\s*=\s*(\d+)", catalogue.metadata.get("Plural-Forms", ""))
    plural_forms = int(match.group(1)) if match else 2
    for wanted in source:
        where = ", ".join(f"{path}:{line}" for path, line in wanted.occurrences[:2])
        entry = entries.get(_key(wanted))
        if entry is None:
            problems.append(Problem(language, "missing", wanted.msgid, where))
            continue
        if "fuzzy" in entry.flags:
            problems.append(Problem(language, "fuzzy", wanted.msgid, where))
        # A message with a placeholder is python-format: its % signs are placeholders, others are text.
        percent = "python-format" in wanted.flags or "python-format" in entry.flags
        if entry.msgid_plural:
            forms = [entry.msgstr_plural.get(index, "") for index in range(plural_forms)]
            if not all(form.strip() for form in forms):
                problems.append(Problem(language, "empty", wanted.msgid, where, f"{plural_forms} plural forms needed"))
                continue
            for index, form in enumerate(forms):
                original = entry.msgid if index == 0 else entry.msgid_plural
                if difference := _mark_difference(original, form, percent=percent):
                    problems.append(
                        Problem(language, "placeholders", wanted.msgid, where, f"form {index} {difference}")
                    )
        elif not entry.msgstr.strip():
            problems.append(Problem(language, "empty", wanted.msgid, where))
        elif difference := _mark_difference(entry.msgid, entry.msgstr, percent=percent):
            problems.append(Problem(language, "placeholders", wanted.msgid, where, difference))
    return problems


def _msgfmt_problems(path: Path, language: str) -> list[Problem]:
    # The checks compilemessages makes (format strings, leading and trailing newlines, the header).
    command = ["msgfmt", "--check", "--output-file=/dev/null", str(path)]
    # A fixed gettext command on a file of the project.
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if result.returncode == 0:
        return []
    return [Problem(language, "msgfmt", str(path), detail=line) for line in result.stderr.splitlines() if line]


def translation_problems(locale_dir: Path | None = None, source: polib.POFile | None = None) -> list[Problem]:
    """Every problem of the catalogues in ``locale_dir`` (the project's) against the source's messages."""
    locale_dir = Path(locale_dir or settings.LOCALE_PATHS[0])
    source = source if source is not None else source_messages()
    problems = []
    for language in LANGUAGES:
        path = catalogue_path(locale_dir, language)
        if not path.exists():
            problems.append(Problem(language, "missing", str(path), detail="no catalogue"))
            continue
        problems += catalogue_problems(source, polib.pofile(str(path)), language)
        problems += _msgfmt_problems(path, language)
    return problems


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "update":
        catalogues_update()
        return 0
    if command != "check":
        print("Usage: python -m globalir.catalogues [check|update]", file=sys.stderr)
        return 2
    source = source_messages()
    problems = translation_problems(source=source)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            f"Translation problems: {len(problems)}. `make messages` brings new messages into the catalogues; "
            "translate them (glossary: locale/GLOSSARY.md), keeping every placeholder and tag.",
            file=sys.stderr,
        )
        return 1
    print(f"{len(source)} messages, translated in {', '.join(LANGUAGES)}.")
    return 0


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "globalir.settings")
    django.setup()
    sys.exit(main(sys.argv[1:]))
