"""Staff pages for tickets: the work lists, the new-ticket form, the ticket page and its
actions.

Reads go through tickets.selectors, which start from policies.visible: a ticket of an
office the user cannot see is a 404 on every URL, never a 403. Writes go through
tickets.services, which check the transition table and the policy again. Every htmx
endpoint checks for itself, because a client can call it directly.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import phones
from core.errors import ApplicationError, BadInput, Conflict, NotAllowed, NotFound
from core.pagination import CappedPaginator
from estate import selectors as estate_selectors
from estate.models import Community, Person, Unit
from org.models import Office, Role, User
from org.selectors import department_list, office_list, staff_list
from tickets import exports, selectors, services
from tickets.categories import CategoryConfig, categories_for
from tickets.forms import (
    TABS,
    AssignGroup,
    SavedFilterForm,
    TicketCreateForm,
    TicketFilterForm,
    action_form,
    add_service_errors,
    now_local,
)
from tickets.models import (
    Channel,
    Dispatch,
    Kind,
    Outcome,
    Responsibility,
    SavedFilter,
    Status,
    Supervision,
    Ticket,
    TicketEvent,
    TicketParty,
)
from tickets.policies import can, member_of_department
from tickets.selectors import DUE_SOON, TicketFilters
from tickets.transitions import TRANSITIONS, allowed_from

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The query-string keys of the work list (anything else is dropped from a saved filter).
FILTER_KEYS = tuple(TicketFilterForm.base_fields)
# Filters folded away on phones (behind "more filters").
MORE_FILTERS = ("building", "kind", "category", "channel", "received_from", "received_to")

# How each timeline entry reads (the event's `action`).
EVENT_LABELS = {
    "create": pgettext_lazy("ticket event", "Logged"),
    "assign": pgettext_lazy("ticket event", "Assigned"),
    "escalate": pgettext_lazy("ticket event", "Escalated"),
    "promise": pgettext_lazy("ticket event", "Promised"),
    "start": pgettext_lazy("ticket event", "Started"),
    "resolve": pgettext_lazy("ticket event", "Resolved"),
    "close": pgettext_lazy("ticket event", "Closed"),
    "reopen": pgettext_lazy("ticket event", "Reopened"),
    "cancel": pgettext_lazy("ticket event", "Cancelled"),
    "comment": pgettext_lazy("ticket event", "Note"),
    "supervise": pgettext_lazy("ticket event", "Supervision"),
    "rate": pgettext_lazy("ticket event", "Owner's rating"),
    "reply_rating": pgettext_lazy("ticket event", "Reply to the rating"),
    "set_consent": pgettext_lazy("ticket event", "Disclosure consent"),
    "liaison_issue": pgettext_lazy("ticket event", "Work liaison form issued"),
    "liaison_progress": pgettext_lazy("ticket event", "Repair progress"),
    "liaison_accept": pgettext_lazy("ticket event", "Owner accepted the repair"),
    "quote_create": pgettext_lazy("ticket event", "Price quoted"),
    "quote_replace": pgettext_lazy("ticket event", "Quote corrected"),
    "quote_accept": pgettext_lazy("ticket event", "Owner accepted the price"),
    "quote_pay": pgettext_lazy("ticket event", "Paid"),
    "quote_confirm": pgettext_lazy("ticket event", "Owner confirmed the work"),
    "attachment_add": pgettext_lazy("ticket event", "Attachment added"),
}

# The actions panel, in the order a person looks for them: the next step of the work
# first, the rare and destructive ones last. Every action of the transition table.
ACTION_LABELS = {
    "start": pgettext_lazy("ticket action", "Start work"),
    "resolve": pgettext_lazy("ticket action", "Resolve"),
    "assign": pgettext_lazy("ticket action", "Assign"),
    "promise": pgettext_lazy("ticket action", "Promise"),
    "escalate": pgettext_lazy("ticket action", "Escalate"),
    "close": pgettext_lazy("ticket action", "Close"),
    "reopen": pgettext_lazy("ticket action", "Reopen"),
    "comment": pgettext_lazy("ticket action", "Add a note"),
    "rate": pgettext_lazy("ticket action", "Record the owner's rating"),
    "reply_rating": pgettext_lazy("ticket action", "Reply to the rating"),
    "set_consent": pgettext_lazy("ticket action", "Disclosure consent"),
    "cancel": pgettext_lazy("ticket action", "Cancel the ticket"),
}
assert set(ACTION_LABELS) == set(TRANSITIONS), "every action of the table has a place"
# Actions done with one click (no fields to fill).
ONE_CLICK = {"start"}


def _ticket_or_404(user: User, ticket_id: int) -> Ticket:
    ticket = selectors.ticket_get(user=user, ticket_id=ticket_id)
    if ticket is None:
        raise Http404
    return ticket


def _due_state(ticket: Ticket, now: datetime) -> str:
    """The deadline mark of an open ticket: overdue, soon (within selectors.DUE_SOON)
    or none ("")."""
    if not ticket.is_open or ticket.due_at is None:
        return ""
    if ticket.due_at < now:
        return "overdue"
    return "soon" if ticket.due_at < now + DUE_SOON else ""


# ---- the work list ----------------------------------------------------------------------


def _default_tab(user: User) -> str:
    if user.has_role(Role.OFFICE_MANAGER, Role.COMPANY_ADMIN):
        return "unassigned"
    if user.has_role(Role.SUPERVISOR):
        return "department"
    if user.has_role(Role.STAFF):
        return "mine"
    return "office"


def _office_categories(user: User) -> dict[int, dict[str, CategoryConfig]]:
    """Each visible service office's categories (the codes differ between offices)."""
    offices = office_list(user=user).filter(kind=Office.Kind.SERVICE)
    return {office.id: categories_for(office) for office in offices}


