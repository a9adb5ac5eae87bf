"""Repeated complaints (API.md Reports, DOMAIN §5): one group per unit and per person
with the same category complained about `threshold` times or more in the month,
whatever units the person's tickets carry; the same tickets are one matter, listed once.
Small fixtures worked out by hand, at the frozen time of test_monthly.py."""

import io
import re

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from estate.tests.factories import PersonFactory, UnitFactory
from reports.models import ReportSettings
from reports.selectors import Scope, _repeats, _tickets, month_bounds
from reports.tests.test_monthly import NOW, SH, at
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(community, building):
    """Two units and three people of the office, none with a ticket yet."""
    u1 = UnitFactory(building=building, number="5-1-101")
    u2 = UnitFactory(building=building, number="5-1-102")
    p = PersonFactory(office=community.office, name="李娜", units=[u1, u2])
    q = PersonFactory(office=community.office, name="陈刚", units=[u1])
    r = PersonFactory(office=community.office, name="周敏", units=[u1])
    return u1, u2, p, q, r


@pytest.fixture
def complaint(community):
    def make(unit, person, day, category="noise", kind="complaint"):
        return TicketFactory(
            community=community,
            kind=kind,
            category=category,
            unit=unit,
            person=person,
            received_at=at(day),
            due_at=at(day + 3),
        )

    return make


def repeats(client, community, key="repeat_complaints"):
    with time_machine.travel(NOW, tick=False):
        r = client.get(f"/api/v1/reports/monthly?community={community.id}&month=2026-11")
    assert r.status_code == 200, r.content
    return r.json()[key]


def test_a_person_complaining_from_two_units_is_one_group(
    api_client_for, office_manager, community, place, complaint
):
    u1, u2, p, _q, _r = place
    a = complaint(u1, p, 3)
    b = complaint(u2, p, 9)
    complaint(u1, p, 12, category="water")  # another matter: once only
    assert repeats(api_client_for(office_manager), community) == [
        {
            "unit": None,
            "unit_number": None,
            "person": p.id,
            "category": "noise",
            "count": 2,
            "tickets": [a.id, b.id],
        }
    ]


def test_a_complaint_with_a_unit_and_one_without_are_a_group(
    api_client_for, office_manager, community, place, complaint
):
    u1, _u2, p, _q, _r = place
    b = complaint(None, p, 8)  # received by phone, the unit not given
    a = complaint(u1, p, 4)
    groups = repeats(api_client_for(office_manager), community)
    assert [(g["unit"], g["person"], g["count"], g["tickets"]) for g in groups] == [
        (None, p.id, 2, [a.id, b.id])  # in the order received
    ]


def test_one_short_of_the_threshold_is_no_group(
    api_client_for, office_manager, community, company, place, complaint
):
    u1, u2, p, q, _r = place
    client = api_client_for(office_manager)
    complaint(u1, p, 3)
    complaint(u2, p, 5)
    complaint(None, p, 7)
    complaint(u1, q, 9, category="water")
    complaint(u1, q, 11, category="water", kind="repair")  # not a complaint
    ReportSettings.objects.create(company=company, repeat_complaint_threshold=4)
    assert repeats(client, community) == []  # p: three of four; q: one water complaint
    ReportSettings.objects.filter(company=company).update(repeat_complaint_threshold=3)
    assert [(g["unit"], g["person"], g["count"]) for g in repeats(client, community)] == [
        (None, p.id, 3)
    ]
    ReportSettings.objects.filter(company=company).update(repeat_complaint_threshold=2)
    assert [(g["unit"], g["person"], g["count"]) for g in repeats(client, community)] == [
        (None, p.id, 3)  # u1 has one noise and one water complaint: no unit group
    ]


def test_a_unit_group_with_the_same_tickets_as_a_person_group_is_listed_once(
    api_client_for, office_manager, community, place, complaint
):
    u1, u2, p, q, _r = place
    a = complaint(u1, p, 3)
    b = complaint(u1, p, 6)
    c = complaint(u2, q, 7, category="water")
    d = complaint(u2, q, 8, category="water")
    e = complaint(None, q, 9, category="water")  # q's group is more than u2's
    groups = repeats(api_client_for(office_manager), community)
    assert groups == [
        {
            "unit": None,
            "unit_number": None,
            "person": q.id,
            "category": "water",
            "count": 3,
            "tickets": [c.id, d.id, e.id],
        },
        {
            "unit": u1.id,
            "unit_number": "5-1-101",
            "person": p.id,
            "category": "noise",
            "count": 2,
            "tickets": [a.id, b.id],
        },
        {
            "unit": u2.id,
            "unit_number": "5-1-102",
            "person": q.id,  # every ticket of the unit's group is q's
            "category": "water",
            "count": 2,
            "tickets": [c.id, d.id],
        },
    ]


