"""Reading the Speakers Bureau: a speaker's own profile, and what coordinators may see of listed speakers."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.http import QueryDict

from globalir.regions import Region

from .models import Language, Skill, VolunteerProfile
from .speaker_forms import SpeakerFilter
from .speakers import SpeakerProfile

SPEAKER_PAGE_SIZE = 20


def speaker_profile_for(*, profile: VolunteerProfile) -> SpeakerProfile | None:
    return SpeakerProfile.objects.filter(profile=profile).first()


@dataclass(frozen=True)
class SpeakerCard:
    """What coordinators see of a listed speaker: the name, and only the fields the speaker shows."""

    pk: int
    name: str
    profession: str
    topics: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    region: str = ""
    career_stage: str = ""
    identity: list[str] = field(default_factory=list)
    bio: str = ""


def speaker_card(speaker: SpeakerProfile) -> SpeakerCard:
    """The card of a speaker loaded with `speaker_listed_queryset` (no query of its own)."""
    profile = speaker.profile
    return SpeakerCard(
        pk=speaker.pk,
        name=profile.display_name,
        profession=str(profile.get_profession_display()),
        topics=[str(skill) for skill in speaker.topics.all()] if speaker.show_topics else [],
        languages=[str(language) for language in speaker.languages.all()] if speaker.show_languages else [],
        region=str(Region(speaker.region).label) if speaker.show_region and speaker.region else "",
        career_stage=str(profile.get_career_stage_display()) if speaker.show_career_stage else "",
        identity=speaker.identity_labels if speaker.show_identity else [],
        bio=speaker.bio if speaker.show_bio else "",
    )


def speaker_listed_queryset() -> QuerySet[SpeakerProfile]:
    """Speakers who opted in, ready for their cards."""
    return (
        SpeakerProfile.objects.listed()
        .select_related("profile__user")
        .prefetch_related(
            Prefetch("topics", queryset=Skill.objects.order_by("name")),
            Prefetch("languages", queryset=Language.objects.order_by("name")),
        )
    )


def speaker_listed_by_pk(*, pk: int) -> SpeakerProfile | None:
    return speaker_listed_queryset().filter(pk=pk).first()


@dataclass
class SpeakerSearch:
    filter: SpeakerFilter
    page: Page
    cards: list[SpeakerCard]
    page_range: list

    @property
    def count(self) -> int:
        return self.page.paginator.count


def speaker_search(*, data: QueryDict, page_number: str | None, per_page: int = SPEAKER_PAGE_SIZE) -> SpeakerSearch:
    """Listed speakers matching the query string (only on the fields they show), by name, paginated.
    An invalid value is reported by the form and that filter ignored; the others still apply."""
    search = SpeakerFilter(data, queryset=speaker_listed_queryset())
    # django-filter leaves out a filter whose value the form refused (its cleaned_data lacks it).
    queryset = search.qs
    paginator = Paginator(queryset.distinct().order_by("profile__name", "pk"), per_page)
    page = paginator.get_page(page_number)
    return SpeakerSearch(
        filter=search,
        page=page,
        cards=[speaker_card(speaker) for speaker in page.object_list],
        page_range=list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
    )