def _category_choices(by_office: dict[int, dict[str, CategoryConfig]]) -> dict[str, str]:
    names: dict[str, str] = {}
    for categories in by_office.values():
        for code, config in categories.items():
            names.setdefault(code, str(config.name))
    return names


def _filtered(user: User, tab: str, data: dict, now: datetime) -> QuerySet[Ticket]:
    """The tickets of one tab of the work list with the filters applied.

    mine / my departments: open work unless a status is asked for; to route: new or
    escalated tickets nobody holds yet (what supervisors and managers must assign)."""
    community, building = data.get("community"), data.get("building")
    filters = TicketFilters(
        community=community.id if community else None,
        building=building.id if building else None,
        kind=data.get("kind") or None,
        category=data.get("category") or None,
        status=data.get("status") or None,
        channel=data.get("channel") or None,
        received_from=data.get("received_from"),
        received_to=data.get("received_to"),
        q=(data.get("q") or "").strip(),
    )
    if tab == "mine":
        filters.assignee = user.id
    if tab in {"mine", "department"} and not filters.status:
        filters.open = True
    if tab == "overdue":
        filters.overdue = True
    if tab == "supervised":
        filters.supervised = True
    qs = selectors.ticket_list(user=user, filters=filters, now=now)
    if tab == "department":
        qs = qs.filter(department__in=user.departments.all())
    if tab == "unassigned":
        qs = qs.filter(status__in=[Status.NEW, Status.ESCALATED], assignee__isnull=True)
    # The current deadline has a recorded supervision (督办): marked on the row.
    qs = qs.annotate(
        under_supervision=Exists(
            Supervision.objects.filter(ticket_id=OuterRef("pk"), due_at=OuterRef("due_at"))
        )
    )
    if tab == "overdue":
        return qs.order_by("due_at", "id")
    return qs.order_by("-received_at", "-id")


