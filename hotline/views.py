"""Staff pages of the hotline desk (DOMAIN §3, §10 phone service): the desk with the
caller's card popped by the phone system, one form that logs the request as a ticket,
the call log, call-backs, call statistics and the knowledge base.

Reads go through hotline/estate/tickets selectors, which start from each app's
`visible`: a call, person or article the user may not see is a 404, never a 403.
Writes go through the services, which check the rules again. Every htmx endpoint
checks the desk permission itself, because a client can call it directly.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import phones
from core.errors import BadInput, Conflict, NotFound, RuleViolation
from core.services import access_log_record
from core.views import application_errors
from estate import selectors as estate_selectors
from estate import services as estate_services
from estate.models import Community, Person, Unit
from estate.policies import can as estate_can
from hotline import kb, selectors, services
from hotline.forms import (
    SITUATIONS,
    ArticleForm,
    CallbackForm,
    CallFilterForm,
    CallLogForm,
    DeskTicketForm,
    ExtensionForm,
    KbSearchForm,
    StatsForm,
    add_service_errors,
)
from hotline.models import Article, Call, CallBack
from hotline.policies import can, visible
from hotline.suggest import suggest
from org.models import Department, Office, User
from org.policies import office_ids_for
from org.selectors import office_list, staff_list
from tickets import services as ticket_services
from tickets.categories import DEFAULTS, CategoryConfig, categories_for
from tickets.models import Category, Channel, Kind, Status, Ticket
from tickets.selectors import ticket_get

PAGE_SIZE = 50
# Service errors shown next to the form's inputs (NotAllowed/NotFound are the 403/404 pages).
FORM_ERRORS = (BadInput, Conflict, RuleViolation)
# A ringing call pushed this long before the desk page was loaded still pops (the agent
# reloaded the page mid-call, or the phone system's clock is a little behind ours).
POLL_GRACE = timedelta(seconds=60)
KB_ON_DESK = 5
# The first clause of the description becomes the title when none is typed.
_CLAUSE = re.compile(r"[,，。.!！?？;；:：、\n\r]+")
TITLE_WORDS = 20


# ---- shared helpers ------------------------------------------------------------------------


def _zone(user: User) -> ZoneInfo:
    company = getattr(user, "company", None)
    return ZoneInfo(company.timezone) if company else timezone.get_default_timezone()


def desk_view(view: Callable) -> Callable:
    """Every desk page and endpoint: the desk permission (403), service errors as the
    403/404 pages, and times read and shown in the company's time zone."""

    @wraps(view)
    @application_errors
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not can(request.user, "use_desk"):
            raise PermissionDenied
        with timezone.override(_zone(request.user)):
            return view(request, *args, **kwargs)

    return wrapper


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


def _partials(request: HttpRequest, template: str, parts: list[tuple[str, dict]]) -> HttpResponse:
    """Several named partials of one template in one response (the first is the swap
    target, the others carry hx-swap-oob)."""
    html = "".join(
        render_to_string(f"{template}#{name}", context, request=request) for name, context in parts
    )
    return HttpResponse(html)


def _service_offices(user: User) -> list[Office]:
    return list(office_list(user=user).filter(kind=Office.Kind.SERVICE).order_by("name"))


def _office_choices(user: User) -> list[tuple[str, str]]:
    """Offices a call or call-back may belong to: every visible office (the 400 centre too)."""
    return [(str(o.id), o.name) for o in office_list(user=user).order_by("kind", "name")]


def _category_names(user: User) -> dict[str, str]:
    """Category names over the user's offices: the defaults' names, and the names of the
    offices' own codes (one query)."""
    names = {c.code: str(c.name) for c in DEFAULTS}
    ids = office_ids_for(user)
    rows = Category.objects.filter(active=True).order_by("position", "code")
    if ids is not None:
        rows = rows.filter(office_id__in=ids)
    for row in rows:
        names.setdefault(row.code, row.name)
    return names


def _department_name(office: Office | None, config: CategoryConfig | None) -> str:
    """The department that will get a ticket of this category (as ticket_create routes)."""
    if office is None or config is None:
        return ""
    department = (
        Department.objects.filter(office=office, kind=config.department_kind).order_by("id").first()
    )
    if department is not None:
        return department.name
    kinds = dict(Department.Kind.choices)
    return str(kinds.get(config.department_kind, config.department_kind))


def title_from(description: str, limit: int = TITLE_WORDS) -> str:
    """The first clause of the description, cut to `limit` characters."""
    text = description.strip()
    first = next((part.strip() for part in _CLAUSE.split(text) if part.strip()), text)
    return first if len(first) <= limit else first[: limit - 1] + "…"


# ---- the caller ----------------------------------------------------------------------------


