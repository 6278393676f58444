"""What the API shows and takes. Public serializers name each field they show (never `__all__`): the allow-list
test (tests/api/test_allow_list.py) walks them all, nested ones included, so nothing personal slips in."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from organisations.models import Organisation
from programmes.models import Need, Programme, Site
from volunteers.models import REQUIRABLE_CREDENTIALS, Language, Skill


def _absolute(serializer: serializers.Serializer, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "acronym"]


class OrganisationSerializer(serializers.ModelSerializer):
    """What the public directory shows of an organisation."""

    countries = serializers.SerializerMethodField()
    headquarters_country = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "id",
            "slug",
            "name",
            "acronym",
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
        ]

    def get_countries(self, organisation: Organisation) -> list[str]:
        return [country.code for country in organisation.countries]

    def get_headquarters_country(self, organisation: Organisation) -> str:
        return organisation.headquarters_country.code or ""

    def get_page_url(self, organisation: Organisation) -> str:
        return _absolute(self, organisation.get_absolute_url())


class ProgrammeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = ["id", "slug", "title", "kind", "summary", "content_language"]


class ProgrammeSerializer(serializers.ModelSerializer):
    """A published programme as the organisations' pages and the needs' pages show it."""

    countries = serializers.SerializerMethodField()
    lead_organisation = OrganisationBriefSerializer()
    partners = OrganisationBriefSerializer(source="listed_partners", many=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "slug",
            "title",
            "kind",
            "summary",
            "content_language",
            "countries",
            "start_date",
            "end_date",
            "lead_organisation",
            "partners",
        ]

    def get_countries(self, programme: Programme) -> list[str]:
        return [country.code for country in programme.countries]


class SiteSerializer(serializers.ModelSerializer):
    country = serializers.SerializerMethodField()

    class Meta:
        model = Site
        fields = ["name", "city", "country"]

    def get_country(self, site: Site) -> str:
        return site.country.code


class SkillSerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["slug", "name"]


class LanguageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Language
        fields = ["code", "name"]


class NeedSerializer(serializers.ModelSerializer):
    """An open need as its public page (/opportunities/<id>/) shows it; an elective's supervisor is never shown."""

    written_in = serializers.CharField(read_only=True)
    host_site = SiteSerializer(allow_null=True)
    required_skills = SkillSerializer(many=True)
    preferred_skills = SkillSerializer(many=True)
    required_languages = LanguageSerializer(many=True)
    is_elective = serializers.SerializerMethodField()
    support_offered = serializers.SerializerMethodField()
    programme = ProgrammeBriefSerializer()
    lead_organisation = OrganisationBriefSerializer(source="programme.lead_organisation")
    partners = OrganisationBriefSerializer(source="programme.listed_partners", many=True)
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Need
        fields = [
            "id",
            "title",
            "description",
            "written_in",
            "profession",
            "mode",
            "hours_per_week",
            "host_site",
            "window_start",
            "window_end",
            "min_duration_days",
            "places",
            "min_years_experience",
            "requires_verified_credential",
            "required_credentials",
            "is_elective",
            "application_deadline",
            "required_skills",
            "preferred_skills",
            "required_languages",
            "support_offered",
            "support_notes",
            "programme",
            "lead_organisation",
            "partners",
            "created_at",
            "page_url",
        ]

    def get_is_elective(self, need: Need) -> bool:
        return hasattr(need, "elective")

    def get_support_offered(self, need: Need) -> list[str]:
        """The support the host offers, as the names of the need's flags (e.g. "offers_travel")."""
        return [name for name in Need.SUPPORT_FIELDS if getattr(need, name)]

    def get_page_url(self, need: Need) -> str:
        return _absolute(self, need.get_absolute_url())


class CoordinatorNeedSerializer(NeedSerializer):
    """A need of the token's organisation, whatever its status."""

    class Meta(NeedSerializer.Meta):
        fields = [*NeedSerializer.Meta.fields, "status", "content_language", "updated_at"]


class NeedWriteSerializer(serializers.ModelSerializer):
    """What a coordinator's system sends to post or change a need: the fields of the coordinator's form (skills by
    slug, languages by code, the host site by id). The rules between fields are the service's
    (programmes.services), whose messages come back as they are."""

    programme = serializers.PrimaryKeyRelatedField(
        queryset=Programme.objects.none(),
        help_text=_("One of the organisation's own programmes; only when posting a need."),
    )
    required_skills = serializers.SlugRelatedField(
        slug_field="slug", queryset=Skill.objects.active(), many=True, required=False
    )
    preferred_skills = serializers.SlugRelatedField(
        slug_field="slug", queryset=Skill.objects.active(), many=True, required=False
    )
    required_languages = serializers.SlugRelatedField(
        slug_field="code", queryset=Language.objects.all(), many=True, required=False
    )
    host_site = serializers.PrimaryKeyRelatedField(
        queryset=Site.objects.none(), allow_null=True, required=False, help_text=_("One of the organisation's sites.")
    )
    required_credentials = serializers.MultipleChoiceField(choices=REQUIRABLE_CREDENTIALS, required=False)

    class Meta:
        model = Need
        fields = ["programme", *Need.EDITABLE_FIELDS]

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Without an organisation (the schema's generator) nothing is choosable.
        if organisation is not None:
            self.fields["programme"].queryset = Programme.objects.filter(lead_organisation=organisation)
            self.fields["host_site"].queryset = Site.objects.filter(organisation=organisation)
        if self.instance is not None:
            # A need stays in its programme.
            del self.fields["programme"]

    def validate_required_credentials(self, value) -> list[str]:
        return [kind for kind in REQUIRABLE_CREDENTIALS if kind in value]