def _list_state(request: HttpRequest) -> tuple[TicketFilterForm, str, dict, dict]:
    user = request.user
    by_office = _office_categories(user)
    form = TicketFilterForm(request.GET, user=user, categories=_category_choices(by_office))
    form.is_valid()  # invalid filters are dropped; the valid ones stay in cleaned_data
    data = form.cleaned_data
    tab = data.get("tab") or _default_tab(user)
    return form, tab, data, by_office


def _querystring(params: QueryDict, **changes) -> str:
    """The work list's filters as a query string: known keys with a value only (no page
    number), for the tabs, saved filters and the export."""
    query = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        values = [v for v in params.getlist(key) if v]
        if values:
            query.setlist(key, values)
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form, tab, data, by_office = _list_state(request)
    now = timezone.now()
    page = CappedPaginator(_filtered(user, tab, data, now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for ticket in page:
        config = by_office.get(ticket.office_id, {}).get(ticket.category)
        ticket.category_name = config.name if config else ticket.category
        ticket.due_state = _due_state(ticket, now)
    context = {
        "form": form,
        "tab": tab,
        "tabs": [(key, label, "?" + _querystring(request.GET, tab=key)) for key, label in TABS],
        "page": page,
        "query": _querystring(request.GET, tab=tab),
        "export_cap": exports.MAX_ROWS,
        "saved_filters": SavedFilter.objects.filter(user=user),
        "can_create": can(user, "create"),
        "more_filters": sum(1 for key in MORE_FILTERS if data.get(key)),
    }
    if request.htmx and not request.htmx.history_restore_request:
        # The building choices follow the community: swapped in out of band.
        return render(request, "tickets/list.html#results", {**context, "oob": True})
    return render(request, "tickets/list.html", context)


@require_GET
def ticket_export(request: HttpRequest) -> HttpResponse:
    """The filtered work list as an Excel sheet (at most exports.MAX_ROWS rows)."""
    user = request.user
    form, tab, data, by_office = _list_state(request)
    now = timezone.now()
    qs = _filtered(user, tab, data, now)
    with translation.override("zh-hans"):  # the sheet is in Chinese, like its headers
        title = _export_title(form, tab, data)
    content = exports.tickets_workbook(
        qs, total=qs.count(), now=now, categories=by_office, title=title
    )
    response = HttpResponse(content, content_type=XLSX)
    filename = f"工单 {timezone.localtime(now):%Y%m%d-%H%M}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _export_title(form: TicketFilterForm, tab: str, data: dict) -> str:
    """What was exported, for the sheet's first row: the tab and the filters in use."""
    parts = [str(dict(TABS)[tab])]
    for key in ("community", "building"):
        if data.get(key):
            parts.append(data[key].name)
    for key in ("kind", "category", "status", "channel"):
        if data.get(key):
            label = dict(form.fields[key].choices).get(data[key], data[key])
            parts.append(f"{form.fields[key].label}：{label}")
    if data.get("received_from") or data.get("received_to"):
        parts.append(f"{data.get('received_from') or ''}～{data.get('received_to') or ''}")
    if data.get("q"):
        parts.append(f"“{data['q']}”")
    return " · ".join(parts)


@require_POST
def saved_filter_create(request: HttpRequest) -> HttpResponse:
    """Save the current work list's query string under a name (replacing one of the
    same name). A preference of one user, with no rule beyond its own fields."""
    form = SavedFilterForm(request.POST)
    query = _querystring(QueryDict(request.POST.get("query", "")[:500]))
    if form.is_valid():
        saved = SavedFilter(user=request.user, name=form.cleaned_data["name"].strip(), query=query)
        try:
            saved.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            SavedFilter.objects.update_or_create(
                user=request.user, name=saved.name, defaults={"query": query}
            )
            messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    else:
        messages.error(request, _("Give the filter a name."))
    return redirect(reverse("tickets:list") + ("?" + query if query else ""))


@require_POST
def saved_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedFilter, pk=pk, user=request.user)
    saved.delete()
    messages.success(request, _("Filter “%(name)s” deleted.") % {"name": saved.name})
    return redirect("tickets:list")


# ---- the new-ticket form -------------------------------------------------------------------


@dataclass
class UnitChoice:
    """A unit suggested under the unit-number input, with its people."""

    unit: Unit
    people: list[tuple[Person, str]]  # (person, relation label)


def _who(
    user: User,
    community: Community | None,
    *,
    unit_number: str = "",
    phone: str = "",
    person_id: int | None = None,
) -> dict:
    """What the lookup shows under the unit and phone inputs: the units whose number
    starts with what was typed, with their people; or the people with this phone."""
    result: dict = {"units": [], "phone_people": [], "phone_error": "", "selected": None}
    phone = phone.strip()
    unit_number = unit_number.strip()
    if phone:
        try:
            people = list(estate_selectors.person_by_phone(user=user, number=phone)[:10])
        except phones.InvalidPhone:
            result["phone_error"] = _("Not a phone number.")
            people = []
        if not people and not result["phone_error"]:
            result["phone_error"] = _("Nobody on record has this phone.")
        result["phone_people"] = [
            (
                person,
                [
                    link
                    for link in person.unit_links.all()
                    if community is None or link.unit.community_id == community.id
                ],
            )
            for person in people
        ]
    elif community is not None and unit_number:
        units = list(
            estate_selectors.unit_list(user=user, community_id=community.id, q=unit_number)
            .select_related(None)
            .order_by("number")[:8]
        )
        exact = [u for u in units if u.number == unit_number]
        units = exact or units
        people_by_unit: dict[int, list] = defaultdict(list)
        people = estate_selectors.person_list(user=user, community_id=community.id).filter(
            unit_links__unit_id__in=[u.id for u in units]
        )
        for person in people.order_by("name"):
            for link in person.unit_links.all():
                people_by_unit[link.unit_id].append((person, link.get_relation_display()))
        result["units"] = [UnitChoice(u, people_by_unit[u.id]) for u in units]
    shown = {p.id for c in result["units"] for p, _r in c.people} | {
        p.id for p, _links in result["phone_people"]
    }
    if person_id and person_id not in shown:
        # Picked earlier (or passed in the link): keep it on show, checked.
        result["selected"] = estate_selectors.person_get(user=user, person_id=person_id)
    result["person_id"] = person_id
    return result


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _create_initial(request: HttpRequest, user: User) -> dict:
    """Defaults of the form, and what a link prefills (?community=&unit=&person=)."""
    initial: dict = {
        "kind": Kind.REPAIR,
        "channel": Channel.HOTLINE if user.has_role(Role.HOTLINE_AGENT) else Channel.WALK_IN,
        "received_at": now_local(),
        "category": "other",
    }
    communities = estate_selectors.community_list(user=user)
    community = None
    if community_id := _int(request.GET.get("community")):
        community = communities.filter(id=community_id).first()
    if unit_id := _int(request.GET.get("unit")):
        unit = estate_selectors.unit_list(user=user).filter(id=unit_id).first()
        if unit is not None:
            community = unit.community
            initial["unit_number"] = unit.number
    if person_id := _int(request.GET.get("person")):
        person = estate_selectors.person_get(user=user, person_id=person_id)
        if person is not None:
            initial["person"] = person.id
            links = [
                link
                for link in person.unit_links.all()
                if community is None or link.unit.community_id == community.id
            ]
            if "unit_number" not in initial and len(links) == 1:
                initial["unit_number"] = links[0].unit.number
                community = community or links[0].unit.community
    if community is None:
        only = list(communities[:2])
        community = only[0] if len(only) == 1 else None
    initial["community"] = community
    return initial


def _form_community(user: User, form_data, initial: dict) -> Community | None:
    if form_data is not None:
        community_id = _int(form_data.get("community"))
        if community_id is None:
            return None
        return estate_selectors.community_list(user=user).filter(id=community_id).first()
    return initial.get("community")


def _categories(user: User, community: Community | None) -> dict[str, CategoryConfig]:
    if community is not None:
        return categories_for(community.office)
    office = office_list(user=user).filter(kind=Office.Kind.SERVICE).first()
    return categories_for(office) if office else {}


def _autofocus(form: TicketCreateForm, initial: dict) -> str:
    if form.is_bound:
        first_error = next(iter(form.errors), None)
        return first_error if first_error in form.fields else ""
    if initial.get("person") or initial.get("unit_number"):
        return "title"
    return "unit_number" if initial.get("community") else "community"


@require_http_methods(["GET", "POST"])
def ticket_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, "create"):
        raise PermissionDenied
    initial = _create_initial(request, user)
    data = request.POST if request.method == "POST" else None
    community = _form_community(user, data, initial)
    form = TicketCreateForm(
        data, initial=initial, user=user, categories=_categories(user, community)
    )
    if data is not None and form.is_valid():
        try:
            ticket = _create(user, form.cleaned_data)
        except NotFound as exc:
            form.add_error("community", exc.message)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Ticket %(number)s logged.") % {"number": ticket.number})
            return redirect("tickets:detail", ticket_id=ticket.id)
    if form.is_bound:
        who = _who(
            user,
            community,
            unit_number=data.get("unit_number", ""),
            phone=data.get("lookup_phone", ""),
            person_id=_int(data.get("person")),
        )
    else:
        who = _who(
            user,
            community,
            unit_number=initial.get("unit_number", ""),
            person_id=initial.get("person"),
        )
    focus = _autofocus(form, initial)
    if focus:
        form.fields[focus].widget.attrs["autofocus"] = True
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "tickets/create.html", {"form": form, "who": who}, status=status)


