"""Creating tickets through the API: routing, numbering, promises, 12345, disputes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from core.models import Notification
from org.tests.factories import DepartmentFactory, UserFactory
from tickets.models import Category, Ticket

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def create(client, community, **fields):
    body = {
        "community": community.id,
        "kind": "repair",
        "channel": "walk_in",
        "title": "卫生间漏水",
        "description": "业主来电：卫生间地面渗水，楼下天花板有水印",
        **fields,
    }
    return client.post("/api/v1/tickets", body)


def test_walk_in_repair_goes_to_engineering_supervisor(
    api_client_for, receptionist, community, unit, owner, engineering, supervisor
):
    r = create(
        api_client_for(receptionist), community, unit=unit.id, person=owner.id, category="water"
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "new"
    assert body["department"] == engineering.id
    assert body["assignee"] is None
    assert body["promised_method"] and body["due_at"]
    assert body["timeline"][0]["action"] == "create"
    assert Notification.objects.filter(user=supervisor, verb="handed_over").exists()


def test_numbers_are_per_office_per_day(api_client_for, receptionist, community):
    client = api_client_for(receptionist)
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=SH)):
        first = create(client, community).json()["number"]
        second = create(client, community).json()["number"]
    assert first == "A1-20261123-0001"
    assert second == "A1-20261123-0002"


def test_received_at_back_entry_and_future_refused(api_client_for, receptionist, community):
    client = api_client_for(receptionist)
    earlier = (timezone.now() - timezone.timedelta(days=2)).isoformat()
    r = create(client, community, received_at=earlier)
    assert r.status_code == 201 and r.json()["received_at"][:16] == earlier[:16]
    future = (timezone.now() + timezone.timedelta(hours=1)).isoformat()
    r = create(client, community, received_at=future)
    assert r.status_code == 422 and "received_at" in r.json()["error"]["fields"]


def test_time_without_offset_is_company_time(api_client_for, receptionist, community):
    with time_machine.travel(datetime(2026, 11, 23, 12, 0, tzinfo=SH)):
        r = create(api_client_for(receptionist), community, received_at="2026-11-23T08:00:00")
    assert datetime.fromisoformat(r.json()["received_at"]) == datetime(
        2026, 11, 23, 8, 0, tzinfo=SH
    )


def test_major_complaint_goes_to_the_office_manager(
    api_client_for, receptionist, community, office_manager, engineering
):
    r = create(
        api_client_for(receptionist),
        community,
        kind="complaint",
        severity="major",
        category="water",
        title="多次投诉漏水无人处理",
    )
    assert r.json()["department"] is None
    assert Notification.objects.filter(user=office_manager, verb="major_complaint").exists()


def test_round_robin_shares_work_among_staff_on_duty(
    api_client_for, receptionist, community, office, engineering
):
    Category.objects.create(
        office=office,
        code="water",
        name="给排水",
        department_kind="engineering",
        dispatch="round_robin",
    )
    a = UserFactory(
        company=office.company, roles=["staff"], offices=[office], departments=[engineering]
    )
    b = UserFactory(
        company=office.company, roles=["staff"], offices=[office], departments=[engineering]
    )
    off = UserFactory(
        company=office.company,
        roles=["staff"],
        offices=[office],
        departments=[engineering],
        on_duty=False,
    )
    client = api_client_for(receptionist)
    assignees = [create(client, community, category="water").json()["assignee"] for _ in range(4)]
    assert assignees == [a.id, b.id, a.id, b.id]
    assert off.id not in assignees
    ticket = Ticket.objects.get(id=create(client, community, category="water").json()["id"])
    assert ticket.status == "assigned"
    assert ticket.events.filter(action="assign", data__rule="round_robin").exists()


def test_office_category_routes_to_its_department(api_client_for, receptionist, community, office):
    cleaning = DepartmentFactory(office=office, kind="cleaning", name="环境部")
    Category.objects.create(office=office, code="smell", name="异味", department_kind="cleaning")
    r = create(
        api_client_for(receptionist),
        community,
        category="smell",
        kind="complaint",
        title="垃圾房异味",
    )
    assert r.json()["department"] == cleaning.id
    assert create(api_client_for(receptionist), community, category="nonsense").status_code == 400


def test_gov_hotline_needs_reference_and_deadline(api_client_for, receptionist, community):
    client = api_client_for(receptionist)
    r = create(client, community, channel="gov_hotline", kind="complaint")
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"external_ref", "external_due_at"}
    gov_due = (timezone.now() + timezone.timedelta(hours=5)).isoformat()
    r = create(
        client,
        community,
        channel="gov_hotline",
        kind="complaint",
        external_ref="12345-2026-000123",
        external_due_at=gov_due,
    )
    assert r.status_code == 201
    # the government's deadline wins when it is sooner than our own promise
    assert r.json()["due_at"][:16] == gov_due[:16]


def test_emergency_is_promised_sooner(api_client_for, receptionist, community):
    with time_machine.travel(datetime(2026, 11, 23, 22, 0, tzinfo=SH), tick=False):
        r = create(api_client_for(receptionist), community, emergency=True, title="水管爆裂")
    assert datetime.fromisoformat(r.json()["due_at"]) == datetime(2026, 11, 24, 0, 0, tzinfo=SH)


def test_dispute_records_both_sides(
    api_client_for, receptionist, community, unit, owner, person_in_office2
):
    from estate.tests.factories import PersonFactory, UnitFactory

    upstairs = UnitFactory(building=unit.building, number="3-2-401")
    neighbour = PersonFactory(office=community.office, name="刘七", units=[upstairs])
    client = api_client_for(receptionist)
    r = create(
        client,
        community,
        kind="dispute",
        category="noise",
        title="楼上深夜钢琴噪音",
        person=owner.id,
        unit=unit.id,
    )
    assert r.status_code == 400 and "parties" in r.json()["error"]["fields"]
    r = create(
        client,
        community,
        kind="dispute",
        category="noise",
        title="楼上深夜钢琴噪音",
        person=owner.id,
        unit=unit.id,
        parties=[
            {
                "side": "complainant",
                "person": owner.id,
                "unit": unit.id,
                "statement": "每晚十一点后弹琴",
            },
            {"side": "respondent", "person": neighbour.id, "unit": upstairs.id, "statement": ""},
        ],
    )
    assert r.status_code == 201, r.content
    assert [p["side"] for p in r.json()["parties"]] == ["complainant", "respondent"]


def test_invisible_references_are_404(
    api_client_for, receptionist, community, person_in_office2, community2
):
    client = api_client_for(receptionist)
    assert create(client, community2).status_code == 404
    r = create(client, community, person=person_in_office2.id)
    assert r.status_code == 404 and "person" in r.json()["error"]["fields"]


def test_list_filters_and_overdue(api_client_for, office_manager, community):
    from tickets.tests.factories import TicketFactory

    late = TicketFactory(
        community=community, status="assigned", due_at=timezone.now() - timezone.timedelta(hours=1)
    )
    TicketFactory(community=community, status="assigned")
    TicketFactory(
        community=community, status="closed", due_at=timezone.now() - timezone.timedelta(hours=1)
    )
    client = api_client_for(office_manager)
    r = client.get("/api/v1/tickets?overdue=true")
    assert [t["id"] for t in r.json()["results"]] == [late.id]
    assert r.json()["results"][0]["overdue"] is True
    assert (
        len(
            client.get(f"/api/v1/tickets?community={community.id}&status=assigned").json()[
                "results"
            ]
        )
        == 2
    )


def test_idempotent_create(api_client_for, receptionist, community):
    client = api_client_for(receptionist)
    body = {
        "community": community.id,
        "kind": "inquiry",
        "channel": "hotline",
        "title": "停水通知",
        "description": "业主询问明天停水的时间",
    }
    a = client.post("/api/v1/tickets", body, HTTP_IDEMPOTENCY_KEY="call-42")
    b = client.post("/api/v1/tickets", body, HTTP_IDEMPOTENCY_KEY="call-42")
    assert a.json()["id"] == b.json()["id"] and Ticket.objects.count() == 1
    c = client.post("/api/v1/tickets", {**body, "title": "别的事"}, HTTP_IDEMPOTENCY_KEY="call-42")
    assert c.status_code == 422 and Ticket.objects.count() == 1


def test_phone_screen_pop_shows_open_tickets_and_last_five_contacts(
    api_client_for, hotline_agent, community, unit, owner, django_assert_max_num_queries
):
    from tickets.tests.factories import TicketFactory

    base = timezone.now() - timezone.timedelta(days=30)
    for i in range(7):
        TicketFactory(
            community=community,
            person=owner,
            unit=unit,
            status="closed",
            received_at=base + timezone.timedelta(days=i),
        )
    open_one = TicketFactory(
        community=community, person=owner, unit=unit, status="assigned", title="电梯异响"
    )
    client = api_client_for(hotline_agent)
    with django_assert_max_num_queries(12):
        r = client.get("/api/v1/people?phone=13812345678")
    (card,) = r.json()["results"]
    assert [t["id"] for t in card["open_tickets"]] == [open_one.id]
    assert len(card["recent_contacts"]) == 5
    assert card["recent_contacts"][0]["id"] == open_one.id  # newest first
