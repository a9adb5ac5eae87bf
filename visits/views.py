"""Staff pages for return visits (回访): the work lists, the visit page, the record and
correction form with the owner's signature or SMS code, the printable visit sheets and
the form that plans a routine visit.

Reads go through visits.selectors, which start from policies.visible: a visit of an
office the user cannot see is a 404 on every URL (the signature image included), never
a 403. Writes go through visits.services, which check the policy again; every endpoint
checks for itself too, because a client can call it directly.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import phones
from core.errors import ApplicationError, NotAllowed, NotFound
from core.views import application_errors, render_page_or_partial
from estate import selectors as estate_selectors
from estate.models import PersonPhone, Relation, Unit
from org.models import Role, User
from org.selectors import staff_list
from visits import selectors, services, sheets
from visits.forms import (
    CONFIRM_DRAWN,
    SATISFACTION,
    SCOPES,
    TABS,
    AssignForm,
    CorrectionForm,
    PlanForm,
    RecordForm,
    VisitFilterForm,
    add_service_errors,
    now_local,
)
from visits.models import ReturnVisit, VisitRecord
from visits.policies import can

PAGE_SIZE = 50
SHEETS_CAP = 200  # visit sheets in one printed PDF
# Who may switch the work list from their own visits to the whole office's.
OFFICE_SCOPE_ROLES = (Role.SUPERVISOR, Role.OFFICE_MANAGER, Role.QUALITY, Role.COMPANY_ADMIN)
# Who may plan a routine visit for someone else (visits.services.visit_plan_routine).
PLAN_FOR_OTHERS_ROLES = (Role.SUPERVISOR, Role.OFFICE_MANAGER, Role.COMPANY_ADMIN)
FILTER_KEYS = ("tab", "scope", "community", "building")

STATE_LABELS = {
    "due": pgettext_lazy("visit state", "Due"),
    "overdue": pgettext_lazy("visit state", "Overdue"),
    "upcoming": pgettext_lazy("visit state", "Upcoming"),
    "done": pgettext_lazy("visit state", "Done"),
}
EVENT_LABELS = {
    "plan": pgettext_lazy("visit event", "Planned"),
    "assign": pgettext_lazy("visit event", "Reassigned"),
    "record": pgettext_lazy("visit event", "Recorded"),
    "correct": pgettext_lazy("visit event", "Corrected"),
    "code_sent": pgettext_lazy("visit event", "Confirmation code sent"),
}
SATISFACTION_LABELS = dict(SATISFACTION)


def visit_state(visit: ReturnVisit, now: datetime) -> str:
    """done, overdue, due (window open) or upcoming (window not open yet).

    selectors.state_of answers "due" for a window that has not opened; the list tells
    the two apart, as the API's `status=upcoming` filter does."""
    state = selectors.state_of(visit, now)
    if state == "due" and visit.due_from > now:
        return "upcoming"
    return state


def _visit_or_404(user: User, visit_id: int) -> ReturnVisit:
    visit = selectors.visit_get(user=user, visit_id=visit_id)
    if visit is None:
        raise Http404
    return visit


def _first_phone(person) -> str:
    if person is None:
        return ""
    numbers = [p.number for p in person.phones.all()]
    return numbers[0] if numbers else ""


def _phones_prefetch() -> Prefetch:
    return Prefetch("person__phones", queryset=PersonPhone.objects.order_by("position", "id"))


# ---- the work lists ------------------------------------------------------------------------


def _may_see_office(user: User) -> bool:
    return user.has_role(*OFFICE_SCOPE_ROLES)


def _tab_q(tab: str, now: datetime) -> Q:
    """The visits of one tab. Due today: not done, and either due by some time today
    (company time; those already past are overdue too) or with the window open now."""
    if tab == "today":
        start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        end = start + timedelta(days=1)
        return Q(done_at__isnull=True) & (
            Q(due_by__gte=start, due_by__lt=end) | Q(due_from__lte=now, due_by__gte=now)
        )
    return selectors.state_q(tab, now)