@dataclass
class Caller:
    """Who is on the line: a pushed (or logged) call, or a number the agent typed."""

    call: Call | None = None
    number: str = ""  # normalised
    typed: bool = False  # typed by the agent: may be echoed back in a hidden input
    people: list[Person] = field(default_factory=list)
    error: str = ""

    @property
    def several(self) -> bool:
        return len(self.people) > 1

    @property
    def units(self) -> list[tuple[Person, object]]:
        return [(p, link) for p in self.people for link in p.unit_links.all()]

    def query(self) -> str:
        """The query string that reopens this caller's card."""
        if self.call is not None:
            return urlencode({"call": self.call.id})
        return urlencode({"number": self.number}) if self.number else ""


def _call_or_404(user: User, call_id: int) -> Call:
    call = visible(user, Call.objects.select_related("person")).filter(id=call_id).first()
    if call is None:
        raise Http404
    return call


def _caller(user: User, *, call_id: int | None = None, number: str = "") -> Caller:
    caller = Caller()
    if call_id is not None:
        caller.call = _call_or_404(user, call_id)
        caller.number = caller.call.number
    elif number.strip():
        try:
            caller.number = phones.normalise(number)
        except phones.InvalidPhone:
            caller.error = _("Not a phone number.")
            return caller
        caller.typed = True
    if caller.number:
        caller.people = selectors.caller_cards(user=user, number=caller.number)
        names = _category_names(user)
        statuses, kinds = dict(Status.choices), dict(Kind.choices)
        for person in caller.people:
            for key in ("open_tickets", "recent_contacts"):
                for row in person.card[key]:
                    row["status_label"] = statuses.get(row["status"], row["status"])
                    row["kind_label"] = kinds.get(row["kind"], row["kind"])
                    row["category_name"] = names.get(row["category"], row["category"])
    return caller


def _caller_from(request: HttpRequest, data) -> Caller:
    return _caller(
        request.user, call_id=_int(data.get("call")), number=data.get("number", "") or ""
    )


# ---- the ticket form of the desk -----------------------------------------------------------


@dataclass
class DeskForm:
    form: DeskTicketForm
    office: Office | None
    communities: list[Community]
    show_units: bool
    department: str = ""


def _unit_choices(caller: Caller) -> tuple[list, str]:
    """The caller's units as "person:unit" choices (grouped by person when several people
    share the number), and the one to preselect. "person:" is the person without a unit
    (a common-area matter)."""
    groups = []
    for person in caller.people:
        options = [
            (
                f"{person.id}:{link.unit_id}",
                f"{link.unit.community.name} {link.unit.number} · {link.get_relation_display()}",
            )
            for link in person.unit_links.all()
        ]
        options.append((f"{person.id}:", _("%(name)s · common area / no unit") % {"name": person}))
        groups.append((person.name, options))
    preselect = ""
    if len(caller.people) == 1:
        person = caller.people[0]
        links = list(person.unit_links.all())
        if len(links) == 1:
            preselect = f"{person.id}:{links[0].unit_id}"
        elif not links:
            preselect = f"{person.id}:"
    choices = groups[0][1] if len(groups) == 1 else groups
    return [("", _("Choose the caller's unit…")), *choices], preselect


def _community_for(
    user: User, caller: Caller, communities: list[Community], data=None
) -> Community | None:
    """The community of the request: the chosen unit's, the one chosen, the caller's first
    unit's, or the only one the user has."""
    if data is not None:
        _pid, _sep, uid = str(data.get("unit") or "").partition(":")
        if uid.isdigit():
            unit = estate_selectors.unit_list(user=user).filter(id=int(uid)).first()
            if unit is not None:
                return unit.community
        chosen = _int(data.get("community"))
        if chosen is not None:
            return next((c for c in communities if c.id == chosen), None)
    if caller.units:
        first = caller.units[0][1].unit
        return next((c for c in communities if c.id == first.community_id), None)
    return communities[0] if len(communities) == 1 else None


def _desk_form(user: User, caller: Caller, data=None, *, bind: bool = True, **initial) -> DeskForm:
    """The ticket form for this caller; `data` (bound unless bind=False) also says which
    community, and so which office's categories, the request is about."""
    communities = list(estate_selectors.community_list(user=user).order_by("name"))
    community = _community_for(user, caller, communities, data)
    office = community.office if community else None
    if office is None:
        offices = _service_offices(user)
        office = offices[0] if offices else None
    categories = categories_for(office) if office else {c.code: c for c in DEFAULTS}
    units, preselect = _unit_choices(caller) if caller.people else ([], "")
    initial = {
        "call": caller.call.id if caller.call else None,
        "number": caller.number if caller.typed else "",
        "unit": preselect,
        "community": community.id if community else "",
        **initial,
    }
    form = DeskTicketForm(
        data if bind else None,
        initial=initial,
        units=units,
        communities=[(str(c.id), c.name) for c in communities],
        categories=[(code, str(c.name)) for code, c in categories.items()],
    )
    if units:
        # Beside the caller's units the field is for another one: no example number.
        form.fields["unit_number"].widget.attrs.pop("placeholder", None)
    chosen = initial.get("category") or (data.get("category") if data else None) or "other"
    return DeskForm(
        form=form,
        office=office,
        communities=communities,
        show_units=bool(units),
        department=_department_name(office, categories.get(chosen)),
    )


