import pytest


@pytest.fixture
def notice_templates(settings, tmp_path):
    """Templates for an essential kind of e-mail of the tests' own, "test_notice", so that these tests
    do not depend on the wording of the real e-mails."""
    folder = tmp_path / "templates" / "emails"
    folder.mkdir(parents=True)
    (folder / "test_notice_subject.txt").write_text("A notice about {{ topic }}\n")
    (folder / "test_notice.txt").write_text(
        '{% extends "emails/base.txt" %}{% block body %}Something happened to {{ topic }}.{% endblock %}'
    )
    (folder / "test_notice.html").write_text(
        '{% extends "emails/base.html" %}{% block body %}<p>Something happened to {{ topic }}.</p>{% endblock %}'
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [tmp_path / "templates", *engine["DIRS"]]}]
    return "test_notice"