def _create(user: User, d: dict) -> Ticket:
    kind, channel = d["kind"], d["channel"]
    unit, person = d["unit"], d["person_obj"]
    parties = []
    if kind == Kind.DISPUTE:
        parties.append(
            services.PartyIn(
                side=TicketParty.Side.COMPLAINANT,
                person=person,
                unit=unit,
                statement=d["statement"],
            )
        )
        if d["other_unit"] or d["other_person"]:
            parties.append(
                services.PartyIn(
                    side=TicketParty.Side.RESPONDENT,
                    person=d["other_person"],
                    unit=d["other_unit"],
                    statement=d["other_statement"],
                )
            )
    gov = channel == Channel.GOV_HOTLINE
    return services.ticket_create(
        actor=user,
        community=d["community"],
        unit=unit,
        person=person,
        kind=kind,
        channel=channel,
        category=d["category"],
        title=d["title"],
        description=d["description"],
        severity=d["severity"] if kind == Kind.COMPLAINT else "general",
        area=(d["area"] or "") if kind == Kind.REPAIR else "",
        emergency=d["emergency"],
        received_at=d["received_at"],
        external_ref=d["external_ref"] if gov else "",
        external_due_at=d["external_due_at"] if gov else None,
        complainant_consent=d["complainant_consent"],
        parties=parties,
    )


