"""One helper per thread subject: its volunteer(s) and the lead organisation's coordinators (and site admins)
open it; anybody else gets 404, so that nobody learns which applications exist."""

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from placements.models import Application
from programmes.models import Need
from programmes.teams import Rotation

from .subjects import Subject


def _readable(request: HttpRequest, subject: Subject) -> Subject:
    if not subject.readable_by(request.user):
        raise Http404
    return subject


def application_subject(request: HttpRequest, pk: int) -> Subject:
    application = get_object_or_404(
        Application.objects.select_related("need__programme__lead_organisation", "volunteer"), pk=pk
    )
    return _readable(request, Subject(application=application))


def need_subject(request: HttpRequest, pk: int) -> Subject:
    need = get_object_or_404(Need.objects.select_related("programme__lead_organisation"), pk=pk)
    return _readable(request, Subject(need=need))


def rotation_subject(request: HttpRequest, pk: int) -> Subject:
    rotation = get_object_or_404(Rotation.objects.select_related("team__programme__lead_organisation"), pk=pk)
    return _readable(request, Subject(rotation=rotation))
