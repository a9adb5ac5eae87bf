"""Attitude classes suggested from evidence and confirmed by staff, with history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from estate.models import AttitudeChange
from estate.tests.factories import PersonFactory
from tickets.tests.factories import TicketFactory
from visits.models import ReturnVisit, VisitRecord

pytestmark = pytest.mark.django_db


def _visit(office_manager, person, satisfaction, qualified):
    now = timezone.now() - timedelta(days=3)
    v = ReturnVisit.objects.create(
        company=person.company,
        office=person.office,
        person=person,
        purpose="routine",
        due_from=now,
        due_by=now,
        period=now.strftime("%Y-%m"),
        done_at=now,
        qualified=qualified,
    )
    VisitRecord.objects.create(
        visit=v,
        method="phone",
        visited_at=now,
        satisfaction=satisfaction,
        qualified=qualified,
        recorded_by=office_manager,
    )


def test_evidence_suggests_a_class(api_client_for, office_manager, community, owner, office, unit):
    happy = PersonFactory(office=office, name="钱多多", units=[unit])
    for _ in range(3):
        TicketFactory(community=community, person=owner, kind="complaint", category="noise")
    _visit(office_manager, owner, 1, False)
    TicketFactory(community=community, person=happy, kind="praise")
    _visit(office_manager, happy, 5, True)
    _visit(office_manager, happy, 5, True)
    # old evidence does not count
    TicketFactory(
        community=community,
        person=happy,
        kind="complaint",
        received_at=timezone.now() - timedelta(days=400),
    )
    body = api_client_for(office_manager).get("/api/v1/attitudes").json()
    by_person = {s["person"]: s for s in body["suggestions"]}
    assert by_person[owner.id]["suggested"] == "adverse"
    assert (
        by_person[owner.id]["score"] == -4
    )  # two complaints after the first, one unqualified, low satisfaction
    assert len(by_person[owner.id]["reasons"]) == 3
    assert by_person[happy.id]["suggested"] == "favourable" and by_person[happy.id]["score"] == 2
    assert body["counts"] == {"favourable": 0, "neutral": 2, "adverse": 0}


def test_one_complaint_suggests_nothing(api_client_for, office_manager, community, owner):
    TicketFactory(community=community, person=owner, kind="complaint")
    assert api_client_for(office_manager).get("/api/v1/attitudes").json()["suggestions"] == []


def test_confirming_keeps_history_with_the_evidence(api_client_for, receptionist, community, owner):
    for _ in range(3):
        TicketFactory(community=community, person=owner, kind="complaint")
    r = api_client_for(receptionist).post(
        f"/api/v1/attitudes/{owner.id}/confirm", {"attitude": "adverse", "note": "拒交物业费"}
    )
    assert r.status_code == 200, r.content
    change = AttitudeChange.objects.get(person=owner)
    assert (change.previous, change.attitude) == ("neutral", "adverse")
    assert "3" in change.reason and "拒交物业费" in change.reason
    body = api_client_for(receptionist).get("/api/v1/attitudes").json()
    assert body["counts"]["adverse"] == 1 and body["suggestions"] == []


def test_scoping_and_refusals(api_client_for, office2_manager, quality, owner, community):
    assert (
        api_client_for(office2_manager)
        .post(f"/api/v1/attitudes/{owner.id}/confirm", {"attitude": "adverse"})
        .status_code
        == 404
    )
    assert (
        api_client_for(office2_manager)
        .get(f"/api/v1/attitudes?community={community.id}")
        .status_code
        == 404
    )
    assert (
        api_client_for(quality)
        .post(f"/api/v1/attitudes/{owner.id}/confirm", {"attitude": "adverse"})
        .status_code
        == 403
    )
