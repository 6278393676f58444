"""Browsing open needs: /opportunities/ and /opportunities/<id>/."""

from django.http import Http404


def opportunity_list(request):
    raise Http404


def opportunity_detail(request, pk):
    raise Http404
