"""The monthly analysis (管理员每月末, DOMAIN §5): the month's figures and charts, the
written report to the office manager with a proposed solution per finding, and the
report as PDF and Excel.

The query string names the month (YYYY-MM; default: last month in company time) and
the scope ("community:<id>", "office:<id>", or "company" for the company-wide roles;
default: the whole company for them, else the user's first office). A malformed,
unknown or invisible scope is a 404, as for any object of another office. Every
endpoint resolves and checks the scope itself; saving a proposal also goes through
reports.services, which checks again.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core.errors import BadInput, Conflict
from core.views import application_errors
from estate.models import Attitude
from estate.selectors import community_list
from org.models import Company, Office, User
from org.policies import is_company_wide
from org.selectors import office_list
from reports import charts, services, trends
from reports.forms import ReviewForm, parse_scope, valid_month
from reports.models import MonthlyReview
from reports.policies import can, scope_visible
from reports.selectors import Scope, monthly_report
from tickets.models import Channel, Kind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONTHS_OFFERED = 24
ATTITUDE_COLORS = {"favourable": "#1c7c3c", "neutral": "#7a8a93", "adverse": "#b42318"}
SECTIONS = ("unqualified", "repeat_complaint", "repeat_repair")
# Month names under a chart's axis (Chinese: 1月 … 12月).
AXIS_MONTHS = (
    pgettext_lazy("chart axis", "Jan"),
    pgettext_lazy("chart axis", "Feb"),
    pgettext_lazy("chart axis", "Mar"),
    pgettext_lazy("chart axis", "Apr"),
    pgettext_lazy("chart axis", "May"),
    pgettext_lazy("chart axis", "Jun"),
    pgettext_lazy("chart axis", "Jul"),
    pgettext_lazy("chart axis", "Aug"),
    pgettext_lazy("chart axis", "Sep"),
    pgettext_lazy("chart axis", "Oct"),
    pgettext_lazy("chart axis", "Nov"),
    pgettext_lazy("chart axis", "Dec"),
)


# ---- the report, assembled once for the page and both exports ---------------------------


@dataclass
class Finding:
    """One finding of the written report, with its tickets and its proposed solution."""

    key: str
    section: str  # one of SECTIONS
    tickets: list[tuple[int, str]]  # (id, number)
    unit_number: str
    person_name: str
    category: str  # its name
    count: int
    # Unqualified visits: visited_at, satisfaction, shortcomings, opinions.
    visit: dict | None = None
    review: MonthlyReview | None = None
    # Set when a save was refused: the text typed, and why.
    draft: str | None = None
    error: str = ""
    conflict: bool = False

    @property
    def dom_id(self) -> str:
        return "finding-" + self.key.replace(":", "-")

    @property
    def text(self) -> str:
        """What the textarea holds: the writer's refused draft, else the stored text."""
        if self.draft is not None:
            return self.draft
        return self.review.proposal if self.review else ""

    @property
    def seen(self) -> str:
        return self.review.updated_at.isoformat() if self.review else ""


@dataclass
class Analysis:
    company: Company
    scope: Scope
    scope_name: str
    month: str
    report: dict
    kinds: list[tuple[str, int]]
    channels: list[tuple[str, int]]
    categories: list[tuple[str, int]]
    rules: list[tuple[str, int, int, float | None]]  # (name, required, done, rate)
    satisfaction: list[trends.SatisfactionMonth]
    attitude: list[trends.AttitudeMonth]
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    generated_at: datetime | None = None

    @property
    def year(self) -> int:
        return int(self.month[:4])

    @property
    def month_number(self) -> int:
        return int(self.month[5:7])

    @property
    def visits(self) -> dict:
        return self.report["return_visits"]

    @property
    def visit_on_time_rate(self) -> float | None:
        v = self.visits
        return v["on_time"] / v["required"] if v["required"] else None

    @property
    def visit_done_rate(self) -> float | None:
        v = self.visits
        return v["done"] / v["required"] if v["required"] else None

    def finding(self, key: str) -> Finding | None:
        return next((f for fs in self.findings.values() for f in fs if f.key == key), None)


