"""Forms of the onboarding pages: asking to list an organisation, inviting and managing its members.

Forms check what was typed and say clearly what to fix; ``organisations.services`` does the writing
(and checks again what could have changed in between, such as a name taken a moment earlier).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from globalir.forms import https_by_default

from .models import Membership, Organisation, parse_embed_origins
from .selectors import organisation_name_taken


class OrganisationRequestForm(forms.ModelForm):
    """What someone asking to list an organisation tells the site admins; reused to correct a rejected request."""

    class Meta:
        model = Organisation
        fields = list(Organisation.REQUEST_FIELDS)
        formfield_callback = https_by_default
        labels = {
            "name": _("Full name of the organisation"),
            "acronym": _("Acronym or short name"),
            "kind": _("Kind of organisation"),
            "website": _("Website"),
            "contact_email": _("Contact e-mail address"),
            "headquarters_country": _("Country of its headquarters"),
            "countries": _("Countries where it works"),
            "description": _("What it does"),
        }
        help_texts = {
            "acronym": _("Optional, e.g. RAD-AID."),
            "website": _("Optional. Its public website helps us verify it quickly."),
            "contact_email": _("An address of the organisation that volunteers and partners may write to."),
            "countries": _("Choose one or more. On a computer, hold Ctrl (Cmd on a Mac) to choose several."),
            "description": _("Its mission and its imaging or interventional radiology work, in a few sentences."),
            "content_language": _(
                "The language you write the description in. It is shown as written, never translated."
            ),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6, "maxlength": 3000}),
            "countries": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Optional in the directory's model; the site admins need them to decide.
        for name in ("contact_email", "headquarters_country", "countries", "description"):
            self.fields[name].required = True

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if organisation_name_taken(name=name, exclude=self.instance):
            raise forms.ValidationError(
                _(
                    "An organisation called “%(name)s” is already listed or waiting for review. "
                    "If it is yours, ask its admins to invite you."
                ),
                code="name_taken",
                params={"name": name},
            )
        return name

    def clean_description(self):
        description = self.cleaned_data["description"].strip()
        if len(description) > 3000:
            raise forms.ValidationError(
                _("Keep the description under %(limit)d characters."), code="too_long", params={"limit": 3000}
            )
        return description


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("We send a link to this address; it works once and expires."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.COORDINATOR)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class EmbedOriginsForm(forms.Form):
    """The websites allowed to show the organisation's listing in a frame, one per line."""

    embed_origins = forms.CharField(
        label=_("Websites allowed to embed your listing"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000, "spellcheck": "false"}),
        help_text=_("One per line, each a secure address without a path, e.g. https://www.example.org."),
    )

    def clean_embed_origins(self) -> list[str]:
        return parse_embed_origins(self.cleaned_data["embed_origins"])
