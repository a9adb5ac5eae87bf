"""The demo's six months of history: realistic in its mix, and consistent with what the
services would have written (numbers, timelines, supervisions, visit sampling)."""

import json
import math
import re
from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from demo import generator, history, phrases
from estate.models import AttitudeChange
from hotline.models import Article, Call, CallBack, Script
from incidents.models import Incident
from org.models import User
from relations.models import Survey, SurveyResponse
from tickets import deadlines
from tickets.models import (
    OPEN_STATUSES,
    Channel,
    Kind,
    LiaisonForm,
    Status,
    Supervision,
    Ticket,
    TicketCounter,
    TicketEvent,
)
from tickets.services import supervision_sweep, ticket_create
from tickets.transitions import TRANSITIONS, allowed_from, target_of
from visits.models import ReturnVisit, SamplingCounter, SamplingDecision, VisitRecord
from visits.services import _content_hash

pytestmark = pytest.mark.django_db

SCALE = 0.1
COMMON = (
    "water",
    "electricity",
    "facilities",
    "hygiene",
    "security",
    "parking",
    "fees",
    "other",
    "noise",
    "lift",
    "decoration",
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo for the module, in a transaction rolled back at the end; each test runs
    in a savepoint inside it."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            s = generator.generate(scale=SCALE, now=timezone.now().replace(microsecond=0))
            s.tz = ZoneInfo(s.company.timezone)
            yield s
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _tickets(s):
    return Ticket.objects.filter(company=s.company)


def test_history_spans_six_months_of_every_kind_channel_and_community(demo):
    s = demo
    tickets = list(_tickets(s))
    per_day = len(tickets) / (history.DAYS + 1) / len(s.communities) / SCALE
    assert 10 <= per_day <= 20  # contacts a day per community at full scale
    kinds = Counter(t.kind for t in tickets)
    assert set(kinds) == set(Kind.values)
    assert kinds["repair"] > kinds["inquiry"] > kinds["complaint"] > kinds["praise"]
    assert 0.06 < kinds["complaint"] / len(tickets) < 0.15
    channels = Counter(t.channel for t in tickets)
    assert channels["hotline"] == max(channels.values())
    assert {"hotline", "walk_in", "wechat", "online", "suggestion_box", "gov_hotline"} <= set(
        channels
    )
    for t in tickets:
        if t.channel == Channel.GOV_HOTLINE:
            assert re.fullmatch(r"12345-\d{4}-\d{4}-\d{4}", t.external_ref)
            # Promised by the 12345 reply deadline when logged (a later promise may move it).
            created = t.events.get(action="create")
            assert datetime.fromisoformat(created.data["due_at"]) <= t.external_due_at
    months = {timezone.localtime(t.received_at, s.tz).strftime("%Y-%m") for t in tickets}
    assert len(months) >= 6
    assert {t.community_id for t in tickets} == {c.id for c in s.communities}
    # Engineering quality problems come from the newest community, lifts from the towers.
    engineering = Counter(t.office.code for t in tickets if t.kind == Kind.ENGINEERING)
    assert engineering.most_common(1)[0][0] == "guiyu"
    assert not any(
        t.category == "lift" and t.kind == "repair" for t in tickets if t.office.code == "cuihu"
    )
    # Now: most work settled, some still open, a few escalated, cancelled, overdue.
    status = Counter(t.status for t in tickets)
    assert status["closed"] + status["resolved"] > 0.85 * len(tickets)
    assert status["cancelled"] and sum(status[x] for x in OPEN_STATUSES)
    assert Supervision.objects.filter(ticket__company=s.company).exists()
    assert any(t.severity == "major" for t in tickets)
    assert any(t.rating for t in tickets) and any(t.emergency for t in tickets)
    closed_complaints = [t for t in tickets if t.kind == "complaint" and t.status == "closed"]
    assert closed_complaints and all(
        t.complaint_valid is not None and t.responsibility for t in closed_complaints
    )
    # Calls for hotline tickets, missed calls with call-backs, call-backs due today.
    calls = Call.objects.filter(company=s.company)
    answered = calls.filter(direction="in", outcome="answered", ticket__isnull=False)
    assert answered.count() >= 0.95 * channels["hotline"]
    assert calls.filter(outcome="missed").exists()
    assert CallBack.objects.filter(source_call__outcome="missed", done_at__isnull=False).exists()
    today_end = timezone.localtime(s.now, s.tz).replace(hour=23, minute=59)
    for username in ("hy_hotline1", "hy_hotline2", "hy_hotline3"):
        assert CallBack.objects.filter(
            agent__username=username, done_at__isnull=True, due_at__lte=today_end
        ).exists()
    assert 30 <= Article.objects.filter(company=s.company).count() <= 60
    assert set(Script.objects.filter(company=s.company).values_list("situation", flat=True)) == set(
        Script.Situation.values
    )
    assert Incident.objects.filter(company=s.company, ended_at__isnull=True).count() == 1
    assert Incident.objects.filter(company=s.company, ended_at__isnull=False).count() >= 3
    assert AttitudeChange.objects.filter(person__company=s.company).exists()
    surveys = Survey.objects.filter(company=s.company)
    assert {x.status for x in surveys} == {"open", "closed"}
    assert SurveyResponse.objects.filter(invitation__survey__in=surveys).exists()


def test_owners_talk_like_owners(demo):
    for category in COMMON:
        assert phrases.distinct_cores(category) >= 40, category
    assert phrases.distinct_cores("heating") >= 20 and phrases.distinct_cores("pets") >= 20
    tickets = list(_tickets(demo_seed := demo))
    descriptions = [t.description for t in tickets]
    assert len(set(descriptions)) > 0.95 * len(descriptions)
    text = "\n".join(descriptions)
    slips = [wrong for _right, wrong in phrases.TYPOS if wrong in text]
    assert len(slips) >= 5
    assert any(f in text for f in ("哎", "那个", "就是说"))
    assert any(word in text for _plain, words in phrases.DIALECT for word in words)
    assert any(phrase in text for phrase in phrases.VAGUE)
    assert any(t.title and t.title not in t.description for t in tickets)
    assert all(len(t.title) <= 60 for t in tickets)
    assert demo_seed.counts["tickets"] == len(tickets)


def test_numbers_are_sequential_per_office_and_day_and_continue(demo):
    s = demo
    by_day = defaultdict(list)
    for t in _tickets(s).select_related("office").order_by("received_at", "id"):
        code, day, seq = t.number.rsplit("-", 2)
        assert code == t.office.code.upper()
        assert day == timezone.localtime(t.received_at, s.tz).strftime("%Y%m%d")
        by_day[(t.office_id, day)].append(int(seq))
    for key, seqs in by_day.items():
        assert seqs == list(range(1, len(seqs) + 1)), key
    counters = {
        (c.office_id, c.day.strftime("%Y%m%d")): c.last
        for c in TicketCounter.objects.filter(office__company=s.company)
    }
    assert counters == {key: len(seqs) for key, seqs in by_day.items()}
    # A ticket logged now continues today's sequence.
    front = User.objects.get(username="cuihu_front")
    community = next(c for c in s.communities if c.code == "cuihu")
    ticket = ticket_create(
        actor=front, community=community, kind="inquiry", channel="walk_in", title="咨询"
    )
    today = timezone.localtime(ticket.received_at, s.tz).strftime("%Y%m%d")
    expected = counters.get((community.office_id, today), 0) + 1
    assert ticket.number == f"CUIHU-{today}-{expected:04d}"


def test_timelines_are_what_the_services_would_have_written(demo):
    s = demo
    tickets = {t.id: t for t in _tickets(s)}
    events = defaultdict(list)
    for e in TicketEvent.objects.filter(ticket__company=s.company).order_by("at", "id"):
        events[e.ticket_id].append(e)
    accepted = set(
        LiaisonForm.objects.filter(
            ticket__company=s.company, accepted_at__isnull=False
        ).values_list("ticket_id", flat=True)
    )
    for tid, t in tickets.items():
        timeline = events[tid]
        first = timeline[0]
        assert first.action == "create" and first.at == t.received_at and first.to_status == "new"
        status = "new"
        for e in timeline[1:]:
            assert e.at <= s.now
            assert e.from_status == status, (t.number, e.action)
            if e.action in TRANSITIONS:
                assert allowed_from(e.action, status), (t.number, e.action, status)
                status = target_of(e.action, status)
            assert e.to_status == status
        assert status == t.status, t.number
        resolves = [e for e in timeline if e.action == "resolve"]
        if t.status in (Status.RESOLVED, Status.CLOSED):
            assert resolves and resolves[-1].at == t.resolved_at > first.at
            assert t.received_at <= t.resolved_at <= (t.closed_at or t.resolved_at) <= s.now
        else:
            assert t.resolved_at is None
        if t.status == Status.CLOSED:
            assert [e for e in timeline if e.action == "close"][-1].at == t.closed_at
            if t.kind == Kind.ENGINEERING:
                assert tid in accepted  # the owner accepted the repair first
        if t.status == Status.ESCALATED:
            assert t.assignee_id is None
        if t.assignee_id:
            assert t.assignee.departments.filter(id=t.department_id).exists()
        # The default promise of the kind (or a later promise on the timeline).
        hours = deadlines.promise_hours(
            kind=t.kind, area=t.area, emergency=t.emergency, category_hours=None
        )
        promises = [e for e in timeline if e.action == "promise"]
        if not promises:
            expected = t.received_at + timezone.timedelta(hours=hours)
            if t.external_due_at:
                expected = min(expected, t.external_due_at)
            assert t.due_at == expected, t.number
        else:
            assert t.due_at == datetime.fromisoformat(promises[-1].data["due_at"])
    # Every supervision the sweep would record has been recorded, with its event.
    assert supervision_sweep(now=s.now) == 0
    supervised = Supervision.objects.filter(ticket__company=s.company)
    assert (
        supervised.count()
        == TicketEvent.objects.filter(ticket__company=s.company, action="supervise").count()
    )
    assert all(x.at >= x.due_at for x in supervised)


def test_return_visits_follow_the_rules_and_keep_their_sampling_guarantee(demo):
    s = demo
    decisions = SamplingDecision.objects.filter(ticket__company=s.company).select_related(
        "rule", "ticket"
    )
    groups = defaultdict(list)
    for d in decisions.order_by("id"):
        groups[(d.ticket.office_id, d.rule_id, d.month)].append(d)
        # At every moment of the month: chosen so far ≥ ceil(share × resolved so far).
        chosen = d.selected_before + int(d.selected)
        assert chosen >= math.ceil(d.rule.share_percent * d.resolved_in_month / 100)
    assert groups
    counters = {
        (c.office_id, c.rule_id, c.month): (c.resolved, c.selected)
        for c in SamplingCounter.objects.filter(office__company=s.company)
    }
    for key, ds in groups.items():
        share = ds[0].rule.share_percent
        n, k = len(ds), sum(d.selected for d in ds)
        assert [d.resolved_in_month for d in ds] == list(range(1, n + 1))
        assert k >= math.ceil(share * n / 100), key
        assert counters[key] == (n, k)
        visits = ReturnVisit.objects.filter(
            office_id=key[0], rule_id=key[1], period=key[2], purpose="ticket"
        )
        assert visits.count() == k
    complaints = decisions.filter(ticket__kind="complaint")
    assert complaints.exists() and all(d.selected for d in complaints)
    visits = ReturnVisit.objects.filter(company=s.company, purpose="ticket").select_related(
        "ticket", "rule"
    )
    tz = s.tz
    for v in visits:
        assert v.due_by - v.due_from == timezone.timedelta(
            days=v.rule.window_end_days - v.rule.window_start_days
        )
        assert v.ticket.received_at <= v.due_from
        assert v.period == timezone.localtime(
            v.due_from - timezone.timedelta(days=v.rule.window_start_days), tz
        ).strftime("%Y-%m")
        if v.rule.code == "complaint_major":
            assert "office_manager" in v.assignee.roles
    records = VisitRecord.objects.filter(visit__company=s.company, visit__purpose="ticket")
    assert records.count() > 0.7 * visits.count()
    satisfaction = Counter(r.satisfaction for r in records)
    assert satisfaction[5] + satisfaction[4] > 0.8 * records.count()
    assert visits.filter(done_at__isnull=True, due_by__lt=s.now).exists()  # some overdue
    for r in records:
        fields = {
            "visit": r.visit_id,
            "method": r.method,
            "visited_at": r.visited_at.isoformat(),
            "quality": r.quality,
            "result": r.result,
            "satisfaction": r.satisfaction,
            "shortcomings": r.shortcomings,
            "opinions": r.opinions,
            "qualified": r.qualified,
            "signature_kind": r.signature_kind,
            "signature_phone": r.signature_phone,
        }
        image = bytes(r.signature_image) if r.signature_image else None
        assert r.content_hash == _content_hash(fields, image)
        assert r.visited_at >= r.visit.ticket.received_at
    # An unqualified visit reopened its ticket, which was resolved and visited again.
    unqualified = records.filter(qualified=False)
    assert unqualified.exists()
    for r in unqualified:
        reopen = TicketEvent.objects.get(
            ticket=r.visit.ticket, action="reopen", data__visit=r.visit_id
        )
        assert reopen.at >= r.visited_at
        assert r.shortcomings in reopen.text


def test_monthly_findings_and_the_phone_push(demo):
    from reports.selectors import Scope, monthly_report

    s = demo
    admin = User.objects.get(username="hy_admin")
    month = timezone.localtime(s.now, s.tz).strftime("%Y-%m")
    report = monthly_report(user=admin, month=month, scope=Scope(), now=s.now)
    assert report["repeat_complaints"] and report["repeat_repairs"]
    # The phone system pushes a call with the key and secret demo_logins prints.
    caller = Ticket.objects.filter(company=s.company, person__isnull=False).first().person
    number = caller.phones.order_by("position").first().number
    response = Client().post(
        "/api/v1/phone/push",
        data=json.dumps({"number": number, "event": "ringing", "extension": "8001"}),
        content_type="application/json",
        headers={
            "X-Phone-System": history.DEMO_PHONE_KEY,
            "X-Phone-Secret": history.DEMO_PHONE_SECRET,
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["person"] == caller.id
    call = Call.objects.get(id=response.json()["call"])
    assert call.agent.username == "hy_hotline1"
