"""`manage.py load_directory`: the curated real organisations, programmes and sites, loaded idempotently."""

from io import StringIO

import pytest
from django.core.management import call_command

from organisations.models import Organisation
from programmes.models import Programme, Site
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

# Every society on SIR's list of IR organisations worldwide (seed 004), with its headquarters country;
# regional societies whose seat we do not record have none.
SIR_LIST = {
    "APSCVIR": "",
    "ASIR": "AT",
    "SoBRICE": "BR",
    "BSIR": "GB",
    "Bulgarian Society of Interventional Radiology": "BG",
    "CAIR": "CA",
    "CIRSE": "AT",
    "CVIR Section of SRS": "SG",
    "MACIRT": "HU",
    "Chinese Society of Interventional Radiology": "CN",
    "CARVI": "AR",
    "CSR": "HR",
    "CSIR": "CZ",
    "DFIR": "DK",
    "NGIR": "NL",
    "ESIR": "EG",
    "ESR": "AT",
    "FAARDIT": "AR",
    "FSIR": "FI",
    "GACIR": "GE",
    "DeGIR": "DE",
    "Ghana Society of Interventional Radiology": "GH",
    "GSIR": "GR",
    "HKSIR": "HK",
    "HSIR": "HU",
    "SIDI": "",
    "ISVIR": "IN",
    "PLTR": "PL",
    "IRSA": "",
    "ISIR": "IE",
    "ILSIR": "IL",
    "JSIR": "JP",
    "KSIR": "KR",
    "Mongolian Society of Interventional Radiology": "MN",
    "PAIRS": "",
    "Philippine Society of Vascular and Interventional Radiology": "PH",
    "NURIP": "PT",
    "SFR": "FR",
    "RBRS": "BE",
    "SIRS": "SA",
    "SSVIR": "SE",
    "SIRM": "IT",
    "SAR": "AR",
    "SMIT": "",
    "RSIOR": "RU",
    "SERVEI": "ES",
    "SSCVIR": "CH",
    "TGRD": "TR",
    "Taiwanese Radiological Society": "TW",
    "TSVIR": "TH",
    "PSKVIR": "SK",
}


def load() -> str:
    out = StringIO()
    call_command("load_directory", stdout=out)
    return out.getvalue()


def find(acronym_or_name: str) -> Organisation:
    matches = Organisation.objects.filter(acronym=acronym_or_name) | Organisation.objects.filter(name=acronym_or_name)
    assert matches.count() == 1, acronym_or_name
    return matches.get()


def test_every_society_on_sirs_world_list_is_loaded_with_its_country():
    load()

    for key, country in SIR_LIST.items():
        society = find(key)
        assert society.kind == Organisation.Kind.SOCIETY, key
        assert society.headquarters_country.code == country, key
        assert society.description, key


def test_regional_societies_name_their_member_regions():
    load()

    assert "Asia-Pacific" in find("APSCVIR").description
    assert "Latin America, Spain and Portugal" in find("SIDI").description
    assert "Arab world" in find("PAIRS").description
    assert [country.code for country in find("IRSA").countries] == ["AU", "NZ"]


def test_seed_typos_are_fixed_in_our_names():
    load()

    assert find("NURIP").name == "Portuguese Section of Interventional Radiology"
    assert find("ESIR").name == "Egyptian Society of Interventional Radiology"
    assert find("ILSIR").name == "Israeli Society of Interventional Radiology"
    assert not Organisation.objects.filter(name__icontains="portugese").exists()


def test_rad_aid_is_listed_as_a_us_ngo_with_its_twitter_handle():
    load()

    rad_aid = Organisation.objects.listed().get(slug="rad-aid-international")
    assert rad_aid.kind == Organisation.Kind.NGO
    assert rad_aid.headquarters_country.code == "US"
    assert rad_aid.twitter == "RADAIDIntl"
    assert rad_aid.website == "https://www.rad-aid.org"
    assert "Johns Hopkins" in rad_aid.description


