"""Staff pages for owner relations (客户关系, DOMAIN §2 and §5): the yearly contact
quotas, the attitude classes with the suggestions to confirm, and the satisfaction
surveys of quality & training (品训部).

Reads start from what the user may see (org.selectors, estate.selectors,
relations.surveys.visible_surveys): an object of an office the user cannot see is a
404, never a 403. Writes go through estate.services and relations.surveys, which check
the rules again; every endpoint checks for itself too, because a client can call it
directly.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ApplicationError, BadInput, NotFound
from core.views import application_errors, render_page_or_partial
from estate.models import Attitude
from estate.policies import can
from estate.selectors import community_list, person_get
from estate.services import person_update
from org.models import Role, User
from relations import surveys
from relations.attitudes import attitude_counts, attitude_suggestions
from relations.forms import (
    AnswerForm,
    AttitudeConfirmForm,
    AttitudeFilterForm,
    QuotaFilterForm,
    SurveyForm,
    add_service_errors,
    question_formset,
    questions_from,
    service_offices,
)
from relations.models import ServiceLine, Survey, SurveyInvitation
from relations.quotas import quota_progress

PAGE_SIZE = 50
YEARS_OFFERED = 5
ATTITUDE_ORDER = (Attitude.FAVOURABLE, Attitude.NEUTRAL, Attitude.ADVERSE)
RATING_MAX = 5


def _percent(part: float, whole: float) -> float:
    """part/whole as a percentage capped at 100, for a bar's width."""
    if not whole:
        return 100.0 if part else 0.0
    return max(0.0, min(100.0, 100 * part / whole))


# ---- the overview ----------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    from incidents.selectors import incident_list

    user = request.user
    year = timezone.localdate().year
    people = quota_progress(user=user, year=year)["people"]
    counts = attitude_counts(user=user)
    return render(
        request,
        "relations/index.html",
        {
            "year": year,
            "households": sum(p.households for p in people),
            "target": sum(p.target for p in people),
            "people_count": len(people),
            "behind_count": sum(1 for p in people if p.behind),
            "attitudes": _attitude_rows(counts),
            "suggestion_count": len(attitude_suggestions(user=user)),
            "open_surveys": list(
                surveys.visible_surveys(user)
                .filter(status=Survey.Status.OPEN)
                .select_related("office")
                .order_by("-opened_at", "-id")[:5]
            ),
            "open_survey_count": surveys.visible_surveys(user)
            .filter(status=Survey.Status.OPEN)
            .count(),
            "open_incident_count": incident_list(user=user, open_only=True).count(),
        },
    )


# ---- contact quotas ----------------------------------------------------------------------------


@require_GET
def quotas(request: HttpRequest) -> HttpResponse:
    """Households contacted this year per person and per department against the quota,
    behind-first. An office the user cannot see is a 404."""
    user = request.user
    this_year = timezone.localdate().year
    years = [this_year - i for i in range(YEARS_OFFERED)]
    form = QuotaFilterForm(request.GET, user=user, years=years)
    form.is_valid()
    if "office" in form.errors:
        raise Http404
    year = form.cleaned_data.get("year") or this_year
    office = form.cleaned_data.get("office")
    data = quota_progress(user=user, year=year, office_id=office.id if office else None)
    for p in data["people"]:
        p.percent = _percent(p.households, p.target)
        p.progress_percent = round(100 * p.progress)
        p.expected_percent = _percent(p.expected_by_now, p.target)
        p.role_labels = [Role(r).label for r in p.user.roles if r in Role.values]
    office_names = dict(service_offices(user).values_list("id", "name"))
    for d in data["departments"]:
        d.office_name = office_names.get(d.department.office_id, "")
        d.percent = _percent(d.share_percent, 100)
        d.target_percent = _percent(d.rule.target, 100)
        d.expected_percent = _percent(d.expected_by_now, 100)
    return render(
        request,
        "relations/quotas.html",
        {
            "form": form,
            "year": year,
            "office": office,
            "elapsed_percent": round(100 * data["elapsed"]),
            "people": data["people"],
            "departments": data["departments"],
            "behind_count": sum(1 for p in data["people"] if p.behind),
        },
    )


# ---- attitude classes --------------------------------------------------------------------------


@dataclass
class AttitudeRow:
    code: str
    label: str
    count: int
    percent: float


def _attitude_rows(counts: dict[str, int]) -> list[AttitudeRow]:
    total = sum(counts.values())
    return [
        AttitudeRow(
            code, Attitude(code).label, counts.get(code, 0), _percent(counts.get(code, 0), total)
        )
        for code in ATTITUDE_ORDER
    ]


def _attitude_community(user: User, source) -> tuple[AttitudeFilterForm, object]:
    """The community filter; an unknown or invisible community is a 404."""
    form = AttitudeFilterForm(source, user=user)
    if not source.get("community"):
        form.is_valid()
        return form, None
    if not form.is_valid():
        raise Http404
    return form, form.cleaned_data["community"]


