"""Request-wide settings for the staff UI."""

from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
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