@require_GET
def ticket_create_lookup(request: HttpRequest) -> HttpResponse:
    """The suggestions under the unit-number and phone inputs (htmx)."""
    user = request.user
    if not can(user, "create"):
        raise PermissionDenied
    community_id = _int(request.GET.get("community"))
    community = (
        estate_selectors.community_list(user=user).filter(id=community_id).first()
        if community_id
        else None
    )
    by_phone = request.GET.get("by") == "phone"
    who = _who(
        user,
        community,
        unit_number="" if by_phone else request.GET.get("unit_number", ""),
        phone=request.GET.get("lookup_phone", "") if by_phone else "",
        person_id=_int(request.GET.get("person")),
    )
    return render(request, "tickets/create.html#who", {"who": who})


# ---- the ticket page and its actions -------------------------------------------------------


@dataclass
class ActionPanel:
    name: str
    label: str
    form: forms.Form
    open: bool = False
    one_click: bool = False


@dataclass
class EventRow:
    event: TicketEvent
    label: str
    actor: str
    details: list[str]
    from_status: str = ""
    to_status: str = ""

    @property
    def from_label(self) -> str:
        return _status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return _status_label(self.to_status)


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def _documents_enabled() -> bool:
    """The documents panel is another part of the project; shown once it exists."""
    try:
        select_template(["tickets/_documents.html"])
    except TemplateDoesNotExist:
        return False
    return True


