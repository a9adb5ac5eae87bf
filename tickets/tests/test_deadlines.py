"""Working-time deadlines across National Day 2026 and its make-up Saturday (10 Oct),
and supervision levels reached with time."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import Notification
from tickets.models import Category, Holiday, OfficeSettings, Supervision, Ticket

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def working_office(office):
    OfficeSettings.objects.create(office=office, deadline_mode="working")
    return office


def create(client, community, **fields):
    body = {
        "community": community.id,
        "kind": "repair",
        "channel": "hotline",
        "title": "水管漏水",
        "description": "厨房水管接头漏水",
        "category": "water",
    }
    return client.post("/api/v1/tickets", {**body, **fields})


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (
            1,
            datetime(2026, 9, 30, 17, 30, tzinfo=SH),
        ),  # the last hour of the day before the holiday
        (2, datetime(2026, 10, 8, 9, 30, tzinfo=SH)),  # 1 Oct – 7 Oct are skipped
        (18, datetime(2026, 10, 9, 16, 30, tzinfo=SH)),
        (27, datetime(2026, 10, 10, 16, 30, tzinfo=SH)),  # Saturday 10 Oct is a 调休 working day
        (28, datetime(2026, 10, 10, 17, 30, tzinfo=SH)),
        (29, datetime(2026, 10, 12, 9, 30, tzinfo=SH)),  # Sunday 11 Oct is not
    ],
)
def test_working_time_deadline_skips_holiday_and_counts_make_up_saturday(
    api_client_for, receptionist, community, working_office, hours, expected
):
    Category.objects.create(
        office=working_office,
        code="water",
        name="给排水",
        department_kind="engineering",
        promise_hours=hours,
    )
    with time_machine.travel(datetime(2026, 9, 30, 16, 30, tzinfo=SH), tick=False):
        r = create(api_client_for(receptionist), community)
    assert datetime.fromisoformat(r.json()["due_at"]) == expected


def test_calendar_mode_counts_every_hour(api_client_for, receptionist, community, office):
    Category.objects.create(
        office=office, code="water", name="给排水", department_kind="engineering", promise_hours=27
    )
    with time_machine.travel(datetime(2026, 9, 30, 16, 30, tzinfo=SH), tick=False):
        r = create(api_client_for(receptionist), community)
    assert datetime.fromisoformat(r.json()["due_at"]) == datetime(2026, 10, 1, 19, 30, tzinfo=SH)


def test_company_holiday_overrides_cover_years_the_library_lacks(
    api_client_for, receptionist, community, working_office, company
):
    # 2027 is not in the library yet: weekdays count, unless the company says otherwise.
    Category.objects.create(
        office=working_office,
        code="water",
        name="给排水",
        department_kind="engineering",
        promise_hours=2,
    )
    Holiday.objects.create(company=company, day=date(2027, 1, 4), workday=False, name="元旦调休")
    with time_machine.travel(datetime(2027, 1, 1, 17, 0, tzinfo=SH), tick=False):  # a Friday
        r = create(api_client_for(receptionist), community)
    # Fri 17:00–17:30 (0.5 h), weekend skipped, Mon 4 Jan a company holiday, Tue 5 Jan 08:30 + 1.5 h
    assert datetime.fromisoformat(r.json()["due_at"]) == datetime(2027, 1, 5, 10, 0, tzinfo=SH)


def test_supervision_levels_escalate_with_time(
    api_client_for,
    receptionist,
    community,
    working_office,
    engineering,
    engineer,
    supervisor,
    office_manager,
    company_admin,
):
    from tickets.services import supervision_sweep

    Category.objects.create(
        office=working_office,
        code="water",
        name="给排水",
        department_kind="engineering",
        promise_hours=27,
    )
    with time_machine.travel(datetime(2026, 9, 30, 16, 30, tzinfo=SH), tick=False):
        ticket_id = create(api_client_for(receptionist), community).json()["id"]
    Ticket.objects.filter(id=ticket_id).update(status="assigned", assignee=engineer)
    due = datetime(2026, 10, 10, 16, 30, tzinfo=SH)

    def sweep_at(moment):
        with time_machine.travel(moment, tick=False):
            supervision_sweep()
        return sorted(
            Supervision.objects.filter(ticket_id=ticket_id).values_list("level", flat=True)
        )

    assert sweep_at(datetime(2026, 10, 10, 16, 0, tzinfo=SH)) == []  # not yet due
    assert sweep_at(datetime(2026, 10, 10, 17, 0, tzinfo=SH)) == [1]
    assert Notification.objects.filter(user=engineer, verb="supervision").count() == 1
    assert sweep_at(datetime(2026, 10, 10, 20, 30, tzinfo=SH)) == [1, 2]  # 4 h late
    assert Notification.objects.filter(user=supervisor, verb="supervision").exists()
    assert sweep_at(datetime(2026, 10, 11, 16, 30, tzinfo=SH)) == [1, 2, 3]  # 24 h late
    assert Notification.objects.filter(user=office_manager, verb="supervision").exists()
    assert sweep_at(datetime(2026, 10, 13, 16, 30, tzinfo=SH)) == [1, 2, 3, 4]  # 72 h late
    assert Notification.objects.filter(user=company_admin, verb="supervision").exists()
    # running again records nothing new and sends nothing new
    count = Notification.objects.count()
    assert sweep_at(datetime(2026, 10, 13, 17, 0, tzinfo=SH)) == [1, 2, 3, 4]
    assert Notification.objects.count() == count
    events = Ticket.objects.get(id=ticket_id).events.filter(action="supervise")
    assert [e.data["level"] for e in events] == [1, 2, 3, 4]
    assert all(datetime.fromisoformat(e.data["due_at"]) == due for e in events)


def test_a_new_promise_restarts_supervision(api_client_for, office_manager, community, engineer):
    from tickets.services import supervision_sweep
    from tickets.tests.factories import TicketFactory

    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=SH), tick=False):
        ticket = TicketFactory(
            community=community,
            status="assigned",
            assignee=engineer,
            due_at=datetime(2026, 11, 23, 9, 0, tzinfo=SH),
        )
        supervision_sweep()
        api_client_for(office_manager).post(
            f"/api/v1/tickets/{ticket.id}/actions",
            {"action": "promise", "method": "明早上门", "due_at": "2026-11-24T09:00:00+08:00"},
        )
        assert supervision_sweep() == 0
        listed = (
            api_client_for(office_manager).get("/api/v1/tickets?overdue=true").json()["results"]
        )
    assert listed == []
