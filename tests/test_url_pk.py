"""{% url_pk %}: the same address as {% url %}, reversed once per pattern."""

import pytest
from django.template import Context, Template
from django.urls import reverse, set_script_prefix

NAMES = ["programmes:need-edit", "programmes:programme-detail", "placements:pipeline", "programmes:workspace-needs"]


def render(name: str, pk) -> str:
    return Template("{% load url_pk %}{% url_pk name pk %}").render(Context({"name": name, "pk": pk}))


@pytest.mark.parametrize("name", NAMES)
def test_it_gives_the_address_url_gives_for_every_id(name):
    for pk in (1, 7, 42, 918273645, 10**12):
        assert render(name, pk) == reverse(name, args=[pk])


def test_it_follows_the_script_prefix_of_the_site():
    set_script_prefix("/portal/")
    try:
        assert render("programmes:need-edit", 3) == reverse("programmes:need-edit", args=[3])
        assert render("programmes:need-edit", 3).startswith("/portal/")
    finally:
        set_script_prefix("/")
    assert render("programmes:need-edit", 3) == reverse("programmes:need-edit", args=[3])


def test_it_refuses_what_is_not_an_id():
    with pytest.raises(ValueError):
        render("programmes:need-edit", "1/../2")