def _time(value: str | None) -> str:
    if not value:
        return ""
    try:
        return timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError):
        return ""


def _event_details(event: TicketEvent) -> list[str]:
    """What happened, beyond the label, as staff read it."""
    data = event.data or {}
    action = event.action
    details: list[str] = []
    if action == "assign":
        name = data.get("department_name")
        if data.get("assignee") and event.text:
            details.append(f"{name} · {event.text}" if name else event.text)
        elif name:
            details.append(_("%(department)s (its supervisor assigns)") % {"department": name})
        elif event.text:
            details.append(event.text)
        if data.get("rule") == "round_robin":
            details.append(_("By the round-robin rule"))
        return details
    if action == "promise":
        return [event.text, _("Due %(time)s") % {"time": _time(data.get("due_at"))}]
    if action == "create":
        if data.get("due_at"):
            details.append(_("Due %(time)s") % {"time": _time(data.get("due_at"))})
    elif action == "resolve":
        outcome = data.get("outcome")
        if outcome and outcome != Outcome.RESOLVED and outcome in Outcome.values:
            details.append(str(Outcome(outcome).label))
        if data.get("rule_cited"):
            details.append(_("Rule cited: %(rule)s") % {"rule": data["rule_cited"]})
    elif action == "close":
        if data.get("complaint_valid") is not None:
            details.append(
                _("Valid complaint") if data["complaint_valid"] else _("Not a valid complaint")
            )
        if data.get("responsibility") in Responsibility.values:
            details.append(
                _("Responsibility: %(who)s") % {"who": Responsibility(data["responsibility"]).label}
            )
    elif action == "rate":
        details.append("★" * int(data.get("rating") or 0))
    elif action == "set_consent":
        details.append(
            _("The complainant agrees to disclosure")
            if data.get("consent")
            else _("No disclosure of the complainant")
        )
    elif action == "supervise":
        level = data.get("level")
        if level in Supervision.Level.values:
            details.append(str(Supervision.Level(level).label))
        return details
    if event.text and action != "create":
        details.insert(0, event.text)
    elif event.text:
        details.append(event.text)
    return details


def _timeline(ticket: Ticket) -> list[EventRow]:
    rows = []
    for event in ticket.events.all():
        changed = event.from_status and event.to_status and event.from_status != event.to_status
        rows.append(
            EventRow(
                event=event,
                label=str(EVENT_LABELS.get(event.action, event.action)),
                actor=str(event.actor) if event.actor_id else _("System"),
                details=[d for d in _event_details(event) if d],
                from_status=event.from_status if changed else "",
                to_status=event.to_status if changed else "",
            )
        )
    return rows


def _lists_staff_of(user: User, department_id: int) -> bool:
    """Whose staff the assign form offers: every department's for managers, their own
    departments' for supervisors (the others are handed over whole)."""
    if user.has_role(Role.OFFICE_MANAGER, Role.COMPANY_ADMIN):
        return True
    return user.has_role(Role.SUPERVISOR) and member_of_department(user, department_id)