def _scripts(user: User, caller: Caller, *, category: str | None = None, data=None) -> list:
    """Scripts for the request: an open incident at the caller's unit first."""
    unit, community_id = None, None
    if data is not None:
        _pid, _sep, uid = str(data.get("unit") or "").partition(":")
        if uid.isdigit():
            unit = estate_selectors.unit_list(user=user).filter(id=int(uid)).first()
        community_id = _int(data.get("community"))
    elif caller.units:
        unit = caller.units[0][1].unit
    situation = (data.get("situation") if data is not None else "") or None
    if situation not in dict(SITUATIONS):
        situation = None
    return selectors.scripts_for(
        user=user,
        category=category,
        unit=unit,
        community_id=community_id if unit is None else None,
        situation=situation,
    )


def _named(user: User, articles: list[Article]) -> list[Article]:
    names = _category_names(user)
    for article in articles:
        article.category_name = names.get(article.category, article.category)
    return articles


def _kb_articles(user: User, query: str) -> list[Article]:
    return _named(user, kb.article_search(user=user, query=query, limit=KB_ON_DESK))


def _aside_context(user: User, caller: Caller, *, category=None, data=None, query="") -> dict:
    situation = (data.get("situation") if data is not None else "") or ""
    return {
        "scripts": _scripts(user, caller, category=category, data=data),
        "situations": SITUATIONS,
        "situation": situation,
        "articles": _kb_articles(user, query),
        "kb_query": query,
        "can_edit_kb": can(user, "edit_kb"),
    }


def _caller_context(request: HttpRequest, caller: Caller, desk: DeskForm | None = None) -> dict:
    user = request.user
    desk = desk or _desk_form(user, caller)
    return {
        "caller": caller,
        "desk": desk,
        "form": desk.form,
        "department": desk.department,
        "can_attach": estate_can(user, "change_person"),
        "card_query": caller.query(),
    }


def _caller_response(request: HttpRequest, caller: Caller, *, first: list | None = None):
    """The caller panel (card and ticket form) and, out of band, the side panel."""
    user = request.user
    aside = {**_aside_context(user, caller), "oob": True}
    parts = [
        *(first or []),
        ("caller", {**_caller_context(request, caller), "oob": bool(first)}),
        ("scripts", aside),
        ("kb_articles", aside),
        ("ring_notice", {}),  # the card is open: no call waits to be opened
    ]
    return _partials(request, "hotline/desk.html", parts)


# ---- the desk page -------------------------------------------------------------------------


def _due_callbacks(user: User) -> int:
    return selectors.callbacks_for(user=user, due_before=timezone.now()).count()


@require_GET
@desk_view
def desk(request: HttpRequest) -> HttpResponse:
    """The desk. ?call= or ?number= opens a caller's card at once (a link from the call
    log, or the number box without htmx)."""
    user = request.user
    caller = _caller_from(request, request.GET)
    since = int((timezone.now() - POLL_GRACE).timestamp())
    context = {
        **_caller_context(request, caller),
        **_aside_context(user, caller),
        "extension_form": ExtensionForm(initial={"extension": user.extension}, user=user),
        "since": since,
        "last": caller.call.id if caller.call else "",
        "due_callbacks": _due_callbacks(user),
        "typed_number": caller.number if caller.typed else "",
        "section": "desk",
    }
    return render(request, "hotline/desk.html", context)


@require_POST
@desk_view
def extension_set(request: HttpRequest) -> HttpResponse:
    """Set this user's desk phone extension (a preference of the user: a single field)."""
    user = request.user
    form = ExtensionForm(request.POST, user=user)
    if form.is_valid():
        user.extension = form.cleaned_data["extension"]
        user.save(update_fields=["extension"])
        saved = True
    else:
        saved = False
    if request.htmx:
        return render(
            request,
            "hotline/desk.html#extension",
            {"extension_form": form, "saved": saved},
        )
    if saved:
        messages.success(request, _("Extension saved."))
    else:
        messages.error(request, " ".join(form.errors.get("extension", [])))
    return redirect("hotline:desk")


def _since(value) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now() - POLL_GRACE


