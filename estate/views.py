"""Staff pages for communities, units, people and the roster import.

Reads go through estate.selectors, which start from policies.visible: an object of
an office the user cannot see is a 404, never a 403. Writes go through
estate.services, which check the rules again.
"""

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import BadInput
from core.pagination import CappedPaginator
from core.services import access_log_record
from core.views import application_errors, render_page_or_partial
from estate import selectors, services
from estate.forms import (
    CommunityForm,
    PersonForm,
    RosterUploadForm,
    UnitFilterForm,
    UnitForm,
    UnitLinkFormSet,
    add_service_errors,
)
from estate.models import Attitude, Channel, Community, Person, Relation, Unit
from estate.policies import can
from org.models import Office, User
from org.selectors import office_list

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _community_or_404(user: User, pk: int) -> Community:
    community = selectors.community_list(user=user).filter(pk=pk).first()
    if community is None:
        raise Http404
    return community


def _unit_or_404(user: User, pk: int) -> Unit:
    unit = selectors.unit_list(user=user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def _person_or_404(user: User, pk: int) -> Person:
    person = selectors.person_get(user=user, person_id=pk)
    if person is None:
        raise Http404
    return person


def _require(user: User, action: str, obj: object | None = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


def _managed_offices(user: User):
    ids = [
        o.id
        for o in office_list(user=user).filter(kind=Office.Kind.SERVICE)
        if can(user, "manage_estate", o)
    ]
    return office_list(user=user).filter(id__in=ids)


# Communities


def community_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    communities = list(
        selectors.community_list(user=user).annotate(unit_count=Count("units")).order_by("name")
    )
    for community in communities:
        community.can_manage = can(user, "manage_estate", community)
    return render(
        request,
        "estate/community_list.html",
        {"communities": communities, "can_create": _managed_offices(user).exists()},
    )


def community_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    community = _community_or_404(user, pk)
    buildings = (
        selectors.building_list(user=user, community_id=community.id)
        .annotate(unit_count=Count("units"))
        .order_by("id")
    )
    units = selectors.unit_list(user=user, community_id=community.id)
    return render(
        request,
        "estate/community_detail.html",
        {
            "community": community,
            "buildings": buildings,
            "unit_count": units.count(),
            "units_without_building": units.filter(building=None).count(),
            "person_count": selectors.person_list(user=user, community_id=community.id).count(),
            "can_manage": can(user, "manage_estate", community),
        },
    )


@application_errors
def community_create(request: HttpRequest) -> HttpResponse:
    offices = _managed_offices(request.user)
    if not offices.exists():
        raise PermissionDenied
    form = CommunityForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        try:
            community = services.community_create(actor=request.user, **form.cleaned_data)
        except BadInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Community %(name)s created.") % {"name": community})
            return redirect("estate:community_detail", pk=community.pk)
    return render(request, "estate/community_form.html", {"form": form})


@application_errors
def community_edit(request: HttpRequest, pk: int) -> HttpResponse:
    community = _community_or_404(request.user, pk)
    _require(request.user, "manage_estate", community)
    initial = {"name": community.name, "code": community.code, "address": community.address}
    form = CommunityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.community_update(community=community, actor=request.user, **form.cleaned_data)
        except BadInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("estate:community_detail", pk=community.pk)
    return render(request, "estate/community_form.html", {"form": form, "community": community})


# Units


def unit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = UnitFilterForm(request.GET, user=user)
    filters = form.cleaned_data if form.is_valid() else {}
    community, building = filters.get("community"), filters.get("building")
    units = (
        selectors.unit_list(
            user=user,
            community_id=community.id if community else None,
            building_id=building.id if building else None,
            q=filters.get("q", ""),
        )
        .annotate(people_count=Count("links"))
        # Creation order, which follows the roster sheet: "10-1-101" sorts as text before "3-1-101".
        .order_by("community_id", "building_id", "id")
    )
    page = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page_or_partial(
        request,
        "estate/unit_list.html",
        "results",
        {
            "form": form,
            "page": page,
            "community": community,
            "can_create": community is not None and can(user, "manage_estate", community),
        },
    )


def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    unit = _unit_or_404(user, pk)
    people = list(selectors.person_list(user=user, unit_id=unit.id))
    for person in people:
        person.link_here = next(link for link in person.unit_links.all() if link.unit_id == unit.id)
    return render(
        request,
        "estate/unit_detail.html",
        {
            "unit": unit,
            "people": people,
            "can_manage": can(user, "manage_estate", unit.community),
            "can_create_person": can(user, "create_person"),
        },
    )


def _save_unit(form: UnitForm, *, actor: User, community: Community, unit: Unit | None) -> Unit:
    data = dict(form.cleaned_data)
    name = data.pop("building")
    # A new building and its first unit are created together or not at all.
    with transaction.atomic():
        building = (
            services.building_get_or_create(community=community, name=name, actor=actor)
            if name
            else None
        )
        if unit is None:
            return services.unit_create(community=community, building=building, actor=actor, **data)
        return services.unit_update(unit=unit, building=building, actor=actor, **data)


def _unit_form_page(request, form, community, unit=None) -> HttpResponse:
    buildings = selectors.building_list(user=request.user, community_id=community.id)
    return render(
        request,
        "estate/unit_form.html",
        {"form": form, "community": community, "unit": unit, "buildings": buildings},
    )


@application_errors
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    community = _community_or_404(request.user, pk)
    _require(request.user, "manage_estate", community)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = _save_unit(form, actor=request.user, community=community, unit=None)
        except BadInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Unit %(number)s created.") % {"number": unit.number})
            return redirect("estate:unit_detail", pk=unit.pk)
    return _unit_form_page(request, form, community)


@application_errors
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit_or_404(request.user, pk)
    _require(request.user, "manage_estate", unit.community)
    initial = {
        "building": unit.building.name if unit.building else "",
        "entrance": unit.entrance,
        "room": unit.room,
        "number": unit.number,
        "area_m2": unit.area_m2,
        "residency": unit.residency,
    }
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _save_unit(form, actor=request.user, community=unit.community, unit=unit)
        except BadInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("estate:unit_detail", pk=unit.pk)
    return _unit_form_page(request, form, unit.community, unit)


# People


def person_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    q = request.GET.get("q", "").strip()
    page = CappedPaginator(selectors.person_list(user=user, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for person in page:
        person.visible_links = list(person.unit_links.all())
    return render_page_or_partial(
        request,
        "estate/person_list.html",
        "results",
        {"q": q, "page": page, "can_create": can(user, "create_person")},
    )


def _value_text(field: str, value) -> str:
    """One old or new value of a timeline change, as staff read it."""
    if value is None or value in ("", []):
        return "—"
    separator = _(", ")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field == "attitude" and value in Attitude.values:
        return str(Attitude(value).label)
    if field == "preferred_channels":
        return separator.join(str(Channel(c).label) for c in value if c in Channel.values)
    if field == "units":
        # Stored as "number:relation".
        items = [item.rpartition(":") for item in value]
        return separator.join(
            f"{number} ({Relation(rel).label if rel in Relation.values else rel})"
            for number, _sep, rel in items
        )
    if isinstance(value, list):
        return separator.join(str(v) for v in value)
    return str(value)


# Lazy: translated in the language of each request, not of the import.
_CHANGE_LABELS = {"phones": gettext_lazy("Phones"), "units": gettext_lazy("Units")}


def _field_label(field: str) -> str:
    if field in _CHANGE_LABELS:
        return str(_CHANGE_LABELS[field])
    try:
        return capfirst(Person._meta.get_field(field).verbose_name)
    except (FieldDoesNotExist, AttributeError):  # not a field, or a relation without a label
        return field


def _timeline(person: Person) -> list[dict]:
    events = person.events.select_related("actor")[:100]
    return [
        {
            "event": event,
            "changes": [
                (_field_label(field), _value_text(field, old), _value_text(field, new))
                for field, (old, new) in event.changes.items()
            ],
        }
        for event in events
    ]


def _person_page(request: HttpRequest, person: Person, *, revealed: bool) -> HttpResponse:
    user = request.user
    links = list(person.unit_links.all())
    context = {
        "person": person,
        "phones": list(person.phones.all()),
        "revealed": revealed,
        "can_reveal": can(user, "reveal_phone"),
        "can_change": can(user, "change_person", person),
    }
    if request.htmx and revealed:
        return render(request, "estate/person_detail.html#phones", context)
    context.update(
        links=links,
        channels=_value_text("preferred_channels", person.preferred_channels),
        attitude_changes=person.attitude_changes.select_related("actor")[:50],
        timeline=_timeline(person),
    )
    return render(request, "estate/person_detail.html", context)


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_page(request, _person_or_404(request.user, pk), revealed=False)


@require_POST
@application_errors
def person_phones_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request.user, pk)
    services.phones_reveal_check(actor=request.user)
    access_log_record(
        user=request.user,
        object_type="person",
        object_ids=[person.id],
        field="phone",
        request=request,
    )
    return _person_page(request, person, revealed=True)


def _unit_specs(formset) -> list[services.UnitLinkSpec]:
    return [
        services.UnitLinkSpec(unit=f.cleaned_data["unit"], relation=f.cleaned_data["relation"])
        for f in formset
        if f.cleaned_data.get("unit")
    ]


def _unit_row_kwargs(user: User) -> dict:
    # With a single community, which most offices have, new unit rows start in it.
    communities = list(selectors.community_list(user=user)[:2])
    return {"user": user, "default_community": communities[0] if len(communities) == 1 else None}


def _person_form_page(request, form, formset, person=None) -> HttpResponse:
    return render(
        request,
        "estate/person_form.html",
        {"form": form, "formset": formset, "person": person},
    )


@application_errors
def person_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(user, "create_person")
    data = request.POST or None
    form = PersonForm(data, user=user)
    formset = UnitLinkFormSet(data, prefix="units", form_kwargs=_unit_row_kwargs(user))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = dict(form.cleaned_data)
        try:
            person = services.person_create(
                actor=user,
                phone_numbers=fields.pop("phones"),
                units=_unit_specs(formset),
                **fields,
            )
        except BadInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s registered.") % {"name": person.name})
            return redirect("estate:person_detail", pk=person.pk)
    return _person_form_page(request, form, formset)


@application_errors
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = _person_or_404(user, pk)
    _require(user, "change_person", person)
    existing = list(person.phones.all())
    links = list(person.unit_links.all())
    initial = {
        "name": person.name,
        "address_as": person.address_as,
        "birthday": person.birthday,
        "attitude": person.attitude,
        "key_client": person.key_client,
        "special_needs": person.special_needs,
        "courtesy_notes": person.courtesy_notes,
        "preferred_channels": person.preferred_channels,
    }
    data = request.POST or None
    form = PersonForm(data, user=user, existing_phones=existing, initial=initial)
    # Links to units of offices the user cannot see are neither shown (the selector
    # leaves them out) nor dropped (the service keeps them).
    formset = UnitLinkFormSet(
        data,
        prefix="units",
        form_kwargs=_unit_row_kwargs(user),
        initial=[
            {
                "community": link.unit.community,
                "number": link.unit.number,
                "relation": link.relation,
            }
            for link in links
        ],
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        fields = dict(form.cleaned_data)
        removed = set(fields.pop("remove_phones"))
        kept = [p.number for p in existing if str(p.id) not in removed]
        try:
            services.person_update(
                person=person,
                actor=user,
                phone_numbers=kept + fields.pop("phones"),
                units=_unit_specs(formset),
                attitude=fields.pop("attitude"),
                attitude_reason=fields.pop("attitude_reason"),
                preferred_channels=fields.pop("preferred_channels"),
                **fields,
            )
        except BadInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("estate:person_detail", pk=person.pk)
    return _person_form_page(request, form, formset, person)


# Roster import and export. estate.roster is imported inside the views so that this
# module loads on its own.


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def roster_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require(user, "manage_estate")
    communities = [c for c in selectors.community_list(user=user) if can(user, "manage_estate", c)]
    return render(request, "estate/roster_index.html", {"communities": communities})


@require_GET
def roster_template(request: HttpRequest) -> HttpResponse:
    from estate.roster import roster_template as build_template

    _require(request.user, "manage_estate")
    return _xlsx_response(build_template(), _("roster template") + ".xlsx")


@application_errors
def roster_import(request: HttpRequest, pk: int) -> HttpResponse:
    from estate.roster import RosterInvalid
    from estate.roster import roster_import as import_roster

    community = _community_or_404(request.user, pk)
    _require(request.user, "manage_estate", community)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    context = {
        "community": community,
        "form": form,
        "can_reveal": can(request.user, "reveal_phone"),
    }
    if request.method == "POST" and form.is_valid():
        try:
            context["result"] = import_roster(
                community=community, file=form.cleaned_data["file"], actor=request.user
            )
        except RosterInvalid as exc:
            context["bad_rows"] = exc.rows
        except BadInput as exc:
            add_service_errors(form, exc)
    return render(request, "estate/roster_import.html", context)


@require_http_methods(["GET", "POST"])
@application_errors
def roster_export(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the roster with phones masked. POST: with full phones, for the roles that may
    see them; the reveal is logged, and being a POST it is never a prefetched link."""
    from estate.roster import roster_export as export_roster

    user = request.user
    community = _community_or_404(user, pk)
    _require(user, "manage_estate", community)
    reveal = request.method == "POST"
    if reveal:
        services.phones_reveal_check(actor=user)
    content = export_roster(community=community, actor=user, reveal=reveal)
    if reveal:
        access_log_record(
            user=user,
            object_type="community_roster",
            object_ids=[community.id],
            field="phone",
            request=request,
        )
    suffix = _("roster (full phones)") if reveal else _("roster")
    return _xlsx_response(content, f"{community.name} {suffix}.xlsx")
