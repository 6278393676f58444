from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.models import Site
from volunteers.models import Language

from .models import ConsultReport, ConsultRequest


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); the imaging intake checks each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".dcm,.zip,.jpg,.jpeg,.png,application/dicom"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class ConsultRequestForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Host site"), queryset=Site.objects.none(), empty_label=None)
    question = forms.CharField(label=_("Clinical question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    history = forms.CharField(
        label=_("Short history"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Age, sex, symptoms, relevant findings. Never a name, an ID number or a date of birth."),
    )
    modality = forms.ChoiceField(label=_("Modality"), choices=ConsultRequest.Modality.choices)
    body_part = forms.CharField(label=_("Body part"), max_length=100)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=ConsultRequest.Urgency.choices, initial=ConsultRequest.Urgency.ROUTINE
    )
    language = forms.ModelChoiceField(
        label=_("Language of the answer"), queryset=Language.objects.all(), to_field_name="code", initial="en"
    )
    images = MultipleFileField(
        label=_("Images"),
        help_text=_("DICOM files, a .zip of a series, or JPEG/PNG photos. Names and IDs are removed on upload."),
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites


class ImageCheckForm(forms.Form):
    """For each flagged image: "confirm" (no name visible) or "remove"."""

    def __init__(self, *args, images, **kwargs):
        super().__init__(*args, **kwargs)
        self.images = list(images)
        for image in self.images:
            self.fields[f"image_{image.pk}"] = forms.ChoiceField(
                label=_("Image %(number)s") % {"number": image.position + 1},
                choices=[
                    ("confirm", _("I checked: no name, ID or date of birth is visible")),
                    ("remove", _("Remove this image")),
                ],
                widget=forms.RadioSelect,
            )

    def fields_with_images(self) -> list[tuple]:
        """Each choice with its image, so that the uploader sees what they confirm beside the choice."""
        return [(self[f"image_{image.pk}"], image) for image in self.images]

    def decisions(self) -> tuple[list[int], list[int]]:
        confirmed = [i.pk for i in self.images if self.cleaned_data[f"image_{i.pk}"] == "confirm"]
        removed = [i.pk for i in self.images if self.cleaned_data[f"image_{i.pk}"] == "remove"]
        return confirmed, removed


class ConsultReportForm(forms.ModelForm):
    class Meta:
        model = ConsultReport
        fields = ["findings", "impression", "recommendation", "confidence", "hours_spent"]
        widgets = {
            "findings": forms.Textarea(attrs={"rows": 6}),
            "impression": forms.Textarea(attrs={"rows": 3}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
        }


class ConsultMessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ConsultCloseForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How useful was the answer?"),
        choices=[("", "—")] + [(str(n), f"{n} / 5") for n in range(5, 0, -1)],
        coerce=int,
        empty_value=None,
        required=False,
    )