@require_GET
@desk_view
def incoming(request: HttpRequest) -> HttpResponse:
    """Polled every 2 s by the desk page: a new ringing call for this agent pops the
    caller's card. Nothing new: 204 (htmx swaps nothing and keeps polling). Only a call
    newer than the last one popped pops, so the same call never pops twice."""
    user = request.user
    since = _since(request.GET.get("since"))
    last = _int(request.GET.get("last")) or 0
    call = selectors.incoming_for(user=user, since=since)
    if call is None or call.id <= last:
        return HttpResponse(status=204)
    poller = ("poller", {"since": int(since.timestamp()), "last": call.id})
    if request.GET.get("description", "").strip():
        # The agent is typing a request: say that a call rings, do not wipe the form.
        people = selectors.caller_cards(user=user, number=call.number)
        notice = {"ringing": call, "ringing_people": people}
        return _partials(request, "hotline/desk.html", [poller, ("ring_notice", notice)])
    caller = _caller(user, call_id=call.id)
    return _caller_response(request, caller, first=[poller])


@require_GET
@desk_view
def card(request: HttpRequest) -> HttpResponse:
    """The caller panel for ?call= or a typed ?number= (the number box)."""
    caller = _caller_from(request, request.GET)
    if not request.htmx:
        query = caller.query()
        return redirect(reverse("hotline:desk") + (f"?{query}" if query else ""))
    return _caller_response(request, caller)


@require_GET
@desk_view
def people_search(request: HttpRequest) -> HttpResponse:
    """Quick search for an unknown number's owner: unit number, name or pinyin initials."""
    user = request.user
    caller = _caller_from(request, request.GET)
    q = request.GET.get("q", "").strip()
    people = list(estate_selectors.person_list(user=user, q=q)[:8]) if q else []
    return render(
        request,
        "hotline/desk.html#people_results",
        {
            "people": people,
            "q": q,
            "caller": caller,
            "can_attach": estate_can(user, "change_person"),
        },
    )


@require_POST
@desk_view
def attach_number(request: HttpRequest) -> HttpResponse:
    """Add the caller's number to a chosen person's phones (estate.services writes the
    PersonEvent); the call, if any, is linked to the person. The phones already on
    record are read here: the page shows them masked."""
    user = request.user
    caller = _caller_from(request, request.POST)
    if not caller.number:
        raise Http404
    person = estate_selectors.person_get(user=user, person_id=_int(request.POST.get("person")) or 0)
    if person is None:
        raise Http404
    existing = [p.number for p in person.phones.all()]
    with transaction.atomic():
        if caller.number not in existing:
            estate_services.person_update(
                person=person, actor=user, phone_numbers=[*existing, caller.number]
            )
        if caller.call is not None and caller.call.person_id is None:
            services.call_update(call_id=caller.call.id, actor=user, person=person)
    caller = _caller(
        user,
        call_id=caller.call.id if caller.call else None,
        number="" if caller.call else caller.number,
    )
    if not request.htmx:
        messages.success(request, _("Number added to %(name)s.") % {"name": person.name})
        return redirect(reverse("hotline:desk") + f"?{caller.query()}")
    return _caller_response(request, caller)


@require_GET
@desk_view
def suggest_category(request: HttpRequest) -> HttpResponse:
    """While the description is typed: the category select with the suggestion chosen
    (unless the agent picked one by hand) and the department it goes to; out of band
    the matching articles and the scripts for that category."""
    user = request.user
    data = request.GET
    caller = _caller_from(request, data)
    text = data.get("description", "")
    touched = data.get("category_touched") == "1" or bool(
        request.htmx and request.htmx.trigger_name == "category"
    )
    office = _desk_form(user, caller, data, bind=False).office
    categories = categories_for(office) if office else {}
    chosen = data.get("category") or "other"
    suggestion = None
    if office is not None and text.strip():
        suggestion = suggest(office=office, text=text)
        if not touched:
            chosen = suggestion.category
    if chosen not in categories:
        chosen = "other" if "other" in categories else next(iter(categories), "")
    # Unbound, so that the chosen value (not the one sent) is selected.
    desk = _desk_form(
        user,
        caller,
        data,
        bind=False,
        category=chosen,
        category_touched="1" if touched else "",
    )
    context = {
        "form": desk.form,
        "department": desk.department,
        "suggestion": suggestion,
        "suggested_name": (
            str(categories[suggestion.category].name)
            if suggestion and suggestion.category in categories
            else ""
        ),
        "touched": touched,
    }
    aside = {**_aside_context(user, caller, category=chosen, data=data, query=text), "oob": True}
    return _partials(
        request,
        "hotline/desk.html",
        [("category_field", context), ("scripts", aside), ("kb_articles", aside)],
    )


@require_GET
@desk_view
def scripts_panel(request: HttpRequest) -> HttpResponse:
    """The scripts for the form's unit and category in the chosen situation."""
    caller = _caller_from(request, request.GET)
    category = request.GET.get("category") or None
    context = _aside_context(request.user, caller, category=category, data=request.GET)
    return render(request, "hotline/desk.html#scripts", context)


