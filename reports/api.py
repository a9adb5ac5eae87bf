"""API: the monthly report (API.md, Reports)."""

from django.http import HttpRequest
from ninja import Router, Schema

from core.api import visible_or_404
from estate.selectors import community_list
from org.selectors import office_list
from reports.selectors import Scope, monthly_report

router = Router(tags=["reports"])


class VisitFigures(Schema):
    required: int
    done: int
    on_time: int
    rate_by_rule: dict[str, float | None]
    satisfaction_avg: float | None


class RepeatGroup(Schema):
    unit: int | None
    unit_number: str | None
    person: int | None
    category: str
    count: int
    tickets: list[int]


class MonthlyReportOut(Schema):
    month: str
    scope: str
    tickets_total: int
    tickets_by_kind: dict[str, int]
    tickets_by_channel: dict[str, int]
    tickets_by_category: dict[str, int]
    on_time_rate: float | None
    return_visits: VisitFigures
    unqualified_visits: list[dict]
    repeat_complaints: list[RepeatGroup]
    repeat_repairs: list[RepeatGroup]
    thresholds: dict[str, int]


@router.get("/reports/monthly", response=MonthlyReportOut)
def report_monthly(
    request: HttpRequest, month: str, community: int | None = None, office: int | None = None
):
    """One month for a community, an office, or everything the caller may see."""
    user = request.auth
    visible_or_404(community_list(user=user), community, label="Community", field="community")
    visible_or_404(office_list(user=user), office, label="Office", field="office")
    return monthly_report(user=user, month=month, scope=Scope(community=community, office=office))
