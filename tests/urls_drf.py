"""URLs for tests/test_drf.py: downloads behind Django REST framework's authentication and permissions.

The users and their tokens live in memory, so the tests need no database
(pytest-django would otherwise leave a connection open for the tests after).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http.response import HttpResponseBase
from django.urls import path
from rest_framework.authentication import BaseAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from dlshortcuts import optimized_download, serve_path, signature_required

TOKENS = {
    "alice-token": User(pk=1, username="alice"),
    "staff-token": User(pk=2, username="staff", is_staff=True),
}


class BearerAuthentication(BaseAuthentication):  # type: ignore[misc]
    """``Authorization: Bearer <token>``, DRF's way: None without it, 401 for a wrong one."""

    def authenticate(self, request: Request) -> tuple[User, str] | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme != "Bearer":
            return None
        if token not in TOKENS:
            raise AuthenticationFailed("Invalid token.")
        return TOKENS[token], token

    def authenticate_header(self, request: Any) -> str:
        return 'Bearer realm="api"'


# DRF ships no type hints: its decorators and base class are Any to mypy.
@api_view(["GET", "HEAD"])  # type: ignore[untyped-decorator]
@authentication_classes([BearerAuthentication])  # type: ignore[untyped-decorator]
@permission_classes([IsAuthenticated])  # type: ignore[untyped-decorator]
def report(request: Request, name: str) -> HttpResponseBase:
    return serve_path(request, name, root=settings.MEDIA_ROOT)


@api_view(["GET"])  # type: ignore[untyped-decorator]
@authentication_classes([])  # type: ignore[untyped-decorator]
@permission_classes([])  # type: ignore[untyped-decorator]
@signature_required
def shared(request: Request, name: str) -> HttpResponseBase:
    return serve_path(request, name, root=settings.MEDIA_ROOT)


class StaffReport(APIView):  # type: ignore[misc]
    authentication_classes = (BearerAuthentication,)
    permission_classes = (IsAdminUser,)

    def get(self, request: Request, name: str) -> HttpResponseBase:
        return serve_path(request, name, root=settings.MEDIA_ROOT)


class OffloadedReport(APIView):  # type: ignore[misc]
    authentication_classes = (BearerAuthentication,)
    permission_classes = (IsAuthenticated,)

    @optimized_download
    def get(self, request: Request, name: str) -> HttpResponseBase:
        return serve_path(request, name, root=settings.MEDIA_ROOT)


urlpatterns = [
    path("reports/<path:name>", report),
    path("shared/<path:name>", shared),
    path("staff/<path:name>", StaffReport.as_view()),
    path("offloaded/<path:name>", OffloadedReport.as_view()),
]