@require_POST
@desk_view
def desk_ticket_create(request: HttpRequest) -> HttpResponse:
    """The desk's one form: log the caller's request as a hotline ticket and link the
    call to it (a typed number is logged as an answered call)."""
    user = request.user
    caller = _caller_from(request, request.POST)
    desk = _desk_form(user, caller, request.POST)
    form = desk.form
    ticket = None
    if form.is_valid():
        try:
            ticket = _create_ticket(user, caller, form)
        except FORM_ERRORS as exc:
            add_service_errors(form, exc)
    if ticket is None:
        context = _caller_context(request, caller, desk)
        if request.htmx:
            # 200, so that htmx swaps the form with its errors in.
            return render(request, "hotline/desk.html#ticket_form", context)
        context.update(
            _aside_context(user, caller),
            extension_form=ExtensionForm(initial={"extension": user.extension}, user=user),
            since=int((timezone.now() - POLL_GRACE).timestamp()),
            last=caller.call.id if caller.call else "",
            due_callbacks=_due_callbacks(user),
            section="desk",
        )
        return render(request, "hotline/desk.html", context, status=400)
    if not request.htmx:
        messages.success(request, _("Ticket %(number)s logged.") % {"number": ticket.number})
        return redirect("tickets:detail", ticket_id=ticket.id)
    return render(request, "hotline/desk.html#ticket_done", _done_context(user, caller, ticket))


def _done_context(user: User, caller: Caller, ticket: Ticket, callback_form=None) -> dict:
    initial = {
        "call": caller.call.id if caller.call else None,
        "number": caller.number if caller.typed else "",
        "person": ticket.person_id,
        "ticket": ticket.id,
        "reason": _("Tell the caller how %(number)s is going") % {"number": ticket.number},
    }
    return {
        "ticket": ticket,
        "caller": caller,
        "card_query": caller.query(),
        "callback_form": callback_form or CallbackForm(initial=initial),
        "callback_from_desk": True,
    }


def _create_ticket(user: User, caller: Caller, form: DeskTicketForm) -> Ticket | None:
    data = form.cleaned_data
    pid, _sep, uid = (data.get("unit") or "").partition(":")
    person = estate_selectors.person_get(user=user, person_id=int(pid)) if pid.isdigit() else None
    if person is None and len(caller.people) == 1:
        person = caller.people[0]
    unit: Unit | None = None
    community: Community | None = None
    if uid.isdigit():
        unit = estate_selectors.unit_list(user=user).filter(id=int(uid)).first()
        community = unit.community if unit else None
    if community is None and data.get("community"):
        community = (
            estate_selectors.community_list(user=user).filter(id=int(data["community"])).first()
        )
    if community is None:
        form.add_error("community", _("Choose the community."))
        return None
    number = (data.get("unit_number") or "").strip()
    if number and (unit is None or unit.number != number):
        # A unit typed by its number wins over the caller's units (their parents' flat).
        unit = (
            estate_selectors.unit_list(user=user, community_id=community.id)
            .filter(number=number)
            .first()
        )
        if unit is None:
            form.add_error("unit_number", _("No such unit in this community."))
            return None
    description = data["description"].strip()
    with transaction.atomic():
        ticket = ticket_services.ticket_create(
            actor=user,
            community=community,
            kind=data["kind"],
            channel=Channel.HOTLINE,
            title=(data.get("title") or "").strip() or title_from(description),
            description=description,
            unit=unit,
            person=person,
            category=data["category"],
            emergency=data.get("emergency", False),
        )
        if caller.call is not None:
            call = caller.call
            services.call_update(
                call_id=call.id,
                actor=user,
                ticket=ticket,
                person=person if call.person_id is None else None,
                # Logging a request from the call means it was answered: it stops ringing.
                outcome=Call.Outcome.ANSWERED if call.outcome == Call.Outcome.RINGING else None,
            )
        elif caller.number:
            services.call_log(
                actor=user,
                office=community.office,
                direction=Call.Direction.IN,
                number=caller.number,
                outcome=Call.Outcome.ANSWERED,
                person=person,
                ticket=ticket,
            )
    return ticket


# ---- call-backs -----------------------------------------------------------------------------