def test_road2ir_is_listed_with_its_three_university_partners():
    load()

    road2ir = Organisation.objects.listed().get(slug="road2ir")
    assert (road2ir.twitter, road2ir.instagram, road2ir.facebook) == ("Road2IR", "Road2IR", "Road to IR")
    assert "Tanzania Interventional Radiology Initiative" in road2ir.description
    partners = {partner.name: partner for partner in road2ir.partners.all()}
    assert sorted(partners) == [
        "Emory University",
        "Muhimbili University of Health and Allied Sciences",
        "Yale University",
    ]
    assert {partner.kind for partner in partners.values()} == {Organisation.Kind.ACADEMIC}
    assert partners["Muhimbili University of Health and Allied Sciences"].headquarters_country.code == "TZ"
    assert partners["Yale University"].headquarters_country.code == "US"
    # Partnerships are symmetrical: the universities show Road2IR too.
    assert list(partners["Yale University"].partners.all()) == [road2ir]


def test_the_tanzania_ir_training_programme_is_published_at_muhimbili():
    load()

    programme = Programme.objects.published().get(title="Tanzania IR training programme")
    assert programme.kind == Programme.Kind.TRAINING
    assert programme.lead_organisation.slug == "road2ir"
    assert [country.code for country in programme.countries] == ["TZ"]
    assert sorted(programme.partners.values_list("name", flat=True)) == [
        "Emory University",
        "Muhimbili University of Health and Allied Sciences",
        "Yale University",
    ]
    site = programme.sites.get()
    assert (site.name, site.city, site.country.code) == ("Muhimbili National Hospital", "Dar es Salaam", "TZ")


def test_sir_runs_the_international_visiting_professor_program():
    load()

    sir = find("SIR")
    assert sir.name == "Society of Interventional Radiology"
    assert (sir.twitter, sir.instagram) == ("SIRSpecialists", "sirspecialists")
    programme = Programme.objects.published().get(lead_organisation=sir)
    assert programme.title == "International Visiting Professor Program"
    assert programme.kind == Programme.Kind.VISITING_PROFESSOR


def test_cair_ir_juniors_and_rsna_are_listed_with_their_countries():
    load()

    assert find("CAIR").name == "Canadian Association for Interventional Radiology"
    ir_juniors = Organisation.objects.listed().get(name="IR Juniors")
    assert ir_juniors.headquarters_country.code == "GB"
    assert "students" in ir_juniors.description
    rsna = find("RSNA")
    assert rsna.name == "Radiological Society of North America"
    assert rsna.headquarters_country.code == "US"


def test_the_iaea_runs_rays_of_hope_and_partners_with_rsna():
    load()

    iaea = find("IAEA")
    assert iaea.kind == Organisation.Kind.INTERGOVERNMENTAL
    assert iaea.headquarters_country.code == "AT"
    assert list(iaea.partners.all()) == [find("RSNA")]
    assert Programme.objects.published().get(lead_organisation=iaea).title == "Rays of Hope"


def test_every_loaded_organisation_is_verified_and_publicly_listed():
    load()

    assert Organisation.objects.count() == 60
    assert Organisation.objects.listed().count() == 60
    assert not Organisation.objects.featured().exists()


def test_websites_are_only_the_certain_ones_and_no_email_is_invented():
    load()

    assert not Organisation.objects.exclude(contact_email="").exists()
    assert set(Organisation.objects.exclude(website="").values_list("acronym", "website")) == {
        ("RAD-AID", "https://www.rad-aid.org"),
        ("SIR", "https://www.sirweb.org"),
        ("RSNA", "https://www.rsna.org"),
        ("IAEA", "https://www.iaea.org"),
        ("CIRSE", "https://www.cirse.org"),
        ("", "https://www.yale.edu"),
        ("", "https://www.emory.edu"),
    }


def test_it_reports_what_it_created():
    output = load()

    assert "Organisations: 60 created, 0 updated, 0 unchanged." in output
    assert "Programmes: 3 created, 0 updated, 0 unchanged." in output
    assert "Sites: 1 created, 0 updated, 0 unchanged." in output


