"""Template context every page needs: the navigation of the staff UI."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from estate.policies import can


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Promise
    url: str | None  # None: an area not built yet, shown as "coming soon"
    active: bool = False


# The section of the navigation each URL name belongs to, by the name's prefix.
_SECTIONS = {
    "home": "home",
    "community_": "communities",
    "unit_": "units",
    "person_": "people",
    "roster_": "roster",
}


# Areas with their own URL namespace are their own section.
_NAMESPACES = {"tickets", "ticket_docs", "visits", "hotline", "incidents", "reports", "relations"}


def _section(request: HttpRequest) -> str:
    match = request.resolver_match
    if match and match.namespace in _NAMESPACES:
        return "tickets" if match.namespace == "ticket_docs" else match.namespace
    name = match.url_name if match else ""
    return next((s for prefix, s in _SECTIONS.items() if name and name.startswith(prefix)), "")


def _url(name: str) -> str | None:
    """The area's URL, or None while the area is not installed yet ("coming soon")."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    section = _section(request)
    built = [
        ("home", _("Home"), reverse("home")),
        ("communities", _("Communities"), reverse("estate:community_list")),
        ("units", _("Units"), reverse("estate:unit_list")),
        ("people", _("People"), reverse("estate:person_list")),
    ]
    if can(user, "manage_estate"):
        built.append(("roster", _("Roster import"), reverse("estate:roster_index")))
    items = [NavItem(key, label, url, active=key == section) for key, label, url in built]
    areas = [
        ("tickets", _("Tickets"), "tickets:list"),
        ("visits", _("Return visits"), "visits:list"),
        ("hotline", _("Hotline desk"), "hotline:desk"),
        ("incidents", _("Incidents"), "incidents:list"),
        ("relations", _("Owner relations"), "relations:index"),
        ("reports", _("Reports"), "reports:monthly"),
    ]
    items += [NavItem(key, label, _url(name), active=key == section) for key, label, name in areas]
    return {"nav_items": items}
