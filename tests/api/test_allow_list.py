"""Every field the API shows, nested ones included, is on this list: a new field is a decision, never an accident.

Nothing here names a person: no user, e-mail address, supervisor, applicant, coordinator or token holder.
"""

import pytest
from rest_framework import serializers

from api import serializers as api_serializers

ORGANISATION_BRIEF = {"id", "slug", "name", "acronym"}
PROGRAMME_BRIEF = {"id", "slug", "title", "kind", "summary", "content_language"}
ALLOWED = {
    "OrganisationSerializer": {
        *ORGANISATION_BRIEF,
        "kind",
        "description",
        "content_language",
        "website",
        "twitter",
        "instagram",
        "facebook",
        "linkedin",
        "headquarters_country",
        "countries",
        "page_url",
    },
    "ProgrammeSerializer": {
        *PROGRAMME_BRIEF,
        "countries",
        "start_date",
        "end_date",
        *(f"lead_organisation.{name}" for name in ORGANISATION_BRIEF),
        *(f"partners.{name}" for name in ORGANISATION_BRIEF),
    },
    "NeedSerializer": (
        need := {
            "id",
            "title",
            "description",
            "written_in",
            "profession",
            "mode",
            "hours_per_week",
            "host_site.name",
            "host_site.city",
            "host_site.country",
            "window_start",
            "window_end",
            "min_duration_days",
            "places",
            "min_years_experience",
            "requires_verified_credential",
            "required_credentials",
            "is_elective",
            "application_deadline",
            "required_skills.slug",
            "required_skills.name",
            "preferred_skills.slug",
            "preferred_skills.name",
            "required_languages.code",
            "required_languages.name",
            "support_offered",
            "support_notes",
            *(f"programme.{name}" for name in PROGRAMME_BRIEF),
            *(f"lead_organisation.{name}" for name in ORGANISATION_BRIEF),
            *(f"partners.{name}" for name in ORGANISATION_BRIEF),
            "created_at",
            "page_url",
        }
    ),
    "CoordinatorNeedSerializer": {*need, "status", "content_language", "updated_at"},
}
PERSONAL = ("user", "email", "supervisor", "volunteer", "applicant", "created_by", "revoked_by", "token", "phone")


def walk(serializer: serializers.BaseSerializer, prefix: str = "") -> set[str]:
    """Dotted names of every leaf field `serializer` writes out, through nested and many=True serializers."""
    if isinstance(serializer, serializers.ListSerializer):
        serializer = serializer.child
    names = set()
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        nested = field.child if isinstance(field, serializers.ListSerializer) else field
        if isinstance(nested, serializers.BaseSerializer):
            names |= walk(nested, f"{prefix}{name}.")
        else:
            names.add(f"{prefix}{name}")
    return names


def output_serializers() -> list[type[serializers.Serializer]]:
    return [
        value
        for value in vars(api_serializers).values()
        if isinstance(value, type)
        and issubclass(value, serializers.Serializer)
        and value.__module__ == api_serializers.__name__
        and "Brief" not in value.__name__
        and "Write" not in value.__name__
        and value
        not in (api_serializers.SiteSerializer, api_serializers.SkillSerializer, api_serializers.LanguageSerializer)
    ]


def test_every_output_serializer_of_the_api_has_an_allow_list():
    assert sorted(serializer.__name__ for serializer in output_serializers()) == sorted(ALLOWED)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_every_field_shown_is_on_the_allow_list(name):
    shown = walk(getattr(api_serializers, name)())

    assert shown == ALLOWED[name]
    assert not [field for field in shown if any(word in field for word in PERSONAL)]
