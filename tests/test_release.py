"""The release (globalir.release): kept pages and fragments are filed under it, so a deploy renders them anew."""

import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from globalir import release, shared_pages
from tests.factories import OrganisationFactory


@pytest.fixture
def project(tmp_path, settings):
    """A project folder of two files, read by the release instead of the real one."""
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text("<p>One</p>")
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "site.css").write_text("p { color: teal; }")
    settings.BASE_DIR = tmp_path
    release._digest.cache_clear()
    release._release_once.cache_clear()
    release._checked["at"] = float("-inf")
    yield tmp_path
    release._digest.cache_clear()
    release._release_once.cache_clear()
    release._checked["at"] = float("-inf")


def test_an_edited_template_or_stylesheet_is_a_new_release(project, settings):
    settings.DEBUG = True
    first = release.release()

    (project / "templates" / "page.html").write_text("<p>Two</p>")
    time.sleep(0.01)
    release._checked["at"] = float("-inf")  # the development server looks again after a second
    second = release.release()
    (project / "static" / "site.css").write_text("p { color: navy; }")
    release._checked["at"] = float("-inf")

    assert len({first, second, release.release()}) == 3


def test_without_debug_the_release_is_read_once_per_process(project, settings):
    settings.DEBUG = False
    first = release.release()

    (project / "templates" / "page.html").write_text("<p>Two</p>")

    assert release.release() == first


@pytest.mark.django_db
def test_a_new_release_renders_a_kept_anonymous_page_again(monkeypatch):
    OrganisationFactory(name="Kilimanjaro Imaging Trust", featured=True)
    assert Client().get(reverse("home")).status_code == 200

    monkeypatch.setattr(shared_pages, "release", lambda: "the-next-release")
    with CaptureQueriesContext(connection) as queries:
        assert "Kilimanjaro Imaging Trust" in Client().get(reverse("home")).content.decode()

    assert [query for query in queries if "organisations_organisation" in query["sql"]]
