"""The twelve-month trends of the monthly page, on fixtures worked out by hand."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from estate.models import AttitudeChange, Person
from estate.tests.factories import BuildingFactory, PersonFactory, UnitFactory
from reports import trends
from reports.selectors import Scope
from visits.models import ReturnVisit, VisitRecord

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=SH)
MONTHS = trends.months_ending("2026-11")


def local(year, month, day, hour=10, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def test_months_ending_crosses_the_year():
    assert MONTHS[0] == "2025-12" and MONTHS[-1] == "2026-11" and len(MONTHS) == 12
    assert trends.months_ending("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    assert trends.shift_month("2026-01", -1) == "2025-12"


@pytest.fixture
def attitudes(office, community, building, community2, office_manager):
    """Who is in which class when (community 翠湖花园, company time):

    A  created 2025-01, adverse → neutral 2026-03-10, neutral → favourable 2026-10-15
    B  created 2025-06, neutral → adverse 2026-12-01 08:00 (after November's end)
    C  created 2026-06-15, neutral throughout
    D  created 2026-08-20, neutral → favourable 2026-09-05
    E  created 2025-01, neutral → adverse 2026-10-31 23:30 (still October in Shanghai)
    H  created 2025-01, neutral → favourable 2025-06-01 (before the twelve months)
    G  registered by the office, no unit, favourable (office scope only)
    F  community2 (other office), adverse (never counted here)
    """

    def person(name, attitude, created, changes=()):
        unit = UnitFactory(building=building)
        p = PersonFactory(office=office, name=name, attitude=attitude, units=[unit])
        Person.objects.filter(id=p.id).update(created_at=created)
        for previous, new, at in changes:
            c = AttitudeChange.objects.create(
                person=p, previous=previous, attitude=new, actor=office_manager
            )
            AttitudeChange.objects.filter(id=c.id).update(at=at)
        return p

    person(
        "甲",
        "favourable",
        local(2025, 1, 1),
        [
            ("adverse", "neutral", local(2026, 3, 10)),
            ("neutral", "favourable", local(2026, 10, 15)),
        ],
    )
    person("乙", "adverse", local(2025, 6, 1), [("neutral", "adverse", local(2026, 12, 1, 8))])
    person("丙", "neutral", local(2026, 6, 15))
    person("丁", "favourable", local(2026, 8, 20), [("neutral", "favourable", local(2026, 9, 5))])
    person(
        "戊", "adverse", local(2025, 1, 1), [("neutral", "adverse", local(2026, 10, 31, 23, 30))]
    )
    person("己", "favourable", local(2025, 1, 1), [("neutral", "favourable", local(2025, 6, 1))])
    g = PersonFactory(office=office, name="庚", attitude="favourable")
    Person.objects.filter(id=g.id).update(created_at=local(2025, 1, 1))
    f_unit = UnitFactory(building=BuildingFactory(community=community2))
    f = PersonFactory(office=community2.office, name="辛", attitude="adverse", units=[f_unit])
    Person.objects.filter(id=f.id).update(created_at=local(2025, 1, 1))
    AttitudeChange.objects.create(person=f, previous="neutral", attitude="adverse")


# month → (favourable, neutral, adverse) at its end, counted by hand from the docstring.
EXPECTED = {
    "2025-12": (1, 2, 1),
    "2026-01": (1, 2, 1),
    "2026-02": (1, 2, 1),
    "2026-03": (1, 3, 0),
    "2026-04": (1, 3, 0),
    "2026-05": (1, 3, 0),
    "2026-06": (1, 4, 0),
    "2026-07": (1, 4, 0),
    "2026-08": (1, 5, 0),
    "2026-09": (2, 4, 0),
    "2026-10": (3, 2, 1),
    "2026-11": (3, 2, 1),
}


def _triples(rows):
    return {
        r.month: (r.counts["favourable"], r.counts["neutral"], r.counts["adverse"]) for r in rows
    }


def test_attitude_month_ends_replay_changes_backwards(office_manager, community, attitudes):
    rows = trends.attitude_by_month(
        user=office_manager, scope=Scope(community=community.id), months=MONTHS, now=NOW
    )
    assert [r.month for r in rows] == MONTHS
    assert _triples(rows) == EXPECTED


def test_attitude_moves_within_each_month(office_manager, community, attitudes):
    rows = {
        r.month: r
        for r in trends.attitude_by_month(
            user=office_manager, scope=Scope(community=community.id), months=MONTHS, now=NOW
        )
    }
    assert rows["2026-03"].moves == {("adverse", "neutral"): 1}
    assert rows["2026-09"].moves == {("neutral", "favourable"): 1}
    assert rows["2026-10"].moves == {("neutral", "favourable"): 1, ("neutral", "adverse"): 1}
    assert (rows["2026-10"].improved, rows["2026-10"].worsened) == (1, 1)
    assert rows["2026-11"].moves == {}  # B's move on 1 December belongs to December
    assert sum(r.improved + r.worsened for r in rows.values()) == 4


def test_attitude_office_scope_adds_people_registered_without_units(
    office_manager, office, attitudes
):
    rows = trends.attitude_by_month(
        user=office_manager, scope=Scope(office=office.id), months=MONTHS, now=NOW
    )
    # G is favourable throughout; F (another office) never counts.
    assert _triples(rows) == {m: (f + 1, n, a) for m, (f, n, a) in EXPECTED.items()}


def test_attitude_of_a_month_not_over_yet_is_today(office_manager, community, attitudes):
    # On 1 December at noon, December so far: B has already moved to adverse.
    rows = trends.attitude_by_month(
        user=office_manager,
        scope=Scope(community=community.id),
        months=trends.months_ending("2026-12", 2),
        now=NOW,
    )
    assert _triples(rows) == {"2026-11": (3, 2, 1), "2026-12": (3, 1, 2)}
    assert rows[-1].moves == {("neutral", "adverse"): 1}


def test_attitude_of_another_office_is_not_seen(office2_manager, community, attitudes):
    rows = trends.attitude_by_month(
        user=office2_manager, scope=Scope(community=community.id), months=MONTHS, now=NOW
    )
    assert all(r.counts == {"favourable": 0, "neutral": 0, "adverse": 0} for r in rows)


@pytest.fixture
def satisfaction(company, office, community, community2, office_manager):
    """Visit records per month (current versions count, not the ones they correct)."""

    def visit(period, scores, *, where=community, purpose="ticket"):
        v = ReturnVisit.objects.create(
            company=company,
            office=where.office,
            purpose=purpose,
            due_from=local(2026, 1, 1),
            due_by=local(2026, 1, 4),
            period=period,
            done_at=local(2026, 1, 2),
        )
        if purpose == "ticket":
            from tickets.tests.factories import TicketFactory

            v.ticket = TicketFactory(community=where)
            v.save(update_fields=["ticket"])
        previous = None
        for version, score in enumerate(scores, start=1):
            previous = VisitRecord.objects.create(
                visit=v,
                version=version,
                supersedes=previous,
                method="phone",
                visited_at=local(2026, 1, 2),
                satisfaction=score,
                qualified=score >= 3,
                recorded_by=office_manager,
            )
        return v

    visit("2026-11", [5])
    visit("2026-11", [1, 2])  # corrected from 1 to 2
    visit("2026-09", [4])
    visit("2026-09", [5])
    visit("2026-10", [1], purpose="routine")  # routine visits are not in the figures
    visit("2026-09", [1], where=community2)  # another office
    visit("2025-11", [1])  # before the twelve months
    ReturnVisit.objects.create(  # planned, not done yet: no record
        company=company,
        office=office,
        due_from=local(2026, 11, 2),
        due_by=local(2026, 11, 5),
        period="2026-11",
    )


def test_satisfaction_per_month_from_current_records(office_manager, community, satisfaction):
    rows = trends.satisfaction_by_month(
        user=office_manager, scope=Scope(community=community.id), months=MONTHS
    )
    by_month = {r.month: (r.average, r.records) for r in rows}
    assert by_month["2026-11"] == (3.5, 2)
    assert by_month["2026-09"] == (4.5, 2)
    assert by_month["2026-10"] == (None, 0)
    assert [m for m, (avg, _n) in by_month.items() if avg is not None] == ["2026-09", "2026-11"]


def test_satisfaction_company_wide(company_admin, satisfaction):
    rows = trends.satisfaction_by_month(user=company_admin, scope=Scope(), months=MONTHS)
    by_month = {r.month: (r.average, r.records) for r in rows}
    assert by_month["2026-09"] == (3.33, 3)  # (4 + 5 + 1) / 3 with the other office
    assert by_month["2026-11"] == (3.5, 2)


def test_satisfaction_of_another_office_is_not_seen(office2_manager, community, satisfaction):
    rows = trends.satisfaction_by_month(
        user=office2_manager, scope=Scope(community=community.id), months=MONTHS
    )
    assert all(r.average is None for r in rows)