def _label(choices, code: str) -> str:
    return str(choices(code).label) if code in choices.values else code


def _sorted_counts(counts: dict[str, int], label) -> list[tuple[str, int]]:
    return sorted(((label(k), n) for k, n in counts.items()), key=lambda row: (-row[1], row[0]))


def _rules(user: User, report: dict, scope: Scope, month: str) -> list:
    counts = trends.visits_by_rule(user=user, scope=scope, month=month)
    names = trends.rule_names(user=user)
    return [
        (
            names.get(code, code or "—"),
            required,
            done,
            report["return_visits"]["rate_by_rule"].get(code),
        )
        for code, (required, done) in counts.items()
    ]


def analysis_build(
    *, user: User, scope: Scope, month: str, now: datetime | None = None
) -> Analysis:
    """The month's figures for `scope` with the names, trends and proposals around them.
    The caller has checked that the scope is visible."""
    now = now or timezone.now()
    report = monthly_report(user=user, month=month, scope=scope, now=now)
    categories = trends.category_names(user=user, scope=scope)
    months = trends.months_ending(month)
    analysis = Analysis(
        company=user.company,
        scope=scope,
        scope_name=_scope_name(user, scope),
        month=month,
        report=report,
        kinds=_sorted_counts(report["tickets_by_kind"], lambda k: _label(Kind, k)),
        channels=_sorted_counts(report["tickets_by_channel"], lambda k: _label(Channel, k)),
        categories=_sorted_counts(report["tickets_by_category"], lambda k: categories.get(k, k)),
        rules=_rules(user, report, scope, month),
        satisfaction=trends.satisfaction_by_month(user=user, scope=scope, months=months),
        attitude=trends.attitude_by_month(user=user, scope=scope, months=months, now=now),
        generated_at=now,
    )
    unqualified = report["unqualified_visits"]
    groups = report["repeat_complaints"] + report["repeat_repairs"]
    ticket_ids = {t for g in groups for t in g["tickets"]} | {
        v["ticket"] for v in unqualified if v["ticket"]
    }
    people = trends.person_names(
        user=user,
        ids={r["person"] for r in unqualified + groups if r["person"]},
    )
    tickets = trends.ticket_fields(user=user, ids=ticket_ids)
    reviews = trends.reviews_for(user=user, scope=scope, month=month)

    def group_finding(section: str, g: dict) -> Finding:
        by = "unit" if g["unit"] else "person"
        key = f"{section}:{by}:{g['unit'] or g['person']}:{g['category']}"
        return Finding(
            key=key,
            section=section,
            tickets=[(t, tickets[t][0] if t in tickets else f"#{t}") for t in g["tickets"]],
            unit_number=g["unit_number"] or "",
            person_name=people.get(g["person"], ""),
            category=categories.get(g["category"], g["category"]),
            count=g["count"],
            review=reviews.get(key),
        )

    def unqualified_finding(v: dict) -> Finding:
        key = f"unqualified:{v['visit']}"
        code = tickets[v["ticket"]][1] if v["ticket"] in tickets else ""
        return Finding(
            key=key,
            section="unqualified",
            tickets=[(v["ticket"], v["ticket_number"])] if v["ticket"] else [],
            unit_number=v["unit_number"] or "",
            person_name=people.get(v["person"], ""),
            category=categories.get(code, code),
            count=1,
            visit=v,
            review=reviews.get(key),
        )

    analysis.findings = {
        "unqualified": [unqualified_finding(v) for v in unqualified],
        "repeat_complaint": [
            group_finding("repeat_complaint", g) for g in report["repeat_complaints"]
        ],
        "repeat_repair": [group_finding("repeat_repair", g) for g in report["repeat_repairs"]],
    }
    return analysis


def _scope_name(user: User, scope: Scope) -> str:
    if scope.community:
        return community_list(user=user).get(id=scope.community).name
    if scope.office:
        return office_list(user=user).get(id=scope.office).name
    return user.company.name


# ---- the query string --------------------------------------------------------------------