TAB_ORDER = {
    "today": ("due_by", "id"),
    "overdue": ("due_by", "id"),
    "upcoming": ("due_from", "id"),
    "done": ("-done_at", "-id"),
}


def _list_state(request: HttpRequest) -> tuple[VisitFilterForm, str, str, dict]:
    user = request.user
    form = VisitFilterForm(request.GET, user=user)
    form.is_valid()  # invalid filters are dropped; the valid ones stay in cleaned_data
    data = form.cleaned_data
    tab = data.get("tab") or "today"
    scope = data.get("scope") or "mine"
    if not _may_see_office(user):
        scope = "mine"
    return form, tab, scope, data


def _base(user: User, scope: str, data: dict, now: datetime) -> QuerySet[ReturnVisit]:
    community, building = data.get("community"), data.get("building")
    return selectors.visit_list(
        user=user,
        community=community.id if community else None,
        building=building.id if building else None,
        assignee=user.id if scope == "mine" else None,
        unattended=scope == "unattended",
        now=now,
    )


def _tab_visits(base: QuerySet[ReturnVisit], tab: str, now: datetime) -> QuerySet[ReturnVisit]:
    return (
        base.filter(_tab_q(tab, now))
        .select_related("unit__community")
        .prefetch_related(_phones_prefetch())
        .order_by(*TAB_ORDER[tab])
    )


def _querystring(request: HttpRequest, **changes) -> str:
    """The list's filters as a query string, without the page number."""
    query = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        value = request.GET.get(key)
        if value:
            query[key] = value
    for key, value in changes.items():
        if value:
            query[key] = value
        else:
            query.pop(key, None)
    return query.urlencode()


@require_GET
def visit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form, tab, scope, data = _list_state(request)
    now = timezone.now()
    base = _base(user, scope, data, now)
    page = Paginator(_tab_visits(base, tab, now), PAGE_SIZE).get_page(request.GET.get("page"))
    for visit in page:
        visit.state = visit_state(visit, now)
        visit.state_label = STATE_LABELS[visit.state]
        visit.phone = _first_phone(visit.person)
    counts = {key: base.filter(_tab_q(key, now)).count() for key, _label in TABS}
    context = {
        "form": form,
        "tab": tab,
        "scope": scope,
        "tabs": [
            (key, label, counts[key], "?" + _querystring(request, tab=key)) for key, label in TABS
        ],
        "scopes": [(key, label, "?" + _querystring(request, scope=key)) for key, label in SCOPES]
        if _may_see_office(user)
        else [],
        "page": page,
        "query": _querystring(request, tab=tab, scope=scope),
        "sheets_cap": SHEETS_CAP,
        "can_plan": can(user, "plan"),
        "today": timezone.localdate(now),
    }
    if request.htmx and not request.htmx.history_restore_request:
        # The building choices follow the community: swapped in out of band.
        return render(request, "visits/list.html#results", {**context, "oob": True})
    return render(request, "visits/list.html", context)


# ---- the visit page -------------------------------------------------------------------------


def _timeline(visit: ReturnVisit) -> list[dict]:
    events = list(visit.events.all())
    user_ids = {
        value
        for e in events
        if e.action == "assign"
        for value in (e.data.get("from"), e.data.get("to"))
        if value
    }
    names = {u.id: str(u) for u in User.objects.filter(id__in=user_ids)} if user_ids else {}
    rows = []
    for event in events:
        detail, note = event.text, ""
        if event.action == "plan":
            # The sampling decision's wording is the audit trail's (SamplingDecision), in
            # English: staff read the rule, the reason stays in the tooltip.
            if visit.ticket_id:
                detail, note = (visit.rule.name if visit.rule_id else ""), event.text
            else:
                detail = " · ".join(x for x in (visit.get_purpose_display(), event.text) if x)
        elif event.action == "assign":
            detail = "{} → {}".format(
                names.get(event.data.get("from"), "—"), names.get(event.data.get("to"), "—")
            )
        elif event.action == "code_sent":
            detail = event.data.get("phone", "")
        elif event.action in {"record", "correct"}:
            version = _("version %(n)s") % {"n": event.data.get("version")}
            verdict = _("qualified") if event.data.get("qualified") else _("not qualified")
            detail = " · ".join(x for x in (version, verdict, event.text) if x)
        rows.append(
            {
                "event": event,
                "label": EVENT_LABELS.get(event.action, event.action),
                "detail": detail,
                "note": note,
            }
        )
    return rows


