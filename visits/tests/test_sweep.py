"""Resolutions never planned (planning switched off, bulk imports, a rule added later):
visit_plan_missing and `manage.py plan_return_visits` plan them with the same
arithmetic as planning at resolution, and only once."""

import math
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from org.tests.factories import UserFactory
from tickets.services import ticket_resolve
from tickets.tests.factories import TicketFactory
from visits.models import ReturnVisit, SamplingCounter, SamplingDecision, VisitEvent, VisitRule
from visits.planning import visit_plan_missing

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOV = datetime(2026, 11, 1, tzinfo=SH)


@pytest.fixture
def cs_staff(company, office, cs_department):
    return UserFactory(
        company=company, roles=["staff"], offices=[office], departments=[cs_department]
    )


@pytest.fixture
def planning_off(settings):
    settings.OWNERDESK = {**settings.OWNERDESK, "ON_TICKET_RESOLVED": []}


def resolved(community, actor, when, **fields):
    t = TicketFactory(
        community=community,
        status="in_progress",
        received_at=when - timedelta(hours=2),
        **fields,
    )
    with time_machine.travel(when, tick=False):
        ticket_resolve(ticket_id=t.id, actor=actor, resolution="已处理")
    return t


def test_unplanned_resolutions_get_the_share_in_order_of_resolution(
    planning_off, company, office_manager, community, cs_staff
):
    start = datetime(2026, 11, 3, 9, 0, tzinfo=SH)
    repairs = [
        resolved(
            community, office_manager, start + timedelta(hours=i), kind="repair", area="household"
        )
        for i in range(10)
    ]
    complaint = resolved(community, office_manager, start, kind="complaint")
    resolved(community, office_manager, start, kind="inquiry")  # no rule: not looked at
    assert not SamplingDecision.objects.exists()

    with time_machine.travel(datetime(2026, 11, 20, tzinfo=SH)):
        result = visit_plan_missing(company=company, since=NOV)

    assert (result.checked, result.decided, result.planned) == (11, 11, 1 + 3)
    decisions = list(
        SamplingDecision.objects.filter(rule__code="repair_household").order_by("resolved_in_month")
    )
    assert [d.ticket_id for d in decisions] == [t.id for t in repairs]  # order of resolution
    chosen = 0
    for n, d in enumerate(decisions, start=1):
        chosen += d.selected
        assert (d.resolved_in_month, d.selected_before) == (n, chosen - d.selected)
        assert chosen == math.ceil(0.3 * n)  # the share at every point of the month
    counter = SamplingCounter.objects.get(rule__code="repair_household")
    assert (counter.resolved, counter.selected) == (10, 3)
    visit = ReturnVisit.objects.get(ticket=complaint)
    # The window counts from the resolution, even when planned later (here: overdue).
    assert visit.due_by == start + timedelta(days=3) and visit.assignee == cs_staff
    assert VisitEvent.objects.filter(visit=visit, action="plan").exists()


def test_running_again_plans_nothing_more(
    planning_off, company, office_manager, community, cs_staff
):
    resolved(community, office_manager, datetime(2026, 11, 3, 9, 0, tzinfo=SH), kind="complaint")
    assert visit_plan_missing(company=company, since=NOV).planned == 1
    again = visit_plan_missing(company=company, since=NOV)
    assert (again.checked, again.decided, again.planned) == (0, 0, 0)
    assert ReturnVisit.objects.count() == 1


def test_continues_the_counts_of_planning_at_resolution(
    settings, company, office_manager, community, cs_staff
):
    start = datetime(2026, 11, 3, 9, 0, tzinfo=SH)
    for i in range(4):  # planned at resolution: 2 of these 4 chosen
        resolved(
            community, office_manager, start + timedelta(hours=i), kind="repair", area="household"
        )
    settings.OWNERDESK = {**settings.OWNERDESK, "ON_TICKET_RESOLVED": []}
    late = [
        resolved(
            community,
            office_manager,
            start + timedelta(days=1, hours=i),
            kind="repair",
            area="household",
        )
        for i in range(3)
    ]
    visit_plan_missing(company=company, since=NOV)
    counts = dict(
        SamplingDecision.objects.filter(ticket__in=late).values_list(
            "ticket_id", "resolved_in_month"
        )
    )
    assert [counts[t.id] for t in late] == [5, 6, 7]
    assert ReturnVisit.objects.count() == math.ceil(0.3 * 7)


def test_a_rule_added_later_covers_this_months_resolutions(
    company, office_manager, community, cs_staff
):
    when = datetime(2026, 11, 10, 15, 0, tzinfo=SH)
    suggestion = resolved(community, office_manager, when, kind="suggestion")
    assert not ReturnVisit.objects.exists()  # no rule for suggestions by default
    VisitRule.objects.create(
        company=company,
        code="suggestion",
        name="建议回访",
        kind="suggestion",
        share_percent=100,
        window_start_days=0,
        window_end_days=7,
        visitor="property_staff",
        priority=60,
    )
    assert visit_plan_missing(company=company, since=NOV).planned == 1
    assert ReturnVisit.objects.get().ticket_id == suggestion.id


def test_resolutions_before_since_are_left_alone(planning_off, company, office_manager, community):
    resolved(community, office_manager, datetime(2026, 10, 31, 23, 0, tzinfo=SH), kind="complaint")
    assert visit_plan_missing(company=company, since=NOV).checked == 0


def test_visitors_take_turns_within_one_batch(
    planning_off, company, office, office_manager, community, cs_department, cs_staff
):
    second = UserFactory(
        company=company, roles=["supervisor"], offices=[office], departments=[cs_department]
    )
    start = datetime(2026, 11, 3, 9, 0, tzinfo=SH)
    tickets = [
        resolved(community, office_manager, start + timedelta(hours=i), kind="complaint")
        for i in range(4)
    ]
    visit_plan_missing(company=company, since=NOV)
    assignees = [ReturnVisit.objects.get(ticket=t).assignee for t in tickets]
    assert assignees == [cs_staff, second, cs_staff, second]


def test_command_plans_each_company_and_reports(
    planning_off, company, other_company, office_manager, community, cs_staff
):
    with time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=SH)):
        resolved(
            community, office_manager, datetime(2026, 11, 3, 9, 0, tzinfo=SH), kind="complaint"
        )
        out = StringIO()
        call_command("plan_return_visits", stdout=out)  # since the 1st of this month
    lines = out.getvalue().splitlines()
    assert (
        f"{company.code}: since 2026-11-01: 1 resolutions checked, 1 decided, 1 visits planned"
        in lines
    )
    assert any(line.startswith(f"{other_company.code}: ") for line in lines)
    out = StringIO()
    call_command(
        "plan_return_visits", "--company", company.code, "--since", "2026-10-01", stdout=out
    )
    assert "0 visits planned" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("plan_return_visits", "--company", "nobody")
