from django.shortcuts import get_object_or_404, render

from .models import Organisation


def organisation_list(request):
    return render(request, "organisations/organisation_list.html", {"organisations": Organisation.objects.listed()})


def organisation_detail(request, slug):
    organisation = get_object_or_404(Organisation.objects.listed(), slug=slug)
    return render(request, "organisations/organisation_detail.html", {"organisation": organisation})