@require_GET
def attitudes(request: HttpRequest) -> HttpResponse:
    user = request.user
    form, community = _attitude_community(user, request.GET)
    community_id = community.id if community else None
    suggestions = attitude_suggestions(user=user, community_id=community_id)
    page = Paginator(suggestions, PAGE_SIZE).get_page(request.GET.get("page"))
    for s in page:
        s.current_label = Attitude(s.current).label
        s.suggested_label = Attitude(s.suggested).label
    return render_page_or_partial(
        request,
        "relations/attitudes.html",
        "results",
        {
            "form": form,
            "community": community,
            "attitudes": _attitude_rows(attitude_counts(user=user, community_id=community_id)),
            "page": page,
            "can_change": can(user, "change_person"),
        },
    )


@require_POST
@application_errors
def attitude_confirm(request: HttpRequest, person_id: int) -> HttpResponse:
    """Confirm a suggested class. The evidence behind the suggestion, and the note, go
    into the attitude history as the reason. htmx: the row goes and the counts update."""
    user = request.user
    person = person_get(user=user, person_id=person_id)
    if person is None:
        raise Http404
    if not can(user, "change_person", person):
        raise PermissionDenied
    form = AttitudeConfirmForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose an attitude class."), status=400)
    attitude = form.cleaned_data["attitude"]
    note = form.cleaned_data["note"].strip()
    evidence = next(
        (
            s.reasons
            for s in attitude_suggestions(user=user, person_id=person.id, include_unchanged=True)
            if s.person.id == person.id
        ),
        [],
    )
    reason = "; ".join([*evidence, note] if note else evidence)
    person_update(person=person, actor=user, attitude=attitude, attitude_reason=reason)
    done = _("%(name)s: attitude class set to %(attitude)s.") % {
        "name": person.name,
        "attitude": Attitude(attitude).label,
    }
    community_id = request.POST.get("community", "")
    community_id = community_id if community_id.isdigit() else ""
    if not request.htmx:
        messages.success(request, done)
        url = reverse("relations:attitudes")
        return redirect(f"{url}?{urlencode({'community': community_id})}" if community_id else url)
    community = None
    if community_id:
        community = community_list(user=user).filter(id=community_id).first()
    counts = attitude_counts(user=user, community_id=community.id if community else None)
    return render(
        request,
        "relations/attitudes.html#confirmed",
        {"attitudes": _attitude_rows(counts), "done": done},
    )


# ---- satisfaction surveys -------------------------------------------------------------------------


def _may_run(user: User) -> bool:
    return user.has_role(*surveys.RUNNERS)


def _may_enter(user: User) -> bool:
    return user.has_role(*surveys.ENTERERS)


def _survey_or_404(user: User, survey_id: int) -> Survey:
    survey = surveys.visible_surveys(user).select_related("office").filter(id=survey_id).first()
    if survey is None:
        raise Http404
    return survey


def _invitations(user: User, survey: Survey) -> QuerySet[SurveyInvitation]:
    # A company-wide survey is visible to every office; each sees the owners of its own
    # communities only.
    return (
        surveys.visible_invitations(user, survey)
        .select_related("person", "unit", "community", "response")
        .order_by("community_id", "id")
    )


def _invitation_or_404(user: User, survey: Survey, invitation_id: int) -> SurveyInvitation:
    invitation = _invitations(user, survey).filter(id=invitation_id).first()
    if invitation is None:
        raise Http404
    return invitation


@require_GET
def survey_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = (
        surveys.visible_surveys(user)
        .select_related("office")
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count("invitations__response", distinct=True),
        )
        .order_by("-id")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for survey in page:
        survey.rate = survey.answered / survey.invited if survey.invited else None
    return render_page_or_partial(
        request,
        "relations/survey_list.html",
        "results",
        {"page": page, "can_create": _may_run(user)},
    )


def _put_question_errors(form, formset, rows: list[int], exc: ApplicationError) -> None:
    """The service names a question's field "questions.<i>.<field>", <i> counting the
    filled rows only."""
    rest = {}
    for key, messages_ in exc.fields.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "questions" and parts[1].isdigit():
            i = int(parts[1])
            if i < len(rows) and parts[2] in formset.forms[rows[i]].fields:
                formset.forms[rows[i]].add_error(parts[2], messages_)
                continue
        rest[key] = messages_
    if rest or not exc.fields:
        add_service_errors(
            form, ApplicationError(exc.message, fields=rest), names={"questions": "__all__"}
        )