def _records(visit: ReturnVisit) -> list[VisitRecord]:
    records = sorted(visit.records.all(), key=lambda r: r.version, reverse=True)
    for record in records:
        record.is_current = record is records[0]
        record.satisfaction_label = SATISFACTION_LABELS.get(record.satisfaction, "")
        record.stars = "★" * record.satisfaction + "☆" * (5 - record.satisfaction)
        record.masked_phone = phones.mask(record.signature_phone) if record.signature_phone else ""
        record.has_image = bool(record.signature_image)
    return records


def _shows_sms_outbox(user: User) -> bool:
    """In the demo the SMS backend only keeps messages in the outbox: tell company
    admins where to read the code."""
    backend = settings.OWNERDESK.get("SMS_BACKEND", "core.sms.OutboxBackend")
    return backend.endswith("OutboxBackend") and user.has_role(Role.COMPANY_ADMIN)


def _assign_form(user: User, visit: ReturnVisit, data=None) -> AssignForm:
    staff = staff_list(user=user).filter(offices=visit.office_id).order_by("name", "id")
    return AssignForm(data, staff=staff, initial={"assignee": visit.assignee_id})


@require_GET
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    user = request.user
    visit = _visit_or_404(user, visit_id)
    now = timezone.now()
    state = visit_state(visit, now)
    records = _records(visit)
    can_record = can(user, "record", visit)
    can_assign = can(user, "assign", visit)
    person_phones = list(visit.person.phones.order_by("position", "id")) if visit.person else []
    context = {
        "visit": visit,
        "state": state,
        "state_label": STATE_LABELS[state],
        "records": records,
        "current": records[0] if records else None,
        "timeline": _timeline(visit),
        "phone": person_phones[0].number if person_phones else "",
        "can_record": can_record,
        "can_assign": can_assign,
        "assign_form": _assign_form(user, visit) if can_assign else None,
        "sms_outbox": can_record and _shows_sms_outbox(user),
    }
    return render(request, "visits/detail.html", context)


@require_GET
def visit_signature(request: HttpRequest, visit_id: int, version: int) -> HttpResponse:
    """The owner's drawn signature of one version of the record, as PNG."""
    if not selectors.visit_list(user=request.user).filter(id=visit_id).exists():
        raise Http404
    record = (
        VisitRecord.objects.filter(visit_id=visit_id, version=version)
        .only("id", "signature_image")
        .first()
    )
    image = bytes(record.signature_image) if record and record.signature_image else b""
    if not image.startswith(services.PNG_MAGIC):
        raise Http404
    response = HttpResponse(image, content_type="image/png")
    # A signed version is never edited: the image of a version never changes.
    response["Cache-Control"] = "private, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# ---- recording and correcting ---------------------------------------------------------------