def test_two_people_of_one_unit_complaining_once_each_are_the_units_group(
    api_client_for, office_manager, community, place, complaint
):
    u1, _u2, _p, q, r = place
    a = complaint(u1, q, 3)
    b = complaint(u1, r, 5)
    assert repeats(api_client_for(office_manager), community) == [
        {
            "unit": u1.id,
            "unit_number": "5-1-101",
            "person": None,  # neither complained twice
            "category": "noise",
            "count": 2,
            "tickets": [a.id, b.id],
        }
    ]


def test_a_person_who_complained_repeatedly_at_a_unit_with_others_has_a_group_too(
    api_client_for, office_manager, community, place, complaint
):
    u1, _u2, p, q, _r = place
    a = complaint(u1, p, 3)
    b = complaint(u1, q, 4)
    c = complaint(u1, p, 5)
    groups = repeats(api_client_for(office_manager), community)
    assert [(g["unit"], g["person"], g["tickets"]) for g in groups] == [
        (u1.id, None, [a.id, b.id, c.id]),
        (None, p.id, [a.id, c.id]),
    ]


def test_repairs_stay_grouped_by_unit(api_client_for, office_manager, community, place, complaint):
    u1, u2, p, _q, _r = place
    for day in (3, 5):
        complaint(u1, p, day, category="water", kind="repair")
    complaint(u2, p, 7, category="water", kind="repair")  # three of p's, two units: no group
    r3 = [complaint(u2, p, day, category="lift", kind="repair") for day in (8, 9, 10)]
    groups = repeats(api_client_for(office_manager), community, key="repeat_repairs")
    assert [(g["unit"], g["person"], g["category"], g["tickets"]) for g in groups] == [
        (u2.id, p.id, "lift", [t.id for t in r3])
    ]


@pytest.mark.parametrize("extra", [0, 10])
def test_repeat_detection_is_one_query_per_list(
    office_manager, community, place, complaint, extra, django_assert_num_queries
):
    u1, u2, p, q, _r = place
    for i in range(extra):
        unit = UnitFactory(building=u1.building, number=f"6-1-{i + 1:03d}")
        person = PersonFactory(office=community.office, name=f"业主{i}", units=[unit])
        complaint(unit, person, 3)
        complaint(u1 if i % 2 else None, person, 4)
        complaint(unit, person, 5, category="water", kind="repair")
    complaint(u1, p, 3)
    complaint(u2, p, 6)
    complaint(u2, q, 7)
    start, end = month_bounds("2026-11", SH)
    tickets = _tickets(office_manager, Scope(community=community.id), start, end)
    with django_assert_num_queries(1):
        complaints = _repeats(tickets, "complaint", 2, by_person=True)
    with django_assert_num_queries(1):
        _repeats(tickets, "repair", 3, by_person=False)
    people = {g["person"] for g in complaints if g["unit"] is None}
    assert p.id in people and len(complaints) >= 2 + extra


# ---- a person's group on the page and in the exports -------------------------------------


def test_a_persons_group_shows_on_the_page_and_in_the_exports(
    client, office_manager, community, place, complaint
):
    u1, u2, p, _q, _r = place
    a = complaint(u1, p, 3)
    b = complaint(u2, p, 9)
    client.force_login(office_manager)
    params = {"month": "2026-11", "scope": f"community:{community.id}"}
    with time_machine.travel(NOW, tick=False):
        html = client.get(reverse("reports:monthly"), params).content.decode()
        pdf = client.get(reverse("reports:monthly_pdf"), params).content
        xlsx = client.get(reverse("reports:monthly_xlsx"), params).content

    finding = re.search(
        rf'<article[^>]*id="finding-repeat_complaint-person-{p.id}-noise".*?</article>',
        html,
        re.S,
    )
    assert finding, "the person's finding"
    assert "李娜" in finding.group(0) and "finding-unit" not in finding.group(0)
    for t in (a, b):
        assert f'href="{reverse("tickets:detail", args=[t.id])}">{t.number}</a>' in finding.group(0)
    # The proposal form names the finding by the person.
    assert f'value="repeat_complaint:person:{p.id}:noise"' in finding.group(0)

    text = re.sub(r"\s+", "", "".join(pg.extract_text() for pg in PdfReader(io.BytesIO(pdf)).pages))
    assert "四、同一事项重复投诉（1）" in text
    assert "(1)李娜噪音2次" in text
    assert a.number in text and b.number in text
    assert "近12个月无数据" in text  # no visit in the year: no line drawn, and no crash

    rows = list(load_workbook(io.BytesIO(xlsx))["重复投诉"].iter_rows(values_only=True))
    assert len(rows) == 3
    assert rows[2][:5] == (f"{a.number}、{b.number}", None, "李娜", "噪音", 2)
