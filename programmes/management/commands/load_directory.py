"""Load the curated directory of real organisations, programmes and sites (organisations/directory.py).

Idempotent: a second run changes nothing. New organisations are created verified; on later runs
the listing status and the featured flag that admins may have changed are left alone, as is a
programme's status. Partnerships, programme partners and programme sites are only ever added.
"""

from collections import Counter

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries.fields import Country

from organisations import directory
from organisations.models import Organisation
from organisations.services import organisation_partners_add, organisation_upsert
from programmes.models import Programme, Site

ORGANISATION_FIELDS = (
    "name",
    "acronym",
    "kind",
    "description",
    "website",
    "twitter",
    "instagram",
    "facebook",
    "headquarters_country",
    "countries",
)
PROGRAMME_FIELDS = ("title", "kind", "summary", "description", "countries")
SITE_FIELDS = ("description",)


def _comparable(value):
    if isinstance(value, Country):
        return value.code or ""
    if isinstance(value, list | tuple):
        return sorted(str(item) for item in value)
    if isinstance(value, Organisation):
        return value.pk
    return value


def _summary_line(label: str, counts: Counter) -> str:
    return _("%(label)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
        "label": label,
        "created": counts["created"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
    }


def _update_changed(instance, values: dict) -> bool:
    changed = [name for name, value in values.items() if _comparable(getattr(instance, name)) != _comparable(value)]
    if not changed:
        return False
    for name in changed:
        setattr(instance, name, values[name])
    instance.full_clean()
    instance.save()
    return True


def _load_site(entry: dict, organisations: dict[str, Organisation]) -> tuple[Site, str]:
    values = {name: entry.get(name, "") for name in SITE_FIELDS}
    values["organisation"] = organisations[entry["organisation"]] if entry.get("organisation") else None
    site = Site.objects.filter(name=entry["name"], city=entry["city"], country=entry["country"]).first()
    if site is None:
        site = Site(name=entry["name"], city=entry["city"], country=entry["country"], **values)
        site.full_clean()
        site.save()
        return site, "created"
    return site, "updated" if _update_changed(site, values) else "unchanged"


def _load_programme(
    entry: dict, organisations: dict[str, Organisation], sites: dict[tuple[str, str, str], Site]
) -> tuple[Programme, str]:
    values = {name: entry.get(name, "") for name in PROGRAMME_FIELDS}
    values["countries"] = entry.get("countries", [])
    values["lead_organisation"] = organisations[entry["lead"]]
    programme = Programme.objects.filter(slug=entry["slug"]).first()
    outcome = "unchanged"
    if programme is None:
        programme = Programme(slug=entry["slug"], status=entry.get("status", Programme.Status.DRAFT), **values)
        programme.full_clean()
        programme.save()
        outcome = "created"
    elif _update_changed(programme, values):
        outcome = "updated"
    partners = [organisations[slug] for slug in entry.get("partners", [])]
    missing_partners = set(partner.pk for partner in partners) - set(programme.partners.values_list("pk", flat=True))
    if missing_partners:
        programme.partners.add(*missing_partners)
    missing_sites = set(sites[key].pk for key in entry.get("sites", [])) - set(
        programme.sites.values_list("pk", flat=True)
    )
    if missing_sites:
        programme.sites.add(*missing_sites)
    if outcome == "unchanged" and (missing_partners or missing_sites):
        outcome = "updated"
    return programme, outcome


class Command(BaseCommand):
    help = gettext_lazy(
        "Load the curated directory of real IR organisations, their partnerships, programmes and sites. "
        "Safe to run again: existing rows are updated, nothing is duplicated, and admin-set status and "
        "featured flags are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=gettext_lazy(
                "Load only into a database that holds no organisation yet (`make run` on its first run), so that "
                "later runs keep what was edited."
            ),
        )

    def handle(self, *args, if_empty: bool = False, **options):
        if if_empty and Organisation.objects.exists():
            self.stdout.write(
                _("The database already holds organisations: the directory was not loaded again, and nothing changed.")
            )
            return
        with transaction.atomic():
            outcomes: dict[str, str] = {}
            organisations: dict[str, Organisation] = {}
            for entry in directory.ORGANISATIONS:
                values = {name: entry.get(name, "") for name in ORGANISATION_FIELDS}
                values["countries"] = entry.get("countries", [])
                organisations[entry["slug"]], outcomes[entry["slug"]] = organisation_upsert(
                    slug=entry["slug"], values=values
                )

            partners_of: dict[str, list[Organisation]] = {}
            for slug, partner_slug in directory.PARTNERSHIPS:
                partners_of.setdefault(slug, []).append(organisations[partner_slug])
            for slug, partners in partners_of.items():
                added = organisation_partners_add(organisation=organisations[slug], partners=partners)
                if added and outcomes[slug] == "unchanged":
                    outcomes[slug] = "updated"
            organisation_counts = Counter(outcomes.values())

            site_counts: Counter = Counter()
            sites: dict[tuple[str, str, str], Site] = {}
            for entry in directory.SITES:
                site, outcome = _load_site(entry, organisations)
                sites[(entry["name"], entry["city"], entry["country"])] = site
                site_counts[outcome] += 1

            programme_counts: Counter = Counter()
            for entry in directory.PROGRAMMES:
                _programme, outcome = _load_programme(entry, organisations, sites)
                programme_counts[outcome] += 1

        self.stdout.write(_summary_line(_("Organisations"), organisation_counts))
        self.stdout.write(_summary_line(_("Programmes"), programme_counts))
        self.stdout.write(_summary_line(_("Sites"), site_counts))