def test_running_it_twice_duplicates_and_changes_nothing():
    load()
    before = {
        "organisations": list(Organisation.objects.order_by("pk").values_list("pk", "slug", "updated_at")),
        "programmes": list(Programme.objects.order_by("pk").values_list("pk", "slug", "updated_at")),
        "sites": list(Site.objects.order_by("pk").values_list("pk", "name")),
        "partners": sorted(Organisation.partners.through.objects.values_list("from_organisation", "to_organisation")),
        "programme partners": sorted(Programme.partners.through.objects.values_list("programme", "organisation")),
    }

    output = load()

    assert "Organisations: 0 created, 0 updated, 60 unchanged." in output
    assert "Programmes: 0 created, 0 updated, 3 unchanged." in output
    assert "Sites: 0 created, 0 updated, 1 unchanged." in output
    assert before == {
        "organisations": list(Organisation.objects.order_by("pk").values_list("pk", "slug", "updated_at")),
        "programmes": list(Programme.objects.order_by("pk").values_list("pk", "slug", "updated_at")),
        "sites": list(Site.objects.order_by("pk").values_list("pk", "name")),
        "partners": sorted(Organisation.partners.through.objects.values_list("from_organisation", "to_organisation")),
        "programme partners": sorted(Programme.partners.through.objects.values_list("programme", "organisation")),
    }


def test_status_and_featured_flags_set_by_admins_survive_a_reload():
    load()
    Organisation.objects.filter(slug="rad-aid-international").update(featured=True)
    Organisation.objects.filter(slug="society-for-medical-innovation-and-technology").update(
        status=Organisation.Status.ARCHIVED
    )
    Programme.objects.filter(slug="rays-of-hope").update(status=Programme.Status.CLOSED)

    output = load()

    assert "Organisations: 0 created, 0 updated, 60 unchanged." in output
    assert Organisation.objects.get(slug="rad-aid-international").featured
    assert Organisation.objects.get(slug="society-for-medical-innovation-and-technology").status == "archived"
    assert Programme.objects.get(slug="rays-of-hope").status == Programme.Status.CLOSED


def test_a_reload_restores_directory_fields_edited_since():
    load()
    Organisation.objects.filter(slug="road2ir").update(description="Something else", twitter="")

    output = load()

    assert "Organisations: 0 created, 1 updated, 59 unchanged." in output
    road2ir = Organisation.objects.get(slug="road2ir")
    assert road2ir.twitter == "Road2IR"
    assert "Tanzania Interventional Radiology Initiative" in road2ir.description


def test_a_partnership_removed_since_is_added_back_and_extra_ones_are_kept():
    load()
    road2ir = Organisation.objects.get(slug="road2ir")
    road2ir.partners.remove(Organisation.objects.get(slug="yale-university"))
    road2ir.partners.add(Organisation.objects.get(slug="rad-aid-international"))

    output = load()

    assert "Organisations: 0 created, 1 updated, 59 unchanged." in output
    assert sorted(road2ir.partners.values_list("slug", flat=True)) == [
        "emory-university",
        "muhimbili-university-of-health-and-allied-sciences",
        "rad-aid-international",
        "yale-university",
    ]


def test_an_organisation_already_requested_under_the_same_name_is_taken_over_not_duplicated():
    existing = OrganisationFactory(name="Road2IR", slug="road-2-ir", status=Organisation.Status.PENDING)

    load()

    road2ir = Organisation.objects.get(name="Road2IR")
    assert road2ir.pk == existing.pk
    assert road2ir.status == Organisation.Status.PENDING
    assert road2ir.twitter == "Road2IR"
    assert road2ir.partners.count() == 3
    assert Programme.objects.get(slug="tanzania-ir-training-programme").lead_organisation == road2ir


def test_if_empty_loads_into_a_database_without_organisations():
    out = StringIO()
    call_command("load_directory", if_empty=True, stdout=out)

    assert "Organisations: 60 created" in out.getvalue()
    assert Organisation.objects.count() == 60


def test_if_empty_leaves_a_database_with_organisations_as_it_is():
    load()
    road2ir = find("Road2IR")
    road2ir.description = "Edited by a site admin since the first run."
    road2ir.save()
    OrganisationFactory(name="Created by hand")
    out = StringIO()

    call_command("load_directory", if_empty=True, stdout=out)

    assert "The database already holds organisations: the directory was not loaded again" in out.getvalue()
    assert find("Road2IR").description == "Edited by a site admin since the first run."
    assert Organisation.objects.count() == 61