def _assign_groups(
    user: User, ticket: Ticket, categories: dict[str, CategoryConfig]
) -> list[AssignGroup]:
    """The departments of the ticket's office the user may give it to, each with the staff
    they may assign (policies.can decides every option)."""
    config = categories.get(ticket.category)
    self_take = bool(config and config.dispatch == Dispatch.SELF_TAKE)
    members: dict[int, list[User]] = defaultdict(list)
    people = (
        staff_list(user=user)
        .filter(departments__office_id=ticket.office_id)
        .distinct()
        .order_by("name", "username")
    )
    for person in people:
        if not person.has_role(Role.STAFF, Role.SUPERVISOR):
            continue
        for department in person.departments.all():
            members[department.id].append(person)
    groups = []
    for department in department_list(user=user, office_id=ticket.office_id).order_by("id"):
        whole = can(user, "assign", ticket, department_id=department.id, self_take=self_take)
        listed = _lists_staff_of(user, department.id)
        staff = [
            person
            for person in members[department.id]
            if (listed or person.id == user.id)
            and can(
                user,
                "assign",
                ticket,
                department_id=department.id,
                assignee_id=person.id,
                self_take=self_take,
            )
        ]
        if whole or staff:
            groups.append(AssignGroup(department=department, whole=whole, staff=staff))
    return groups


def _offered(user: User, ticket: Ticket, action: str, groups: list[AssignGroup] | None) -> bool:
    """Whether the actions panel offers `action` to `user` now."""
    if not allowed_from(action, ticket.status):
        return False
    if action == "assign":
        return bool(groups)
    if action == "reply_rating" and ticket.rating is None:
        return False
    return can(user, action, ticket)


def _actions(
    user: User,
    ticket: Ticket,
    categories: dict[str, CategoryConfig],
    bound: tuple[str, forms.Form] | None = None,
) -> list[ActionPanel]:
    groups = (
        _assign_groups(user, ticket, categories) if allowed_from("assign", ticket.status) else []
    )
    panels = []
    for name, label in ACTION_LABELS.items():
        if not _offered(user, ticket, name, groups):
            continue
        if bound and bound[0] == name:
            form, is_open = bound[1], True
        else:
            form, is_open = action_form(name, ticket=ticket, groups=groups), False
        panels.append(ActionPanel(name, str(label), form, is_open, name in ONE_CLICK))
    return panels


def _detail_context(
    request: HttpRequest,
    ticket: Ticket,
    *,
    bound: tuple[str, forms.Form] | None = None,
    done: str = "",
) -> dict:
    user = request.user
    now = timezone.now()
    categories = categories_for(ticket.office)
    config = categories.get(ticket.category)
    supervisions = [
        s for s in ticket.supervisions.all() if ticket.is_open and s.due_at == ticket.due_at
    ]
    level = max((s.level for s in supervisions), default=0)
    return {
        "ticket": ticket,
        "category_name": config.name if config else ticket.category,
        "phones": list(ticket.person.phones.all()) if ticket.person else [],
        "due_state": _due_state(ticket, now),
        "supervision": Supervision.Level(level).label if level else "",
        "supervision_level": level,
        "parties": list(ticket.parties.all()),
        "timeline": _timeline(ticket),
        "actions": _actions(user, ticket, categories, bound),
        "done": done,
        "documents_enabled": _documents_enabled(),
    }


@require_GET
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket_or_404(request.user, ticket_id)
    return render(request, "tickets/detail.html", _detail_context(request, ticket))


def _precheck(user: User, ticket: Ticket, action: str, groups) -> ApplicationError | None:
    """The transition table (409) and the policy (403) before the form's fields, so a
    refusal is never hidden behind "this field is required"."""
    if not allowed_from(action, ticket.status):
        return Conflict(
            _("Not possible while the ticket is %(status)s.")
            % {"status": Status(ticket.status).label}
        )
    if action == "assign" and not groups:
        return NotAllowed(_("You are not allowed to do this to this ticket."))
    if action != "assign" and not can(user, action, ticket):
        return NotAllowed(_("You are not allowed to do this to this ticket."))
    return None