def _callback_target(user: User, data: dict, caller: Caller) -> dict:
    """Office, number, person and ticket of a call-back from the form and the caller."""
    ticket = ticket_get(user=user, ticket_id=data["ticket"]) if data.get("ticket") else None
    if data.get("ticket") and ticket is None:
        raise NotFound(_("Ticket not found."))
    person = (
        estate_selectors.person_get(user=user, person_id=data["person"])
        if data.get("person")
        else None
    )
    number = (data.get("number") or "").strip() or caller.number
    if not number and person is not None:
        first = next(iter(person.phones.all()), None)
        number = first.number if first else ""
    if person is None and number:
        try:
            found = list(estate_selectors.person_by_phone(user=user, number=number)[:2])
        except phones.InvalidPhone:
            found = []
        person = found[0] if len(found) == 1 else None
    office = None
    if ticket is not None:
        office = ticket.office
    elif caller.call is not None:
        office = caller.call.office
    elif data.get("office"):
        office = office_list(user=user).filter(id=_int(data["office"])).first()
    if office is None:
        offices = list(office_list(user=user)[:2])
        office = offices[0] if len(offices) == 1 else None
    return {"office": office, "number": number, "person": person, "ticket": ticket}


@require_POST
@desk_view
def callback_schedule(request: HttpRequest) -> HttpResponse:
    """Schedule a call-back: the mini form after a desk ticket, or the call-backs page."""
    user = request.user
    caller = _caller_from(request, request.POST)
    from_desk = request.POST.get("from_desk") == "1"
    form = CallbackForm(request.POST, offices=_office_choices(user))
    callback = None
    if form.is_valid():
        target = _callback_target(user, form.cleaned_data, caller)
        if target["office"] is None:
            form.add_error("office", _("Choose the office."))
        elif not target["number"]:
            form.add_error("number", _("Give the number to call."))
        else:
            try:
                callback = services.callback_schedule(
                    actor=user,
                    office=target["office"],
                    number=target["number"],
                    due_at=form.cleaned_data["due_at"],
                    reason=form.cleaned_data["reason"],
                    person=target["person"],
                    ticket=target["ticket"],
                )
            except FORM_ERRORS as exc:
                add_service_errors(form, exc)
    if request.htmx and from_desk:
        context = {
            "callback_form": form,
            "callback": callback,
            "callback_from_desk": True,
            "caller": caller,
        }
        return render(request, "hotline/desk.html#callback_box", context)
    if callback is not None:
        when = timezone.localtime(callback.due_at).strftime("%m-%d %H:%M")
        messages.success(request, _("Call-back scheduled for %(when)s.") % {"when": when})
        return redirect("hotline:callbacks")
    return _callbacks_page(request, form, status=400)


def _callbacks_page(request: HttpRequest, form=None, status: int = 200) -> HttpResponse:
    user = request.user
    everyone = request.GET.get("all") == "1"
    now = timezone.now()
    callbacks = list(
        selectors.callbacks_for(user=user, mine=not everyone)
        .select_related("ticket", "agent", "office")
        .order_by("due_at", "id")[:200]
    )
    for callback in callbacks:
        if callback.due_at < now:
            callback.due_state = "overdue"
        elif callback.due_at < now + services.REMIND_BEFORE:
            callback.due_state = "soon"
        else:
            callback.due_state = ""
    context = {
        "callbacks": callbacks,
        "everyone": everyone,
        "form": form or CallbackForm(offices=_office_choices(user)),
        "can_reveal": estate_can(user, "reveal_phone"),
        "due_callbacks": _due_callbacks(user),
        "section": "callbacks",
    }
    return render(request, "hotline/callbacks.html", context, status=status)


@require_GET
@desk_view
def callback_list(request: HttpRequest) -> HttpResponse:
    """My call-backs and the unassigned ones (missed calls) of my offices; ?all=1 every
    open call-back of my offices."""
    return _callbacks_page(request)


@require_POST
@desk_view
def callback_done(request: HttpRequest, pk: int) -> HttpResponse:
    services.callback_done(callback_id=pk, actor=request.user)
    if request.htmx:
        return HttpResponse("")  # the row goes away
    messages.success(request, _("Call-back done."))
    return redirect("hotline:callbacks")


@require_POST
@desk_view
def callback_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """The number of a call-back in full, to dial it; written to the access log."""
    user = request.user
    callback = visible(user, CallBack.objects.all()).filter(id=pk).first()
    if callback is None:
        raise Http404
    if not estate_can(user, "reveal_phone"):
        raise PermissionDenied
    access_log_record(
        user=user, object_type="callback", object_ids=[callback.id], field="phone", request=request
    )
    return render(request, "hotline/callbacks.html#revealed", {"callback": callback})


# ---- the call log ----------------------------------------------------------------------------


def _day_range(user: User, day) -> tuple[datetime, datetime]:
    zone = _zone(user)
    start = datetime.combine(day, time.min, tzinfo=zone)
    return start, start + timedelta(days=1)


@require_GET
@desk_view
def call_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    agents = [(str(u.id), str(u)) for u in staff_list(user=user).order_by("name", "username")]
    form = CallFilterForm(request.GET, agents=agents)
    data = form.cleaned_data if form.is_valid() else {}
    calls = selectors.call_list(user=user, agent=_int(data.get("agent")))
    if data.get("day"):
        start, end = _day_range(user, data["day"])
        calls = calls.filter(started_at__gte=start, started_at__lt=end)
    page = Paginator(calls, PAGE_SIZE).get_page(request.GET.get("page"))
    for call in page:
        call.duration_text = _duration(call.duration_s)
    context = {
        "form": form,
        "page": page,
        "due_callbacks": _due_callbacks(user),
        "section": "calls",
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "hotline/calls.html#results", context)
    return render(request, "hotline/calls.html", context)


