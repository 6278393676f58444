"""Reports for a programme, an organisation and the whole portal: selectors that only read.

Each report runs a fixed number of aggregate queries whatever the number of needs, applications
or placements (see `report_for`). Rows of volunteers who erased their account stay in the
counts: their applications and placements are kept, anonymised (volunteer = NULL).

"Volunteers" here are the volunteers placed: those with an accepted or completed placement. Their
country is the home country of their volunteer profile.
"""

import datetime
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from globalir.spreadsheets import spreadsheet_csv
from organisations.models import Organisation
from programmes.models import Mode, Need, Programme
from volunteers.models import Profession, VolunteerProfile
from volunteers.selectors import volunteer_label

from .models import Application, Placement

ERASED = "erased"  # the key of the bucket for volunteers who erased their account


# --------------------------------------------------------------------------------------------------
# Charts: small horizontal bar charts drawn as inline SVG by templates/includes/bar_chart.svg.html
# --------------------------------------------------------------------------------------------------

CHART_WIDTH = 400
CHART_BAR_WIDTH = 320  # the longest bar; the rest of the width holds its value
CHART_ROW_HEIGHT = 40  # a label line, then the bar
CHART_BAR_HEIGHT = 14
CHART_LABEL_CHARS = 48


@dataclass(frozen=True)
class Figure:
    """One counted category: a row of a table and a bar of a chart."""

    key: str
    label: str
    value: int


@dataclass(frozen=True)
class ChartBar:
    label: str
    short_label: str
    value: int
    width: int
    label_y: int
    bar_y: int
    value_x: int
    value_y: int


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    bars: list[ChartBar]
    width: int
    height: int
    bar_height: int = CHART_BAR_HEIGHT
    track_width: int = CHART_BAR_WIDTH

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for bar in self.bars)


def bar_chart(*, id: str, title: str, figures: Iterable[Figure]) -> BarChart:
    """The geometry of a bar chart of `figures`, and a description that reads out every value."""
    figures = list(figures)
    largest = max((figure.value for figure in figures), default=0)
    bars = []
    for row, figure in enumerate(figures):
        top = row * CHART_ROW_HEIGHT
        width = round(CHART_BAR_WIDTH * figure.value / largest) if largest else 0
        if figure.value and width < 2:
            width = 2  # a non-zero value always shows
        short = figure.label if len(figure.label) <= CHART_LABEL_CHARS else figure.label[: CHART_LABEL_CHARS - 1] + "…"
        bars.append(
            ChartBar(
                label=figure.label,
                short_label=short,
                value=figure.value,
                width=width,
                label_y=top + 14,
                bar_y=top + 20,
                value_x=width + 6,
                value_y=top + 20 + CHART_BAR_HEIGHT - 2,
            )
        )
    values = "; ".join(f"{figure.label}: {figure.value}" for figure in figures)
    description = _("%(title)s. %(values)s.") % {"title": title, "values": values} if figures else title
    return BarChart(
        id=id,
        title=title,
        description=description,
        bars=bars,
        width=CHART_WIDTH,
        height=max(len(bars), 1) * CHART_ROW_HEIGHT + 4,
    )


# --------------------------------------------------------------------------------------------------
# The figures
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    """The figures of one programme, one organisation's programmes, or the whole portal."""

    needs: int
    places_posted: int
    places_filled: int
    needs_filled: int  # needs that have a filled_at: the sample of the median
    median_days_to_fill: float | None
    applications: int
    applications_by_status: list[Figure]
    volunteers_by_profession: list[Figure]
    volunteers_by_country: list[Figure]
    placements_completed: int
    placement_days: int  # of completed on-site and hybrid placements
    remote_hours: int  # of completed placements (Placement.remote_hours)
    anonymised_placements: int  # accepted or completed placements of volunteers who erased their account

    @cached_property
    def places_chart(self) -> BarChart:
        return bar_chart(
            id="chart-places",
            title=_("Places posted and filled"),
            figures=[
                Figure("posted", _("Places posted"), self.places_posted),
                Figure("filled", _("Places filled"), self.places_filled),
            ],
        )

    @cached_property
    def status_chart(self) -> BarChart:
        return bar_chart(
            id="chart-applications", title=_("Applications by status"), figures=self.applications_by_status
        )

    @cached_property
    def profession_chart(self) -> BarChart:
        return bar_chart(
            id="chart-professions", title=_("Volunteers placed, by profession"), figures=self.volunteers_by_profession
        )

    @property
    def charts(self) -> list[BarChart]:
        return [self.places_chart, self.status_chart, self.profession_chart]