def _run(action: str, ticket_id: int, user: User, d: dict) -> None:
    """Call the service of `action` with the form's cleaned data (as tickets/api.py does)."""
    kw = {"ticket_id": ticket_id, "actor": user}
    if action == "assign":
        if d["department"] is None:
            raise BadInput(_("Choose where to assign it."), fields={"target": [_("Choose one.")]})
        services.ticket_assign(**kw, department=d["department"], assignee=d["assignee"])
    elif action == "escalate":
        services.ticket_escalate(**kw, reason=d["reason"])
    elif action == "promise":
        services.ticket_promise(**kw, method=d["method"], due_at=d["due_at"])
    elif action == "start":
        services.ticket_start(**kw)
    elif action == "resolve":
        services.ticket_resolve(
            **kw,
            resolution=d["resolution"],
            resolved_at=d["resolved_at"],
            outcome=d["outcome"],
            rule_cited=d["rule_cited"],
        )
    elif action == "close":
        services.ticket_close(
            **kw,
            closed_at=d["closed_at"],
            complaint_valid=d.get("complaint_valid"),
            responsibility=d.get("responsibility") or "",
        )
    elif action == "reopen":
        services.ticket_reopen(**kw, reason=d["reason"])
    elif action == "cancel":
        services.ticket_cancel(**kw, reason=d["reason"])
    elif action == "comment":
        services.ticket_comment(**kw, text=d["text"], internal=d["internal"])
    elif action == "rate":
        services.ticket_rate(**kw, rating=d["rating"], comment=d["comment"])
    elif action == "reply_rating":
        services.ticket_reply_rating(**kw, text=d["text"])
    elif action == "set_consent":
        services.ticket_set_consent(**kw, consent=d["consent"], note=d["note"])
    else:  # pragma: no cover - the URL only routes the table's actions
        raise Http404


@require_POST
def ticket_act(request: HttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """Run one action. Success: the re-rendered ticket (htmx: the `#ticket` partial;
    otherwise a redirect to the page). Failure: the action's form with the message and
    the error's status (409, 403, 400, 422); for htmx the response retargets itself to
    the form (`HX-Retarget`/`HX-Reswap`), and the page lets 4xx answers with
    `HX-Retarget` be swapped."""
    if action not in TRANSITIONS:
        raise Http404
    user = request.user
    ticket = _ticket_or_404(user, ticket_id)
    groups = None
    if action == "assign" and allowed_from(action, ticket.status):
        groups = _assign_groups(user, ticket, categories_for(ticket.office))
    form = action_form(action, request.POST, ticket=ticket, groups=groups)
    error = _precheck(user, ticket, action, groups)
    if error is None:
        if form.is_valid():
            try:
                _run(action, ticket.id, user, form.cleaned_data)
            except NotFound as exc:
                raise Http404 from exc
            except ApplicationError as exc:
                error = exc
        else:
            error = BadInput(_("Check the fields marked below."))
    if error is None:
        label = str(ACTION_LABELS[action])
        if not request.htmx:
            messages.success(request, _("Done: %(action)s.") % {"action": label})
            return redirect("tickets:detail", ticket_id=ticket.id)
        fresh = _ticket_or_404(user, ticket.id)
        return render(
            request, "tickets/detail.html#ticket", _detail_context(request, fresh, done=label)
        )
    if not form.errors or error.fields or error.status != 400:
        add_service_errors(form, error)
    panel = ActionPanel(
        action, str(ACTION_LABELS[action]), form, open=True, one_click=action in ONE_CLICK
    )
    if request.htmx:
        response = render(
            request,
            "tickets/detail.html#action",
            {"ticket": ticket, "a": panel},
            status=error.status,
        )
        response["HX-Retarget"] = f"#action-{action}"
        response["HX-Reswap"] = "outerHTML"
        return response
    context = _detail_context(request, ticket, bound=(action, form))
    if not any(p.name == action for p in context["actions"]):
        context["refused"] = panel
    return render(request, "tickets/detail.html", context, status=error.status)
