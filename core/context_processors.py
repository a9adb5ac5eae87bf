"""Template context every page needs: the navigation of the staff UI."""

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    return {
        "nav_active": getattr(request.resolver_match, "namespace", "")
        if request.resolver_match
        else ""
    }
