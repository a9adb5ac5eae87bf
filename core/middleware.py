"""Request-wide settings for the staff UI."""

from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone


class CompanyTimezoneMiddleware:
    """Pages show and read times in the user's company time zone (API.md: the
    company's zone is used when none is given), whatever the server's zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        company = (
            getattr(user, "company", None) if user is not None and user.is_authenticated else None
        )
        if company is None:
            return self.get_response(request)
        with timezone.override(ZoneInfo(company.timezone)):
            return self.get_response(request)


class ApiErrorFormatMiddleware:
    """Under /api/, the errors Django answers before the API sees the request (an
    unknown path, a method the path does not take) come in the API's error format too."""

    CODES = {404: "not_found", 405: "method_not_allowed"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        code = self.CODES.get(response.status_code)
        if (
            code
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow")
            response = JsonResponse(
                {"error": {"code": code, "message": response.reason_phrase, "fields": {}}},
                status=response.status_code,
            )
            if allowed:
                response["Allow"] = allowed
        return response