@require_http_methods(["GET", "POST"])
@application_errors
def survey_create(request: HttpRequest) -> HttpResponse:
    """The new-survey form. "Add a row" posts the form back and gets one more question
    row (htmx: just the rows), without checking anything yet."""
    user = request.user
    if not _may_run(user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    formset = question_formset(data, add_row=data is not None and "add_row" in data)
    if data is not None and "add_row" in data:
        if request.htmx:
            return render(request, "relations/survey_form.html#questions", {"formset": formset})
        # Without htmx the whole form comes back, as typed and not checked yet.
        form = SurveyForm(user=user, initial=data.dict())
        return render(request, "relations/survey_form.html", {"form": form, "formset": formset})
    form = SurveyForm(data, user=user)
    status = 200
    if data is not None:
        if form.is_valid() and formset.is_valid():
            questions, rows = questions_from(formset)
            try:
                survey = surveys.survey_create(actor=user, questions=questions, **form.cleaned_data)
            except BadInput as exc:
                _put_question_errors(form, formset, rows, exc)
            else:
                messages.success(
                    request, _("Survey %(title)s created as a draft.") % {"title": survey}
                )
                return redirect("relations:survey_detail", survey_id=survey.id)
        status = 400
    return render(
        request, "relations/survey_form.html", {"form": form, "formset": formset}, status=status
    )


MINI_BAR_W = 56  # the bars in the per-community table, in px


@dataclass
class Bar:
    label: str
    value: float
    percent: float  # of the top rating, for the bar's length


def _results(user: User, survey: Survey) -> dict:
    """survey_results with labels and bar lengths; per community only the communities
    the user may see (a company-wide survey covers other offices too)."""
    results = surveys.survey_results(survey=survey, user=user)
    seen = set(community_list(user=user).values_list("name", flat=True))
    by_line = results["by_service_line"]
    lines = [line for line in ServiceLine.values if line in by_line]
    communities = [
        (
            name,
            [
                (values[line], round(MINI_BAR_W * _percent(values[line], RATING_MAX) / 100, 1))
                if line in values
                else (None, 0)
                for line in lines
            ],
        )
        for name, values in results["by_community"].items()
        if name in seen
    ]
    return {
        **results,
        "rate_percent": _percent(results["answered"], results["invited"]),
        "lines": [ServiceLine(line).label for line in lines],
        "bars": [
            Bar(ServiceLine(line).label, by_line[line], _percent(by_line[line], RATING_MAX))
            for line in lines
        ],
        "mini_w": MINI_BAR_W,
        "communities": communities,
    }


def _survey_context(request: HttpRequest, survey: Survey) -> dict:
    user = request.user
    page = Paginator(_invitations(user, survey), PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "survey": survey,
        "page": page,
        "results": _results(user, survey) if survey.status != Survey.Status.DRAFT else None,
        "can_run": _may_run(user),
        "can_enter": _may_enter(user) and survey.status == Survey.Status.OPEN,
    }


@require_GET
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey_or_404(request.user, survey_id)
    return render_page_or_partial(
        request, "relations/survey_detail.html", "invitations", _survey_context(request, survey)
    )


def _survey_action(request: HttpRequest, survey_id: int, action, done: str) -> HttpResponse:
    user = request.user
    survey = _survey_or_404(user, survey_id)
    if not _may_run(user):
        raise PermissionDenied
    try:
        action(survey_id=survey.id, actor=user)
    except NotFound:
        raise
    except ApplicationError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("relations:survey_detail", survey_id=survey.id)


@require_POST
@application_errors
def survey_open(request: HttpRequest, survey_id: int) -> HttpResponse:
    return _survey_action(
        request, survey_id, surveys.survey_open, _("The survey is open: the sample is drawn.")
    )


@require_POST
@application_errors
def survey_close(request: HttpRequest, survey_id: int) -> HttpResponse:
    return _survey_action(request, survey_id, surveys.survey_close, _("The survey is closed."))


@require_http_methods(["GET", "POST"])
@application_errors
def survey_answer(request: HttpRequest, survey_id: int, invitation_id: int) -> HttpResponse:
    """Enter one owner's answers. htmx: the form opens in the page's answer panel; once
    saved, the panel says so, and the owner's row and the results update in place."""
    user = request.user
    survey = _survey_or_404(user, survey_id)
    invitation = _invitation_or_404(user, survey, invitation_id)
    if not _may_enter(user):
        raise PermissionDenied
    form = AnswerForm(request.POST or None, survey=survey)
    status = 200
    error = ""
    if request.method == "POST":
        if form.is_valid():
            try:
                surveys.survey_answer(
                    invitation_id=invitation.id,
                    actor=user,
                    answers=form.answers(),
                    channel=form.cleaned_data["channel"],
                )
            except ApplicationError as exc:
                if exc.status in (403, 404):
                    raise
                add_service_errors(form, exc, names=form.service_names())
                status = exc.status
            else:
                done = _("Answers of %(name)s saved.") % {"name": invitation.person.name}
                if not request.htmx:
                    messages.success(request, done)
                    return redirect("relations:survey_detail", survey_id=survey.id)
                invitation = _invitation_or_404(user, survey, invitation.id)
                return render(
                    request,
                    "relations/survey_detail.html#answered",
                    {
                        "survey": survey,
                        "invitation": invitation,
                        "results": _results(user, survey),
                        "done": done,
                        "can_enter": True,
                    },
                )
        else:
            status = 400
            error = _("Check the answers marked below.")
    elif hasattr(invitation, "response") or survey.status != Survey.Status.OPEN:
        error = (
            _("This owner has already answered.")
            if hasattr(invitation, "response")
            else _("The survey is not open.")
        )
    context = {"survey": survey, "invitation": invitation, "form": form, "error": error}
    template = "relations/survey_answer.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#answer-form"
    return render(request, template, context, status=status)