@desk_view
def call_log(request: HttpRequest) -> HttpResponse:
    """Log a call by hand."""
    user = request.user
    form = CallLogForm(request.POST or None, offices=_office_choices(user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        office = office_list(user=user).filter(id=_int(data["office"])).first()
        if office is None:
            raise Http404
        minutes = data.get("duration_min") or 0
        try:
            services.call_log(
                actor=user,
                office=office,
                direction=data["direction"],
                number=data["number"],
                outcome=data["outcome"],
                started_at=data["started_at"],
                duration_s=round(float(minutes) * 60),
                note=data.get("note", ""),
            )
        except FORM_ERRORS as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Call logged."))
            return redirect("hotline:calls")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "hotline/call_log.html",
        {"form": form, "due_callbacks": _due_callbacks(user), "section": "calls"},
        status=status,
    )


# ---- statistics ------------------------------------------------------------------------------


def _bars(rows: list[dict], label_key: Callable[[dict], str]) -> list[dict]:
    """Horizontal stacked bars (answered / missed / other) in % of the longest."""
    top = max((r["total"] for r in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        other = row["total"] - row["answered"] - row["missed"]
        scale = 52.0 / top  # the longest bar spans 52 % of the chart's width
        answered_w = row["answered"] * scale
        missed_w = row["missed"] * scale
        bars.append(
            {
                "label": label_key(row),
                "y": 8 + i * 30,
                "answered_w": round(answered_w, 2),
                "missed_x": round(34 + answered_w, 2),
                "missed_w": round(missed_w, 2),
                "other_x": round(34 + answered_w + missed_w, 2),
                "other_w": round(max(other, 0) * scale, 2),
                "num_x": round(35 + row["total"] * scale, 2),
                "row": row,
            }
        )
    return bars


def _hour_bars(per_hour: list[int]) -> list[dict]:
    top = max(per_hour, default=0) or 1
    bars = []
    for hour, n in enumerate(per_hour):
        height = round(120 * n / top, 1)
        bars.append(
            {
                "hour": hour,
                "n": n,
                "x": round(hour * 100 / 24 + 0.6, 3),
                "cx": round(hour * 100 / 24 + 100 / 48, 3),
                "height": height,
                "y": round(140 - height, 1),
                "num_y": round(134 - height, 1),
            }
        )
    return bars


def _duration(seconds: float) -> str:
    seconds = round(seconds or 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


@require_GET
@desk_view
def stats(request: HttpRequest) -> HttpResponse:
    """Calls per agent, per office and per hour of the day for a date range."""
    user = request.user
    today = timezone.localdate()
    offices = _office_choices(user)
    data = request.GET if "start" in request.GET else None
    form = StatsForm(
        data, offices=offices, initial={"start": today - timedelta(days=6), "end": today}
    )
    result, start_day, end_day = None, None, None
    if form.is_bound:
        if form.is_valid():
            start_day, end_day = form.cleaned_data["start"], form.cleaned_data["end"]
    else:
        start_day, end_day = today - timedelta(days=6), today
    if start_day and end_day:
        office_id = _int(form.cleaned_data.get("office")) if form.is_bound else None
        start, _e = _day_range(user, start_day)
        _s, end = _day_range(user, end_day)
        result = selectors.call_stats(user=user, start=start, end=end, office_id=office_id)
        for row in result["per_agent"] + result["per_office"]:
            row["avg"] = _duration(row["avg_duration_s"])
            # "answered" counts outgoing calls too: the share missed is of incoming ones.
            row["missed_share"] = (
                round(100 * row["missed"] / row["incoming"]) if row["incoming"] else None
            )
    context = {
        "form": form,
        "result": result,
        "start_day": start_day,
        "end_day": end_day,
        "due_callbacks": _due_callbacks(user),
        "section": "stats",
    }
    if result is not None:
        no_agent = _("No agent (missed)")
        context.update(
            agent_bars=_bars(
                result["per_agent"],
                lambda r: r["agent__name"] or r["agent__username"] or no_agent,
            ),
            office_bars=_bars(result["per_office"], lambda r: r["office__name"]),
            hour_bars=_hour_bars(result["per_hour"]),
            total=sum(r["total"] for r in result["per_office"]),
            missed=sum(r["missed"] for r in result["per_office"]),
            answered=sum(r["answered"] for r in result["per_office"]),
        )
        context["agent_height"] = 16 + 30 * len(context["agent_bars"])
        context["office_height"] = 16 + 30 * len(context["office_bars"])
    return render(request, "hotline/stats.html", context)


# ---- knowledge base --------------------------------------------------------------------------


def _article_or_404(user: User, pk: int) -> Article:
    article = (
        visible(user, Article.objects.select_related("office", "source_ticket"))
        .filter(id=pk)
        .first()
    )
    if article is None:
        raise Http404
    return article


def _require_kb_editor(user: User) -> None:
    if not can(user, "edit_kb"):
        raise PermissionDenied


@require_GET
@desk_view
def kb_search(request: HttpRequest) -> HttpResponse:
    """Search the problems and their solutions, word by word in Chinese."""
    user = request.user
    names = _category_names(user)
    form = KbSearchForm(request.GET, categories=list(names.items()))
    data = form.cleaned_data if form.is_valid() else {}
    q = (data.get("q") or "").strip()
    articles = _named(
        user, kb.article_search(user=user, query=q, category=data.get("category") or None, limit=50)
    )
    context = {
        "form": form,
        "q": q,
        "articles": articles,
        "category_names": names,
        "can_edit_kb": can(user, "edit_kb"),
        "due_callbacks": _due_callbacks(user),
        "section": "kb",
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "hotline/kb_list.html#results", context)
    return render(request, "hotline/kb_list.html", context)


@require_GET
@desk_view
def kb_panel(request: HttpRequest) -> HttpResponse:
    """The desk's article list for what the agent searches."""
    user = request.user
    q = request.GET.get("q", "")
    context = {"articles": _kb_articles(user, q), "kb_query": q}
    return render(request, "hotline/desk.html#kb_articles", context)


@require_GET
@desk_view
def kb_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    article = _article_or_404(user, pk)
    return render(
        request,
        "hotline/kb_detail.html",
        {
            "article": article,
            "category_name": _category_names(user).get(article.category, article.category),
            "can_edit_kb": can(user, "edit_kb"),
            "due_callbacks": _due_callbacks(user),
            "section": "kb",
        },
    )


@require_POST
@desk_view
def kb_helped(request: HttpRequest, pk: int) -> HttpResponse:
    """One more time the article helped to answer a caller."""
    article = kb.article_helped(article_id=pk, actor=request.user)
    if request.htmx:
        return render(request, "hotline/desk.html#helped", {"article": article, "done": True})
    messages.success(request, _("Thank you: counted."))
    return redirect("hotline:kb_detail", pk=article.pk)


def _kb_form_page(request, form, article=None, status=200) -> HttpResponse:
    return render(
        request,
        "hotline/kb_form.html",
        {
            "form": form,
            "article": article,
            "due_callbacks": _due_callbacks(request.user),
            "section": "kb",
        },
        status=status,
    )


@desk_view
def kb_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    _require_kb_editor(user)
    offices = [(str(o.id), o.name) for o in _service_offices(user)]
    form = ArticleForm(
        request.POST or None,
        categories=list(_category_names(user).items()),
        offices=offices,
        initial={"office": offices[0][0] if len(offices) == 1 else ""},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        office = (
            office_list(user=user).filter(id=_int(data["office"])).first()
            if data.get("office")
            else None
        )
        try:
            article = kb.article_create(
                actor=user,
                category=data["category"],
                title=data["title"],
                problem=data["problem"],
                solution=data["solution"],
                office=office,
            )
        except FORM_ERRORS as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Article saved."))
            return redirect("hotline:kb_detail", pk=article.pk)
    return _kb_form_page(request, form, status=400 if form.errors else 200)


@desk_view
def kb_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    article = _article_or_404(user, pk)
    _require_kb_editor(user)
    form = ArticleForm(
        request.POST or None,
        categories=list(_category_names(user).items()),
        initial={
            "category": article.category,
            "title": article.title,
            "problem": article.problem,
            "solution": article.solution,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            kb.article_update(article=article, actor=user, **form.cleaned_data)
        except FORM_ERRORS as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("hotline:kb_detail", pk=article.pk)
    return _kb_form_page(request, form, article, status=400 if form.errors else 200)


@require_POST
@desk_view
def kb_from_ticket(request: HttpRequest) -> HttpResponse:
    """The "keep as an article" button of a resolved ticket (POST ticket=<id>)."""
    user = request.user
    _require_kb_editor(user)
    ticket_id = _int(request.POST.get("ticket"))
    if ticket_id is None:
        raise Http404
    try:
        article = kb.article_from_ticket(ticket_id=ticket_id, actor=user)
    except FORM_ERRORS as exc:
        messages.error(request, exc.message)
        return redirect("tickets:detail", ticket_id=ticket_id)
    messages.success(request, _("The ticket's solution is now in the knowledge base."))
    return redirect("hotline:kb_detail", pk=article.pk)
