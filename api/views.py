"""The API's endpoints: public reads under /api/v1/, an organisation's needs under /api/v1/coordinate/.

Views are thin: a selector gives each public endpoint its queryset, and the coordinators' writes go through
the services the workspace's pages use (programmes.services), whose refusals come back as 400 with their
messages. Every request made with a token is recorded (ApiTokenUse), whatever its answer.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings

from programmes import services as need_services
from programmes.models import Need

from . import selectors
from .conditional import ConditionalAnswers
from .filters import NeedApiFilter, OpportunityFilterBackend
from .models import ApiToken
from .serializers import (
    CoordinatorNeedSerializer,
    NeedSerializer,
    NeedWriteSerializer,
    OrganisationSerializer,
    ProgrammeSerializer,
)
from .services import api_token_use_record


class Pages(CursorPagination):
    """Cursor pages: a client walking the list meets each row once, even while needs are posted."""

    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = ("-created_at", "-pk")
    page_size = settings.API_PAGE_SIZE


class OrganisationPages(Pages):
    ordering = ("name", "pk")


def _errors(error: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as REST framework writes its own: messages by field, others under
    "non_field_errors"."""
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}


class AuditedTokenUse:
    """Records every request made with a token, once its answer is known."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # The token the request was authenticated with, or the revoked one it was refused for.
        token = getattr(request, "_auth", None) or getattr(request._request, "api_refused_token", None)
        if isinstance(token, ApiToken):
            need_id = getattr(request, "api_need_id", None) or self.kwargs.get("pk")
            api_token_use_record(
                token=token,
                method=request.method,
                path=request.path,
                status_code=response.status_code,
                need_id=int(need_id) if need_id else None,
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        return response


# Public reads


@extend_schema_view(
    list=extend_schema(summary="Organisations of the public directory"),
    retrieve=extend_schema(summary="One organisation of the directory"),
)
class OrganisationViewSet(AuditedTokenUse, ConditionalAnswers, viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganisationSerializer
    pagination_class = OrganisationPages
    queryset = selectors.api_organisation_queryset()

    def get_queryset(self):
        return selectors.api_organisation_queryset()


@extend_schema_view(
    list=extend_schema(summary="Published programmes"),
    retrieve=extend_schema(summary="One published programme"),
)
class ProgrammeViewSet(AuditedTokenUse, ConditionalAnswers, viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgrammeSerializer
    pagination_class = Pages
    queryset = selectors.api_programme_queryset()

    def get_queryset(self):
        return selectors.api_programme_queryset()


@extend_schema_view(
    list=extend_schema(
        summary="Open needs",
        description="The needs /opportunities/ lists, filtered by the same parameters, newest first.",
    ),
    retrieve=extend_schema(summary="One open need"),
)
class NeedViewSet(AuditedTokenUse, ConditionalAnswers, viewsets.ReadOnlyModelViewSet):
    serializer_class = NeedSerializer
    pagination_class = Pages
    filter_backends = [OpportunityFilterBackend]
    filterset_class = NeedApiFilter
    queryset = selectors.api_need_queryset()

    def get_queryset(self):
        return selectors.api_need_queryset()

    def get_object(self):
        # One need by its id: the list's filters do not apply.
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


# An organisation's needs, with its token


class HasOrganisationToken(permissions.BasePermission):
    def has_permission(self, request, view):
        if not isinstance(request.auth, ApiToken):
            raise NotAuthenticated(_("This endpoint needs an organisation's API token."))
        return True


@extend_schema_view(
    list=extend_schema(summary="The organisation's needs, whatever their status"),
    retrieve=extend_schema(summary="One of the organisation's needs"),
    create=extend_schema(
        summary="Post a need in one of the organisation's programmes",
        request=NeedWriteSerializer,
        responses={201: CoordinatorNeedSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a need's details",
        request=NeedWriteSerializer,
        responses={200: CoordinatorNeedSerializer},
    ),
    close=extend_schema(summary="Close a need to new applications", request=None, responses=CoordinatorNeedSerializer),
)
class CoordinatorNeedViewSet(AuditedTokenUse, viewsets.GenericViewSet):
    serializer_class = CoordinatorNeedSerializer
    pagination_class = Pages
    permission_classes = [HasOrganisationToken]
    queryset = Need.objects.none()

    def get_queryset(self):
        # The needs of the programmes the token's organisation leads: any other need is a 404.
        organisation = self.request.auth.organisation
        return selectors.api_need_queryset(Need.objects.filter(programme__lead_organisation=organisation))

    def _need(self) -> Need:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _answer(self, need: Need, status_code: int = status.HTTP_200_OK) -> Response:
        self.request.api_need_id = need.pk
        fresh = self.get_queryset().get(pk=need.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        return self._answer(self._need())

    def create(self, request):
        form = NeedWriteSerializer(data=request.data, organisation=request.auth.organisation)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        programme = data.pop("programme")
        try:
            need = need_services.need_create(programme=programme, data=data, by=request.user)
        except ValidationError as error:
            return Response(_errors(error), status=status.HTTP_400_BAD_REQUEST)
        return self._answer(need, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        need = self._need()
        form = NeedWriteSerializer(need, data=request.data, partial=True, organisation=request.auth.organisation)
        form.is_valid(raise_exception=True)
        try:
            need = need_services.need_update(need=need, data=dict(form.validated_data), by=request.user)
        except ValidationError as error:
            return Response(_errors(error), status=status.HTTP_400_BAD_REQUEST)
        return self._answer(need)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        need = self._need()
        try:
            need_services.need_status_change(needs=[need], change=need_services.NeedChange.CLOSE, by=request.user)
        except ValidationError as error:
            return Response(_errors(error), status=status.HTTP_400_BAD_REQUEST)
        return self._answer(need)


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the sidecar's static files; its page has no inline style, so the site's CSP applies as is."""

    template_name = "api/swagger_ui.html"
    authentication_classes = []
    throttle_classes = []
