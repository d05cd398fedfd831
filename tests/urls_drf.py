"""URLs for tests/test_drf.py: downloads behind Django REST framework's authentication and permissions."""

from __future__ import annotations

from django.conf import settings
from django.http.response import HttpResponseBase
from django.urls import path
from rest_framework.authentication import BasicAuthentication
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.permissions import IsAdminUser, IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from dlshortcuts import optimized_download, serve_path


# DRF ships no type hints: its decorators and base class are Any to mypy.
@api_view(["GET", "HEAD"])  # type: ignore[untyped-decorator]
@authentication_classes([BasicAuthentication])  # type: ignore[untyped-decorator]
@permission_classes([IsAuthenticated])  # type: ignore[untyped-decorator]
def report(request: Request, name: str) -> HttpResponseBase:
    return serve_path(request, name, root=settings.MEDIA_ROOT)


class StaffReport(APIView):  # type: ignore[misc]
    authentication_classes = (BasicAuthentication,)
    permission_classes = (IsAdminUser,)

    def get(self, request: Request, name: str) -> HttpResponseBase:
        return serve_path(request, name, root=settings.MEDIA_ROOT)


class OffloadedReport(APIView):  # type: ignore[misc]
    authentication_classes = (BasicAuthentication,)
    permission_classes = (IsAuthenticated,)

    @optimized_download
    def get(self, request: Request, name: str) -> HttpResponseBase:
        return serve_path(request, name, root=settings.MEDIA_ROOT)


urlpatterns = [
    path("reports/<path:name>", report),
    path("staff/<path:name>", StaffReport.as_view()),
    path("offloaded/<path:name>", OffloadedReport.as_view()),
]
