from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import token_views, views

app_name = "api"


def _public(viewset, actions):
    # Public answers carry an ETag and a Last-Modified, and a matching conditional request gets a 304
    # (api.conditional.ConditionalAnswers).
    return viewset.as_view(actions)


LIST = {"get": "list"}
DETAIL = {"get": "retrieve"}

urlpatterns = [
    path("api/v1/organisations/", _public(views.OrganisationViewSet, LIST), name="organisation-list"),
    path("api/v1/organisations/<int:pk>/", _public(views.OrganisationViewSet, DETAIL), name="organisation-detail"),
    path("api/v1/programmes/", _public(views.ProgrammeViewSet, LIST), name="programme-list"),
    path("api/v1/programmes/<int:pk>/", _public(views.ProgrammeViewSet, DETAIL), name="programme-detail"),
    path("api/v1/needs/", _public(views.NeedViewSet, LIST), name="need-list"),
    path("api/v1/needs/<int:pk>/", _public(views.NeedViewSet, DETAIL), name="need-detail"),
    path(
        "api/v1/coordinate/needs/",
        views.CoordinatorNeedViewSet.as_view({"get": "list", "post": "create"}),
        name="coordinator-need-list",
    ),
    path(
        "api/v1/coordinate/needs/<int:pk>/",
        views.CoordinatorNeedViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="coordinator-need-detail",
    ),
    path(
        "api/v1/coordinate/needs/<int:pk>/close/",
        views.CoordinatorNeedViewSet.as_view({"post": "close"}),
        name="coordinator-need-close",
    ),
    path("api/schema/", SpectacularAPIView.as_view(authentication_classes=[]), name="schema"),
    path("api/docs/", views.ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    # An organisation admin's tokens, from the organisation's members page.
    path("organisations/<slug:slug>/api-tokens/", token_views.api_token_create, name="token-create"),
    path(
        "organisations/<slug:slug>/api-tokens/<int:pk>/revoke/",
        token_views.api_token_revoke,
        name="token-revoke",
    ),
]
