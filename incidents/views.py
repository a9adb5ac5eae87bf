"""Staff pages for incidents (DOMAIN §8): the open and ended incidents, the form that
opens one with its affected area and the text the hotline reads to residents, and the
incident page with its "end" button.

Reads go through incidents.selectors (scoped by office): an incident of an office the
user cannot see is a 404, never a 403. Writes go through incidents.services, which
check the role and the office again; each endpoint checks for itself too.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import BadInput, Conflict
from core.views import application_errors, render_page_or_partial
from estate.selectors import building_list, community_list
from incidents import services
from incidents.forms import IncidentForm, add_service_errors, incident_offices
from incidents.models import Incident
from incidents.selectors import incident_list
from org.models import Office, User
from org.selectors import office_list

PAGE_SIZE = 50
STATES = (
    ("open", pgettext_lazy("incidents", "Open")),
    ("ended", pgettext_lazy("incidents", "Ended")),
)


def _may_manage(user: User) -> bool:
    return user.has_role(*services.MANAGERS)


def _incident_or_404(user: User, incident_id: int) -> Incident:
    incident = (
        incident_list(user=user)
        .select_related("office", "created_by")
        .prefetch_related("communities", "buildings__community")
        .filter(id=incident_id)
        .first()
    )
    if incident is None:
        raise Http404
    return incident


@require_GET
def incident_list_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    state = request.GET.get("state", "open")
    if state not in dict(STATES):
        state = "open"
    base = incident_list(user=user)
    qs = (
        base.filter(ended_at__isnull=state == "open")
        .select_related("office")
        .prefetch_related("communities", "buildings")
        .order_by(*(("-started_at", "-id") if state == "open" else ("-ended_at", "-id")))
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = {"open": base.filter(ended_at__isnull=True).count()}
    return render_page_or_partial(
        request,
        "incidents/list.html",
        "results",
        {
            "state": state,
            "tabs": [(key, label, counts.get(key)) for key, label in STATES],
            "page": page,
            "now": timezone.now(),
            "can_create": _may_manage(user) and incident_offices(user).exists(),
        },
    )


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _area(user: User, source: QueryDict) -> tuple[Office | None, list[int]]:
    """The office whose communities the form offers (the one asked for, else the first
    the user may open incidents for), and the communities chosen so far."""
    offices = incident_offices(user)
    office_id = source.get("office", "")
    office = offices.filter(id=office_id).first() if office_id.isdigit() else None
    return office or offices.first(), _ids(source.getlist("communities"))


def _initial(user: User, source: QueryDict | None) -> tuple[dict, Office | None, list[int]]:
    """Initial values for an unbound form: what was typed and chosen so far. When an
    office is (newly) chosen and serves one community only, that community is ticked."""
    source = source or QueryDict()
    office, community_ids = _area(user, source)
    initial: dict = {"office": office}
    initial.update(
        {
            k: source.get(k)
            for k in ("kind", "title", "started_at", "expected_end_at", "resident_text")
            if source.get(k)
        }
    )
    initial["buildings"] = _ids(source.getlist("buildings"))
    if office is not None and not community_ids and source.get("part") != "buildings":
        only = list(
            community_list(user=user).filter(office=office).values_list("id", flat=True)[:2]
        )
        community_ids = only if len(only) == 1 else []
    initial["communities"] = community_ids
    return initial, office, community_ids


def _check_visible(user: User, data: QueryDict) -> None:
    """An office, community or building the user cannot see is a 404, as in the API;
    one that is visible but does not fit (another office's community) is a form error."""
    office_id = data.get("office", "")
    if office_id.isdigit() and not office_list(user=user).filter(id=office_id).exists():
        raise Http404
    for ids, qs in (
        (_ids(data.getlist("communities")), community_list(user=user)),
        (_ids(data.getlist("buildings")), building_list(user=user)),
    ):
        if ids and qs.filter(id__in=ids).count() != len(set(ids)):
            raise Http404


@require_http_methods(["GET", "POST"])
@application_errors
def incident_create(request: HttpRequest) -> HttpResponse:
    """The new-incident form. Choosing an office re-renders its communities, choosing
    communities their buildings (htmx GET with `part` and the choices); without
    JavaScript, "Update the choices" posts the form back to the same effect."""
    user = request.user
    if not _may_manage(user):
        raise PermissionDenied
    if not incident_offices(user).exists():
        raise PermissionDenied
    if request.method == "GET" or "refresh" in request.POST:
        source = request.GET if request.method == "GET" and request.GET else None
        if request.method == "POST":
            source = request.POST
        initial, office, community_ids = _initial(user, source)
        form = IncidentForm(user=user, office=office, community_ids=community_ids, initial=initial)
        part = request.GET.get("part")
        if request.method == "GET" and request.htmx and part in ("area", "buildings"):
            return render(request, f"incidents/form.html#{part}", {"form": form})
        return render(request, "incidents/form.html", {"form": form})
    _check_visible(user, request.POST)
    office, community_ids = _area(user, request.POST)
    form = IncidentForm(request.POST, user=user, office=office, community_ids=community_ids)
    status = 400
    if form.is_valid():
        d = form.cleaned_data
        try:
            incident = services.incident_open(
                actor=user,
                office=d["office"],
                kind=d["kind"],
                title=d["title"],
                resident_text=d["resident_text"],
                communities=list(d["communities"]),
                buildings=list(d["buildings"]),
                started_at=d["started_at"],
                expected_end_at=d["expected_end_at"],
            )
        except BadInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Incident opened. The hotline desk now reads its text to callers from the area."),
            )
            return redirect("incidents:detail", incident_id=incident.id)
    return render(request, "incidents/form.html", {"form": form}, status=status)


@require_GET
def incident_detail(request: HttpRequest, incident_id: int) -> HttpResponse:
    user = request.user
    incident = _incident_or_404(user, incident_id)
    buildings = list(incident.buildings.all())
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "communities": list(incident.communities.all()),
            "buildings": buildings,
            "now": timezone.now(),
            "can_end": _may_manage(user) and incident.ended_at is None,
        },
    )


@require_POST
@application_errors
def incident_end(request: HttpRequest, incident_id: int) -> HttpResponse:
    user = request.user
    incident = _incident_or_404(user, incident_id)
    if not _may_manage(user):
        raise PermissionDenied
    try:
        services.incident_end(actor=user, incident_id=incident.id)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Incident ended. The hotline desk no longer reads its text to callers.")
        )
    return redirect("incidents:detail", incident_id=incident.id)
