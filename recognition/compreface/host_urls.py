"""The URL configuration of a CompreFace host (hosts.py): CompreFace's paths only."""

from django.http import JsonResponse
from django.urls import include, path

from recognition.compreface.errors import UNDEFINED

urlpatterns = [
    path("api/v1/", include(("recognition.compreface.urls", "compreface"))),
]


def handler404(request, exception=None):
    """No such CompreFace path: CompreFace's error body."""
    return JsonResponse(
        {"message": f"No CompreFace path matches {request.path}.", "code": UNDEFINED},
        status=404,
    )


def handler500(request):
    return JsonResponse(
        {"message": "Something went wrong, please try again", "code": UNDEFINED}, status=500
    )
