"""The staff home page, and what every server-rendered view shares."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import NotAllowed, NotFound
from estate import selectors as estate_selectors
from estate.policies import can
from org.models import Role
from org.policies import is_company_wide
from org.selectors import office_list


def application_errors(view: Callable) -> Callable:
    """Show a service's NotAllowed as the 403 page and NotFound as the 404 page.

    BadInput is left to the view, which shows it next to the form's inputs.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper


def render_page_or_partial(
    request: HttpRequest, template_name: str, partial: str, context: dict
) -> HttpResponse:
    """The named partial for an htmx request, else the whole page.

    htmx asks for the whole page again when it restores history it had not cached.
    """
    if request.htmx and not request.htmx.history_restore_request:
        template_name = f"{template_name}#{partial}"
    return render(request, template_name, context)


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "home.html",
        {
            "roles": [Role(r).label for r in user.roles if r in Role.values],
            "my_offices": office_list(user=user).filter(staff=user),
            "company_wide": is_company_wide(user),
            "can_create_person": can(user, "create_person"),
            "can_manage_estate": can(user, "manage_estate"),
            "community_count": estate_selectors.community_list(user=user).count(),
            "unit_count": estate_selectors.unit_list(user=user).count(),
            "person_count": estate_selectors.person_list(user=user).count(),
        },
    )