@dataclass(frozen=True)
class ProgrammeRow:
    programme: Programme
    places_posted: int
    places_filled: int


@dataclass(frozen=True)
class OrganisationReport:
    organisation: Organisation
    report: Report
    programmes: list[ProgrammeRow] = field(default_factory=list)


@dataclass(frozen=True)
class PortalReport:
    report: Report
    volunteers_onboarded: int
    needs_open: int
    countries_active: list[str]  # names of the countries with an open need, sorted

    @property
    def countries_active_count(self) -> int:
        return len(self.countries_active)


def _scoped(queryset: QuerySet, scope: dict, prefix: str) -> QuerySet:
    return queryset.filter(**{f"{prefix}{key}": value for key, value in scope.items()})


def _median_days(pairs: Iterable[tuple[datetime.datetime, datetime.datetime]]) -> float | None:
    durations = [(filled - created).total_seconds() / 86400 for created, filled in pairs]
    return round(statistics.median(durations), 1) if durations else None


def _country_label(code: str) -> str:
    return str(countries.name(code)) if code else _("Not given")


def _volunteer_figures(rows, label_of) -> list[Figure]:
    """Figures from (key, distinct volunteers, placements) rows; the placements of erased accounts
    have key None and count one volunteer each, as nobody can tell them apart any more."""
    figures = []
    erased = 0
    for key, volunteers, placements in rows:
        if key is None:
            erased += placements
        else:
            figures.append(Figure(key, label_of(key), volunteers))
    figures.sort(key=lambda figure: (-figure.value, figure.label))
    if erased:
        figures.append(Figure(ERASED, _("Account erased"), erased))
    return figures