def _record_page(request: HttpRequest, visit_id: int, *, correcting: bool) -> HttpResponse:
    user = request.user
    visit = _visit_or_404(user, visit_id)
    if not can(user, "record", visit):
        raise PermissionDenied
    records = _records(visit)
    latest = records[0] if records else None
    if latest and not correcting:
        return redirect("visits:correct", visit_id=visit.id)
    if correcting and latest is None:
        return redirect("visits:record", visit_id=visit.id)
    form_class = CorrectionForm if correcting else RecordForm
    initial = CorrectionForm.initial_from(latest) if correcting else {"visited_at": now_local()}
    initial["confirm_by"] = CONFIRM_DRAWN
    form = form_class(request.POST or None, initial=initial)
    form.fields["visited_at"].widget.attrs["max"] = now_local().strftime("%Y-%m-%dT%H:%M")
    if request.method == "POST" and form.is_valid():
        try:
            if correcting:
                services.visit_correct(
                    visit_id=visit.id,
                    actor=user,
                    reason=form.cleaned_data["reason"],
                    signature=form.signature_payload(),
                    **form.record_fields(),
                )
            else:
                services.visit_record(
                    visit_id=visit.id,
                    actor=user,
                    signature=form.signature_payload(),
                    **form.record_fields(),
                )
        except (NotAllowed, NotFound):
            raise
        except ApplicationError as exc:
            form.service_errors(exc)
        else:
            if correcting:
                messages.success(
                    request, _("The record was corrected; the earlier version is kept.")
                )
            else:
                messages.success(request, _("The visit was recorded."))
            if not form.cleaned_data["qualified"] and visit.ticket_id:
                messages.warning(
                    request,
                    _("Not qualified: ticket %(number)s was reopened for more work.")
                    % {"number": visit.ticket.number},
                )
            return redirect("visits:detail", visit_id=visit.id)
    person_phones = list(visit.person.phones.order_by("position", "id")) if visit.person else []
    return render(
        request,
        "visits/record.html",
        {
            "visit": visit,
            "form": form,
            "correcting": correcting,
            "latest": latest,
            "phone": person_phones[0].number if person_phones else "",
            "sms_outbox": _shows_sms_outbox(user),
        },
    )


@require_http_methods(["GET", "POST"])
@application_errors
def visit_record(request: HttpRequest, visit_id: int) -> HttpResponse:
    return _record_page(request, visit_id, correcting=False)


@require_http_methods(["GET", "POST"])
@application_errors
def visit_correct(request: HttpRequest, visit_id: int) -> HttpResponse:
    return _record_page(request, visit_id, correcting=True)