def _default_month(user: User) -> str:
    tz = trends.company_tz(user)
    return trends.shift_month(trends.month_of(timezone.now(), tz), -1)


def _default_scope(user: User) -> Scope | None:
    if is_company_wide(user):
        return Scope()
    office = office_list(user=user).filter(kind=Office.Kind.SERVICE).order_by("id").first()
    return Scope(office=office.id) if office else None


def _resolve(user: User, month: str | None, scope_key: str | None) -> tuple[str, Scope]:
    """The month and scope asked for, or 404 when either is malformed or not visible."""
    if not can(user, "view"):
        raise PermissionDenied
    month = month or _default_month(user)
    if not valid_month(month):
        raise Http404
    scope = parse_scope(scope_key) if scope_key else _default_scope(user)
    if scope is None or not scope_visible(user, scope):
        raise Http404
    return month, scope


def _query(month: str, scope: Scope) -> str:
    return urlencode({"month": month, "scope": scope.key})


def _scope_options(user: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """The scope selector: the whole company (company-wide roles), then each office with
    its communities, as option groups."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if is_company_wide(user):
        groups.append(("", [("company", _("Whole company: %(name)s") % {"name": user.company})]))
    communities: dict[int, list] = {}
    for c in community_list(user=user).order_by("office_id", "name"):
        communities.setdefault(c.office_id, []).append(c)
    for office in office_list(user=user).filter(kind=Office.Kind.SERVICE).order_by("id"):
        options = [(f"office:{office.id}", _("%(office)s: all communities") % {"office": office})]
        options += [(f"community:{c.id}", c.name) for c in communities.get(office.id, [])]
        groups.append((office.name, options))
    return groups


def _month_options(user: User, chosen: str) -> list[tuple[str, str]]:
    current = trends.month_of(timezone.now(), trends.company_tz(user))
    months = [trends.shift_month(current, -i) for i in range(MONTHS_OFFERED)]
    if chosen not in months:
        months.append(chosen)
        months.sort(reverse=True)
    return [(m, _month_label(m)) for m in months]


def _month_label(month: str) -> str:
    return _("%(year)s-%(month)s") % {"year": month[:4], "month": month[5:7]}


# ---- the page ----------------------------------------------------------------------------


def _pct(rate: float | None) -> str:
    if rate is None:
        return "—"
    text = f"{rate * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _charts(a: Analysis) -> dict:
    empty = _("No tickets this month.")
    kinds = charts.bar_chart(
        title=_("Tickets by kind"),
        bars=[charts.Bar(label, n, str(n)) for label, n in a.kinds],
        empty=empty,
    )
    channels = charts.bar_chart(
        title=_("Tickets by channel"),
        bars=[charts.Bar(label, n, str(n)) for label, n in a.channels],
        empty=empty,
    )
    categories = charts.bar_chart(
        title=_("Tickets by category"),
        bars=[charts.Bar(label, n, str(n)) for label, n in a.categories],
        empty=empty,
    )
    v = a.visits
    timely = []
    if a.report["on_time_rate"] is not None:
        timely.append(
            charts.Bar(
                _("Tickets settled on time"),
                a.report["on_time_rate"],
                _pct(a.report["on_time_rate"]),
            )
        )
    if v["required"]:
        timely.append(
            charts.Bar(
                _("Visits on time"),
                a.visit_on_time_rate,
                _pct(a.visit_on_time_rate),
                _("%(n)d of %(total)d") % {"n": v["on_time"], "total": v["required"]},
            )
        )
    done = [
        charts.Bar(
            name, rate or 0, _pct(rate), _("%(n)d of %(total)d") % {"n": n, "total": required}
        )
        for name, required, n, rate in a.rules
    ]
    rate_bars = []
    if timely:
        rate_bars += [charts.Bar(_("On-time rates"), 0, "", heading=True), *timely]
    if done:
        rate_bars += [charts.Bar(_("Visits done, per rule"), 0, "", heading=True), *done]
    rates = charts.bar_chart(
        title=_("On-time rate and visit completion per rule"),
        bars=rate_bars,
        percent=True,
        empty=_("No deadlines or visits fell in this month."),
    )
    labels = [
        (
            str(AXIS_MONTHS[int(m.month[5:7]) - 1]),
            str(int(m.month[5:7])),
            m.month[:4] if i == 0 or m.month.endswith("-01") else "",
        )
        for i, m in enumerate(a.satisfaction)
    ]
    sat_values = [m.average for m in a.satisfaction]
    sat_desc = _("; ").join(
        f"{m.month}: {m.average if m.average is not None else '—'}" for m in a.satisfaction
    )
    satisfaction = charts.line_chart(
        title=_("Satisfaction over the last 12 months (1–5)"),
        desc=sat_desc,
        labels=labels,
        series=[
            charts.Series(
                _("Average satisfaction"),
                sat_values,
                charts.BRAND,
                texts=[f"{x:.1f}" if x is not None else "" for x in sat_values],
            )
        ],
        y_min=1,
        y_max=5,
        ticks=(1, 2, 3, 4, 5),
    )
    attitude_series = []
    last = a.attitude[-1].counts if a.attitude else {}
    for code in ("favourable", "neutral", "adverse"):
        attitude_series.append(
            charts.Series(
                str(Attitude(code).label),
                [m.counts[code] for m in a.attitude],
                ATTITUDE_COLORS[code],
            )
        )
    top = max([n for m in a.attitude for n in m.counts.values()] + [1])
    step = _nice_step(top)
    attitude_desc = _("; ").join(
        f"{m.month}: "
        + _(", ").join(f"{Attitude(c).label} {n}" for c, n in m.counts.items())
        + " · "
        + _("improved %(up)d, worsened %(down)d") % {"up": m.improved, "down": m.worsened}
        for m in a.attitude
    )
    attitude = charts.line_chart(
        title=_("Owners' attitude classes at each month end"),
        desc=attitude_desc,
        labels=labels,
        series=attitude_series,
        y_min=0,
        y_max=step * ((top + step - 1) // step),
        ticks=[step * k for k in range((top + step - 1) // step + 1)],
        legend=[
            f"{s.name} {last.get(code, 0)}"
            for s, code in zip(attitude_series, ("favourable", "neutral", "adverse"), strict=True)
        ],
    )
    return {
        "kinds": kinds,
        "channels": channels,
        "categories": categories,
        "rates": rates,
        "satisfaction": satisfaction,
        "attitude": attitude,
    }


def _nice_step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 5:
            return step
    return 10 ** len(str(top))


def _moves(a: Analysis) -> list[dict]:
    """Per month: the month-end counts and the moves between classes, for the table."""
    order = ("adverse", "neutral", "favourable")
    rows = []
    for m in a.attitude:
        detail = [
            (str(Attitude(x).label), str(Attitude(y).label), m.moves[(x, y)])
            for x in order
            for y in order
            if (x, y) in m.moves
        ]
        rows.append(
            {
                "month": m.month,
                "counts": m.counts,
                "improved": m.improved,
                "worsened": m.worsened,
                "detail": detail,
            }
        )
    return rows


def _page_context(request: HttpRequest, a: Analysis) -> dict:
    user = request.user
    query = _query(a.month, a.scope)
    return {
        "a": a,
        "query": query,
        "month_label": _month_label(a.month),
        "month_options": _month_options(user, a.month),
        "scope_options": _scope_options(user),
        "charts": _charts(a),
        "moves": _moves(a),
        "on_time": _pct(a.report["on_time_rate"]),
        "can_save": can(user, "save_proposal"),
        "sections": [
            (
                "unqualified",
                _("Unqualified return visits"),
                _("Visits that found the problem not fixed; the work was reopened."),
                a.findings["unqualified"],
            ),
            (
                "repeat_complaint",
                _("The same matter complained about repeatedly"),
                _(
                    "The same category complained about %(n)d times or more in the month, at one unit or by one person."
                )
                % {"n": a.report["thresholds"]["repeat_complaints"]},
                a.findings["repeat_complaint"],
            ),
            (
                "repeat_repair",
                _("The same repair again and again"),
                _("The same kind of repair %(n)d times or more in the month at one unit.")
                % {"n": a.report["thresholds"]["repeat_repairs"]},
                a.findings["repeat_repair"],
            ),
        ],
    }


@require_GET
def monthly(request: HttpRequest) -> HttpResponse:
    user = request.user
    month, scope = _resolve(user, request.GET.get("month"), request.GET.get("scope"))
    analysis = analysis_build(user=user, scope=scope, month=month)
    return render(request, "reports/monthly.html", _page_context(request, analysis))


@require_POST
@application_errors
def review_save(request: HttpRequest) -> HttpResponse:
    """Save one finding's proposal (htmx: answers with the finding re-rendered)."""
    user = request.user
    form = ReviewForm(request.POST)
    # Every field but the text comes from the page itself: a bad one is a bad link.
    if not form.is_valid() and set(form.errors) - {"proposal"}:
        raise Http404
    month, scope = _resolve(user, request.POST.get("month"), request.POST.get("scope"))
    if not can(user, "save_proposal"):
        raise PermissionDenied
    analysis = analysis_build(user=user, scope=scope, month=month)
    finding = analysis.finding(request.POST.get("finding", ""))
    if finding is None:
        raise Http404  # not (or no longer) a finding of this month's report
    status = 200
    if not form.is_valid():
        finding.draft = request.POST.get("proposal", "")
        finding.error = " ".join(form.errors["proposal"])
        status = 400
    else:
        seen_raw = form.cleaned_data["seen"]
        seen = parse_datetime(seen_raw) if seen_raw else None
        try:
            finding.review = services.review_save(
                actor=user,
                company=user.company,
                scope=scope,
                month=month,
                finding=finding.key,
                proposal=form.cleaned_data["proposal"],
                seen=seen,
            )
        except Conflict as exc:
            finding.review = getattr(exc, "review", None)
            finding.draft = form.cleaned_data["proposal"]
            finding.error = exc.message
            finding.conflict = True
            status = 409
        except BadInput as exc:
            finding.draft = form.cleaned_data["proposal"]
            finding.error = exc.message
            status = 400
    if request.htmx:
        # htmx swaps only 2xx answers: a refusal is shown in the finding itself.
        context = {"f": finding, "a": analysis, "query": _query(month, scope), "can_save": True}
        return render(request, "reports/monthly.html#finding", context)
    if status == 200:
        messages.success(request, _("Proposal saved."))
        url = reverse("reports:monthly") + "?" + _query(month, scope) + "#" + finding.dom_id
        return redirect(url)
    return render(request, "reports/monthly.html", _page_context(request, analysis), status=status)


# ---- exports -----------------------------------------------------------------------------


def _filename(a: Analysis, ext: str) -> str:
    return f"{a.scope_name} {a.month} 客户服务月度分析报告.{ext}"


@require_GET
def monthly_pdf(request: HttpRequest) -> HttpResponse:
    from reports.exports import analysis_pdf

    user = request.user
    month, scope = _resolve(user, request.GET.get("month"), request.GET.get("scope"))
    analysis = _export_analysis(user, scope, month)
    response = HttpResponse(
        analysis_pdf(analysis, author=str(user)), content_type="application/pdf"
    )
    response["Content-Disposition"] = content_disposition_header(False, _filename(analysis, "pdf"))
    return response


@require_GET
def monthly_xlsx(request: HttpRequest) -> HttpResponse:
    from reports.exports import analysis_xlsx

    user = request.user
    month, scope = _resolve(user, request.GET.get("month"), request.GET.get("scope"))
    analysis = _export_analysis(user, scope, month)
    response = HttpResponse(analysis_xlsx(analysis), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _filename(analysis, "xlsx"))
    return response


def _export_analysis(user: User, scope: Scope, month: str) -> Analysis:
    # The documents are Chinese whatever the page's language: kinds, channels and
    # categories are labelled in Chinese like the documents' own text.
    from django.utils import translation

    with translation.override("zh-hans"):
        return analysis_build(user=user, scope=scope, month=month)