def report_for(*, scope: dict) -> Report:
    """The figures of the needs matching `scope` (Need lookups, e.g. {"programme": programme}).

    Six queries, whatever the size: needs and places, filled needs' dates, applications by status,
    placed volunteers by profession and by country, and completed placements.
    """
    needs = _scoped(Need.objects.order_by(), scope, "")
    totals = needs.aggregate(needs=Count("pk"), places=Coalesce(Sum("places"), 0))
    fill_dates = list(needs.filter(filled_at__isnull=False).values_list("created_at", "filled_at"))

    by_status = dict(
        _scoped(Application.objects.order_by(), scope, "need__")
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    applications_by_status = [
        Figure(status.value, str(status.label), by_status.get(status.value, 0)) for status in Application.Status
    ]

    placed = _scoped(Placement.objects.order_by(), scope, "need__").filter(
        application__status__in=Application.TAKING_PLACE_STATUSES
    )
    by_profession = (
        placed.values("volunteer__profession")
        .annotate(volunteers=Count("volunteer", distinct=True), placements=Count("pk"))
        .values_list("volunteer__profession", "volunteers", "placements")
    )
    by_country = (
        placed.values("volunteer__home_country")
        .annotate(volunteers=Count("volunteer", distinct=True), placements=Count("pk"))
        .values_list("volunteer__home_country", "volunteers", "placements")
    )
    completed = list(
        placed.filter(application__status=Application.Status.COMPLETED).values_list(
            "mode", "start_date", "end_date", "hours_per_week"
        )
    )
    placement_days = remote_hours = 0
    for mode, start, end, hours_per_week in completed:
        # The same arithmetic as Placement.days and Placement.remote_hours, row by row.
        placement = Placement(mode=mode, start_date=start, end_date=end, hours_per_week=hours_per_week)
        if placement.is_onsite:
            placement_days += placement.days
        remote_hours += placement.remote_hours

    profession_labels = dict(Profession.choices)
    professions = _volunteer_figures(by_profession, lambda key: str(profession_labels.get(key, key)))
    return Report(
        needs=totals["needs"],
        places_posted=totals["places"],
        places_filled=sum(by_status.get(status, 0) for status in Application.TAKING_PLACE_STATUSES),
        needs_filled=len(fill_dates),
        median_days_to_fill=_median_days(fill_dates),
        applications=sum(by_status.values()),
        applications_by_status=applications_by_status,
        volunteers_by_profession=professions,
        volunteers_by_country=_volunteer_figures(by_country, _country_label),
        placements_completed=len(completed),
        placement_days=placement_days,
        remote_hours=remote_hours,
        anonymised_placements=next((f.value for f in professions if f.key == ERASED), 0),
    )


def programme_report(*, programme: Programme) -> Report:
    return report_for(scope={"programme": programme})


def organisation_report(*, organisation: Organisation) -> OrganisationReport:
    """The figures over every programme the organisation leads, and each programme's places."""
    programmes = Programme.objects.filter(lead_organisation=organisation)
    posted = (
        Need.objects.filter(programme=OuterRef("pk"))
        .order_by()
        .values("programme")
        .annotate(total=Sum("places"))
        .values("total")
    )
    filled = (
        Application.objects.taking_place()
        .filter(need__programme=OuterRef("pk"))
        .order_by()
        .values("need__programme")
        .annotate(total=Count("pk"))
        .values("total")
    )
    rows = programmes.annotate(
        posted=Coalesce(Subquery(posted, output_field=IntegerField()), 0),
        filled=Coalesce(Subquery(filled, output_field=IntegerField()), 0),
    ).order_by("title", "pk")
    return OrganisationReport(
        organisation=organisation,
        report=report_for(scope={"programme__lead_organisation": organisation}),
        programmes=[ProgrammeRow(programme, programme.posted, programme.filled) for programme in rows],
    )


def portal_report() -> PortalReport:
    """The figures across the portal, and how many volunteers, needs and countries are active.

    Active countries are those with an open need: its host site's country, or for a remote need
    the countries of its programme.
    """
    report = report_for(scope={})
    volunteers = VolunteerProfile.objects.filter(onboarding_completed_at__isnull=False).count()
    open_needs = Need.objects.open().order_by()
    needs_open = open_needs.count()
    hosted = open_needs.filter(host_site__isnull=False).values_list("host_site__country")
    remote = open_needs.filter(host_site__isnull=True).values_list("programme__countries")
    codes = set()
    for (value,) in hosted.union(remote):
        # A programme's countries come back in their stored form, "KE,TZ".
        codes.update(code for code in str(value or "").split(",") if code)
    return PortalReport(
        report=report,
        volunteers_onboarded=volunteers,
        needs_open=needs_open,
        countries_active=sorted((str(countries.name(code)) for code in codes), key=str.casefold),
    )


# --------------------------------------------------------------------------------------------------
# CSV export of a programme's placements
# --------------------------------------------------------------------------------------------------


def placements_csv_rows(*, programme: Programme) -> Iterator[list[str]]:
    """The header and one row per placement of the programme. One query."""
    yield [
        _("Need"),
        _("Mode"),
        _("Start"),
        _("End"),
        _("Days"),
        _("Remote hours"),
        _("Status"),
        _("Volunteer"),
    ]
    placements = (
        Placement.objects.filter(need__programme=programme)
        .select_related("need", "application", "volunteer__user")
        .order_by("start_date", "pk")
    )
    for placement in placements:
        yield [
            placement.need.title,
            Mode(placement.mode).label,
            placement.start_date.isoformat(),
            placement.end_date.isoformat(),
            placement.days,
            placement.remote_hours,
            placement.application.get_status_display(),
            volunteer_label(volunteer=placement.volunteer, number=placement.application_id),
        ]


def placements_csv(*, programme: Programme) -> tuple[str, str]:
    """The programme's placements as CSV text, safe to open in a spreadsheet, and a file name for it."""
    filename = f"placements-{programme.slug}-{timezone.localdate():%Y-%m-%d}.csv"
    return spreadsheet_csv(placements_csv_rows(programme=programme)), filename
