"""Yearly contact quotas: counted from records, distinct households, pace through the year."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from estate.tests.factories import UnitFactory
from org.tests.factories import UserFactory
from relations.models import QuotaRule
from tickets.tests.factories import TicketFactory
from visits.models import ReturnVisit, VisitRecord

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_households_counted_once_from_tickets_and_visits(
    api_client_for,
    company,
    office,
    office_manager,
    engineer,
    engineering,
    building,
    community,
    cs_department,
):
    units = [UnitFactory(building=building, number=f"3-1-{i}") for i in range(1, 7)]
    may = datetime(2026, 5, 10, 10, 0, tzinfo=SH)
    # the engineer resolved repairs at units 0, 1, 1 (twice the same home) and one still open at 2
    for u, status in [(0, "resolved"), (1, "closed"), (1, "resolved"), (2, "in_progress")]:
        TicketFactory(
            community=community,
            unit=units[u],
            assignee=engineer,
            department=engineering,
            status=status,
            received_at=may,
        )
    # last year's does not count for 2026
    TicketFactory(
        community=community,
        unit=units[3],
        assignee=engineer,
        status="closed",
        received_at=datetime(2025, 12, 31, 23, 0, tzinfo=SH),
    )
    # the manager logged one ticket and recorded a routine visit at another home
    TicketFactory(community=community, unit=units[4], created_by=office_manager, received_at=may)
    visit = ReturnVisit.objects.create(
        company=company,
        office=office,
        purpose="routine",
        unit=units[5],
        assignee=office_manager,
        due_from=may,
        due_by=may,
        period="2026-05",
        done_at=may,
    )
    VisitRecord.objects.create(
        visit=visit,
        method="face_to_face",
        visited_at=may,
        satisfaction=5,
        qualified=True,
        recorded_by=office_manager,
    )
    with time_machine.travel(datetime(2026, 7, 2, 12, 0, tzinfo=SH), tick=False):
        body = api_client_for(office_manager).get("/api/v1/quotas?year=2026").json()
    people = {p["user"]: p for p in body["people"]}
    assert people[engineer.id]["households"] == 2
    assert people[engineer.id]["rule"] == "engineering" and people[engineer.id]["target"] == 100
    assert people[engineer.id]["behind"] is True  # half the year gone, 2 of 100
    assert people[office_manager.id]["households"] == 2
    assert people[office_manager.id]["rule"] == "manager"
    (cs,) = [d for d in body["departments"] if d["department"] == cs_department.id]
    assert cs["rule"] == "property_department" and cs["target_percent"] == 60
    assert 0.49 < body["elapsed"] < 0.51


def test_property_department_share_of_office_households(
    api_client_for, company, office, office_manager, community, building, cs_department
):
    units = [UnitFactory(building=building, number=f"5-1-{i}") for i in range(10)]
    a = UserFactory(company=company, roles=["staff"], offices=[office], departments=[cs_department])
    b = UserFactory(
        company=company, roles=["receptionist"], offices=[office], departments=[cs_department]
    )
    when = datetime(2026, 3, 1, 9, 0, tzinfo=SH)
    for i in range(4):
        TicketFactory(community=community, unit=units[i], created_by=a, received_at=when)
    for i in range(2, 7):  # overlaps a's homes 2 and 3
        TicketFactory(community=community, unit=units[i], created_by=b, received_at=when)
    with time_machine.travel(datetime(2026, 12, 31, 12, 0, tzinfo=SH), tick=False):
        body = (
            api_client_for(office_manager)
            .get(f"/api/v1/quotas?year=2026&office={office.id}")
            .json()
        )
    (cs,) = body["departments"]
    assert (cs["households"], cs["office_households"], cs["share_percent"]) == (7, 10, 70.0)
    assert cs["behind"] is False


def test_quota_targets_are_editable(api_client_for, company, office, office_manager):
    from relations.quotas import quota_rules

    quota_rules(company_id=company.id)
    QuotaRule.objects.filter(company=company, code="manager").update(target=5)
    body = api_client_for(office_manager).get("/api/v1/quotas?year=2026").json()
    assert [p["target"] for p in body["people"] if p["user"] == office_manager.id] == [5]


def test_quota_scoping(api_client_for, office_manager, office2, office2_manager):
    client = api_client_for(office_manager)
    assert client.get(f"/api/v1/quotas?office={office2.id}").status_code == 404
    users = {p["user"] for p in client.get("/api/v1/quotas").json()["people"]}
    assert office2_manager.id not in users