@require_POST
@application_errors
def visit_send_code(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Send the owner a one-time code. htmx: the status line under the button."""
    user = request.user
    visit = _visit_or_404(user, visit_id)
    if not can(user, "record", visit):
        raise PermissionDenied
    sent_to, error = "", ""
    try:
        sent = services.visit_send_code(visit_id=visit.id, actor=user)
    except (NotAllowed, NotFound):
        raise
    except ApplicationError as exc:
        error = exc.message
    else:
        sent_to = phones.mask(sent.phone)
    if request.htmx:
        return render(
            request,
            "visits/record.html#code-status",
            {
                "visit": visit,
                "sent_to": sent_to,
                "code_error": error,
                "sms_outbox": _shows_sms_outbox(user),
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Code sent to %(phone)s.") % {"phone": sent_to})
    target = "visits:correct" if visit.records.exists() else "visits:record"
    return redirect(target, visit_id=visit.id)


@require_POST
@application_errors
def visit_assign(request: HttpRequest, visit_id: int) -> HttpResponse:
    user = request.user
    visit = _visit_or_404(user, visit_id)
    if not can(user, "assign", visit):
        raise PermissionDenied
    form = _assign_form(user, visit, request.POST)
    if form.is_valid():
        try:
            services.visit_assign(
                visit_id=visit.id, actor=user, assignee=form.cleaned_data["assignee"]
            )
        except (NotAllowed, NotFound):
            raise
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("The visit now goes to %(name)s.") % {"name": form.cleaned_data["assignee"]},
            )
    else:
        messages.error(request, _("Choose a visitor of this office."))
    return redirect("visits:detail", visit_id=visit.id)


# ---- printed visit sheets ---------------------------------------------------------------------


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _sheet_visits(qs: QuerySet[ReturnVisit]) -> QuerySet[ReturnVisit]:
    """What a printed sheet shows, in a fixed number of queries (phones: _tab_visits)."""
    return qs.select_related("unit__community", "office", "company").prefetch_related(
        "records", "records__recorded_by"
    )


@require_GET
def visit_sheet_pdf(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = (
        _sheet_visits(selectors.visit_list(user=request.user))
        .prefetch_related(_phones_prefetch())
        .filter(id=visit_id)
        .first()
    )
    if visit is None:
        raise Http404
    content = sheets.visit_sheets_pdf([visit], printed_on=timezone.localdate())
    return _pdf(content, f"回访记录表-{visit.id}.pdf")


@require_GET
def visit_sheets_pdf(request: HttpRequest) -> HttpResponse:
    """The sheets of the work list as filtered (one page per visit, at most SHEETS_CAP)."""
    user = request.user
    _form, tab, scope, data = _list_state(request)
    now = timezone.now()
    visits = list(_sheet_visits(_tab_visits(_base(user, scope, data, now), tab, now))[:SHEETS_CAP])
    content = sheets.visit_sheets_pdf(visits, printed_on=timezone.localdate())
    return _pdf(content, f"回访记录表-{timezone.localdate():%Y%m%d}.pdf")


# ---- planning a routine visit ----------------------------------------------------------------


def _unit_from(user: User, community_id, number) -> Unit | None:
    number = (number or "").strip()
    if not (str(community_id or "").isdigit() and number):
        return None
    return (
        estate_selectors.unit_list(user=user, community_id=int(community_id))
        .filter(number=number)
        .first()
    )


def _unit_people(user: User, unit: Unit | None) -> list[tuple[int, str]]:
    """The people of the unit, owners first, labelled with their relation."""
    if unit is None:
        return []
    rows = []
    for person in estate_selectors.person_list(user=user, unit_id=unit.id):
        link = next((lk for lk in person.unit_links.all() if lk.unit_id == unit.id), None)
        relation = link.relation if link else ""
        label = person.name
        if relation in Relation.values:
            label += f"（{Relation(relation).label}）"
        rows.append((relation != Relation.OWNER, person.name, person.id, label))
    return [(pid, label) for _o, _n, pid, label in sorted(rows)]


@require_http_methods(["GET", "POST"])
@application_errors
def visit_plan(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can(user, "plan"):
        raise PermissionDenied
    source = request.POST if request.method == "POST" else request.GET
    unit = _unit_from(user, source.get("community"), source.get("unit_number"))
    people = _unit_people(user, unit)
    staff = (
        staff_list(user=user).order_by("name", "id")
        if user.has_role(*PLAN_FOR_OTHERS_ROLES)
        else None
    )
    today = timezone.localdate()
    initial = {"due_from": today, "due_by": today + timedelta(days=14)}
    communities = list(estate_selectors.community_list(user=user).order_by("id")[:2])
    if len(communities) == 1:
        initial["community"] = communities[0].id
    for key in ("community", "unit_number", "person"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    form = PlanForm(request.POST or None, user=user, staff=staff, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = data["unit"]
        person_id = data.get("person") or (people[0][0] if people else None)
        person = estate_selectors.person_get(user=user, person_id=person_id) if person_id else None
        due_from, due_by = form.window()
        try:
            visit = services.visit_plan_routine(
                actor=user,
                office=unit.community.office,
                purpose=data["purpose"],
                due_from=due_from,
                due_by=due_by,
                assignee=data.get("assignee") or user,
                person=person,
                unit=unit,
                topic=data["topic"],
            )
        except (NotAllowed, NotFound):
            raise
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The visit is planned."))
            return redirect("visits:detail", visit_id=visit.id)
    context = {"form": form, "unit": unit, "list_url": reverse("visits:list")}
    return render_page_or_partial(request, "visits/plan.html", "person-field", context)
