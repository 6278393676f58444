"""Site admins look after volunteer profiles, the skills taxonomy, languages and credentials here.

Credential documents are never linked to a public URL: the admin links to the view that checks
permission before serving the file.
"""

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.filters import CountryFilter
from simple_history.admin import SimpleHistoryAdmin

from globalir.audit import register_audit_trail
from globalir.regions import Region
from organisations.admin import ServiceActionsMixin

from .models import AvailabilityWindow, Credential, Language, Skill, VolunteerLanguage, VolunteerProfile
from .selectors import volunteer_admin_label
from .services import credentials_verify, profiles_recommendations_refresh_later
from .speakers import SpeakerProfile
from .validators import ACCEPT_ATTRIBUTE


def document_link(credential: Credential) -> str:
    if not credential.pk or not credential.document:
        return "—"
    return format_html(
        '<a href="{}">{}</a>', reverse("placements:credential-document", args=[credential.pk]), _("Download")
    )


class VolunteerProfileAdminForm(forms.ModelForm):
    preferred_regions = forms.MultipleChoiceField(
        label=_("preferred regions"), choices=Region.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = VolunteerProfile
        fields = [
            "user",
            "name",
            "title",
            "profession",
            "career_stage",
            "years_experience",
            "home_country",
            "institution",
            "skills",
            "offers_onsite",
            "offers_remote",
            "preferred_regions",
            "bio",
        ]


class VolunteerLanguageInline(admin.TabularInline):
    model = VolunteerLanguage
    extra = 0
    autocomplete_fields = ["language"]


class AvailabilityWindowInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


class CredentialInline(admin.TabularInline):
    """Credentials at a glance; they are verified from the credentials list, which records who and when."""

    model = Credential
    extra = 0
    show_change_link = True
    fields = [
        "title",
        "kind",
        "issuing_country",
        "expires_on",
        "status",
        "verified_by",
        "verified_at",
        "document_download",
    ]
    readonly_fields = ["status", "verified_by", "verified_at", "document_download"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("verified_by")

    @admin.display(description=_("document"))
    def document_download(self, credential):
        return document_link(credential)


@admin.register(VolunteerProfile)
class VolunteerProfileAdmin(admin.ModelAdmin):
    form = VolunteerProfileAdminForm
    list_display = [
        "volunteer",
        "profession",
        "career_stage",
        "years_experience",
        "home_country",
        "consent_to_share",
        "created_at",
    ]
    list_filter = [
        "profession",
        "career_stage",
        "consent_to_share",
        "offers_onsite",
        "offers_remote",
        ("home_country", CountryFilter),
    ]
    list_select_related = ["user"]
    search_fields = ["name", "user__email", "user__first_name", "user__last_name", "institution"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["skills"]
    # Consent is the volunteer's own act: admins can see it but not give it for them.
    readonly_fields = [
        "consent_to_share",
        "consent_given_at",
        "consent_withdrawn_at",
        "onboarding_step",
        "onboarding_completed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [VolunteerLanguageInline, AvailabilityWindowInline, CredentialInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "user",
                    "name",
                    "title",
                    "profession",
                    "career_stage",
                    "years_experience",
                    "home_country",
                    "institution",
                ]
            },
        ),
        (_("What they offer"), {"fields": ["skills", "offers_onsite", "offers_remote", "preferred_regions", "bio"]}),
        (
            _("Consent and record"),
            {
                "fields": [
                    "consent_to_share",
                    "consent_given_at",
                    "consent_withdrawn_at",
                    "onboarding_step",
                    "onboarding_completed_at",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        # Also used by the autocomplete of applications and placements, which shows each profile's user.
        return super().get_queryset(request).select_related("user")

    @admin.display(description=_("volunteer"), ordering="name")
    def volunteer(self, profile):
        return volunteer_admin_label(profile)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Credential)
class CredentialAdmin(ServiceActionsMixin, SimpleHistoryAdmin):
    list_display = [
        "title",
        "volunteer",
        "kind",
        "issuing_country",
        "expires_on",
        "status",
        "verified_by",
        "verified_at",
    ]
    list_filter = ["status", "kind", ("issuing_country", CountryFilter)]
    list_select_related = ["profile__user", "verified_by"]
    search_fields = ["title", "issuing_body", "number", "profile__name", "profile__user__email"]
    autocomplete_fields = ["profile"]
    # A document sent in by other means can be uploaded here: the model field runs the same checks as
    # the volunteer's form. A plain file input, because the admin's usual widget links to the storage URL,
    # which is not served: the checked download is offered instead.
    formfield_overrides = {models.FileField: {"widget": forms.FileInput(attrs={"accept": ACCEPT_ATTRIBUTE})}}
    readonly_fields = ["document_download", "verified_by", "verified_at", "created_at"]
    actions = ["mark_verified"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile__user", "verified_by")

    @admin.display(description=_("volunteer"), ordering="profile__name")
    def volunteer(self, credential):
        return volunteer_admin_label(credential.profile)

    @admin.display(description=_("document"))
    def document_download(self, credential):
        return document_link(credential)

    def save_model(self, request, obj, form, change):
        # Verifying through the form records who and when, as the bulk action does.
        if "status" in form.changed_data and obj.status == Credential.Status.VERIFIED:
            obj.verified_by = request.user
            obj.verified_at = timezone.now()
        replaced = None
        if change and "document" in form.changed_data:
            replaced = Credential.objects.filter(pk=obj.pk).values_list("document", flat=True).first()
        super().save_model(request, obj, form, change)
        if replaced:
            # Nothing of a replaced document stays in storage.
            storage = obj.document.storage
            transaction.on_commit(lambda: storage.delete(replaced))
        if {"status", "expires_on"} & set(form.changed_data):
            profiles_recommendations_refresh_later({obj.profile_id})

    @admin.action(description=_("Mark the selected credentials verified"), permissions=["change"])
    def mark_verified(self, request, queryset):
        changed = credentials_verify(credentials=queryset, by=request.user)
        count = len(changed)
        message = ngettext("%(count)d credential verified.", "%(count)d credentials verified.", count) % {
            "count": count
        }
        self.report_changes(request, changed, ["status", "verified_by", "verified_at"], message)


register_audit_trail(admin.site, Credential)


@admin.register(SpeakerProfile)
class SpeakerProfileAdmin(admin.ModelAdmin):
    """The Speakers Bureau's entries, for site admins (volunteers edit theirs under /me/speaker/)."""

    list_display = ["profile", "is_listed", "listed_at", "updated_at"]
    list_filter = ["is_listed", "region"]
    list_select_related = ["profile__user"]
    search_fields = ["profile__name", "profile__user__email"]
    autocomplete_fields = ["profile"]
    filter_horizontal = ["topics", "languages"]
    readonly_fields = ["listed_at", "created_at", "updated_at"]
