"""Every action from every state: allowed ones reach the table's target, others are 409."""

import pytest
from django.utils import timezone

from tickets.models import LiaisonForm, Status, TicketEvent
from tickets.tests.factories import TicketFactory
from tickets.transitions import TRANSITIONS

pytestmark = pytest.mark.django_db


def _body(action, engineering):
    return {
        "assign": {"department": engineering.id},
        "escalate": {"reason": "不属本部门"},
        "promise": {
            "method": "上门维修",
            "due_at": (timezone.now() + timezone.timedelta(days=1)).isoformat(),
        },
        "start": {},
        "resolve": {"resolution": "已更换阀门"},
        "close": {},
        "reopen": {"reason": "业主反映仍漏水"},
        "cancel": {"reason": "业主撤回"},
        "comment": {"text": "已电话联系业主"},
        "rate": {"rating": 4, "comment": "师傅很及时"},
        "reply_rating": {"text": "感谢您的评价"},
        "set_consent": {"consent": True},
    }[action]


CASES = [(action, state) for action in TRANSITIONS for state in Status.values]


@pytest.mark.parametrize(("action", "state"), CASES)
def test_transition_table(api_client_for, office_manager, community, engineering, action, state):
    resolved = timezone.now() - timezone.timedelta(hours=1)
    ticket = TicketFactory(
        community=community,
        status=state,
        resolved_at=resolved if state in ("resolved", "closed") else None,
        rating=3,  # so reply_rating has something to reply to
    )
    r = api_client_for(office_manager).post(
        f"/api/v1/tickets/{ticket.id}/actions", {"action": action, **_body(action, engineering)}
    )
    sources, target = TRANSITIONS[action]
    if state in sources:
        assert r.status_code == 200, r.content
        assert r.json()["status"] == (target or state)
        event = TicketEvent.objects.filter(ticket=ticket).last()
        assert (event.action, event.actor_id, event.from_status) == (
            action,
            office_manager.id,
            state,
        )
    else:
        assert r.status_code == 409, r.content
        assert r.json()["error"]["code"] == "invalid_transition"
        ticket.refresh_from_db()
        assert ticket.status == state
        assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_closing_a_complaint_needs_its_finding(api_client_for, office_manager, community):
    ticket = TicketFactory(
        community=community, kind="complaint", status="resolved", resolved_at=timezone.now()
    )
    client = api_client_for(office_manager)
    r = client.post(f"/api/v1/tickets/{ticket.id}/actions", {"action": "close"})
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"complaint_valid", "responsibility"}
    r = client.post(
        f"/api/v1/tickets/{ticket.id}/actions",
        {"action": "close", "complaint_valid": True, "responsibility": "property"},
    )
    assert r.status_code == 200
    assert r.json()["complaint_valid"] is True and r.json()["responsibility"] == "property"


def test_engineering_problem_closes_only_after_owner_acceptance(
    api_client_for, office_manager, community
):
    ticket = TicketFactory(
        community=community, kind="engineering", status="resolved", resolved_at=timezone.now()
    )
    client = api_client_for(office_manager)
    r = client.post(f"/api/v1/tickets/{ticket.id}/actions", {"action": "close"})
    assert r.status_code == 422
    LiaisonForm.objects.create(
        ticket=ticket,
        number="LX-1",
        contractor="宏达建筑",
        issued_at=timezone.now(),
        accepted_at=timezone.now(),
    )
    assert (
        client.post(f"/api/v1/tickets/{ticket.id}/actions", {"action": "close"}).status_code == 200
    )


def test_resolve_back_entry_rules(api_client_for, office_manager, community):
    ticket = TicketFactory(community=community, status="in_progress")
    client = api_client_for(office_manager)
    future = (timezone.now() + timezone.timedelta(hours=1)).isoformat()
    r = client.post(
        f"/api/v1/tickets/{ticket.id}/actions",
        {"action": "resolve", "resolution": "x", "resolved_at": future},
    )
    assert r.status_code == 422
    before = (ticket.received_at - timezone.timedelta(minutes=1)).isoformat()
    r = client.post(
        f"/api/v1/tickets/{ticket.id}/actions",
        {"action": "resolve", "resolution": "x", "resolved_at": before},
    )
    assert r.status_code == 422
    past = (ticket.received_at + timezone.timedelta(minutes=30)).isoformat()
    r = client.post(
        f"/api/v1/tickets/{ticket.id}/actions",
        {"action": "resolve", "resolution": "x", "resolved_at": past},
    )
    assert r.status_code == 200
    assert r.json()["resolved_at"].startswith(past[:16])


def test_close_back_entry_is_not_before_the_resolution(api_client_for, office_manager, community):
    resolved = timezone.now() - timezone.timedelta(hours=2)
    ticket = TicketFactory(
        community=community,
        kind="inquiry",
        status="resolved",
        received_at=resolved - timezone.timedelta(days=1),
        resolved_at=resolved,
    )
    client = api_client_for(office_manager)
    early = (resolved - timezone.timedelta(minutes=5)).isoformat()
    r = client.post(f"/api/v1/tickets/{ticket.id}/actions", {"action": "close", "closed_at": early})
    assert r.status_code == 422
    assert r.json()["error"]["fields"] == {"closed_at": ["早于处理完毕时间。"]}  # not "received"
    later = (resolved + timezone.timedelta(minutes=5)).isoformat()
    r = client.post(f"/api/v1/tickets/{ticket.id}/actions", {"action": "close", "closed_at": later})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert r.json()["area"] is None  # an inquiry has no area: null, not ""


def test_refusal_cites_the_rule(api_client_for, office_manager, community):
    ticket = TicketFactory(community=community, status="in_progress", kind="inquiry")
    client = api_client_for(office_manager)
    body = {"action": "resolve", "resolution": "婉言拒绝", "outcome": "refused"}
    assert client.post(f"/api/v1/tickets/{ticket.id}/actions", body).status_code == 400
    body["rule_cited"] = "《临时管理规约》第十二条:不得擅自改变房屋外立面"
    r = client.post(f"/api/v1/tickets/{ticket.id}/actions", body)
    assert r.status_code == 200 and r.json()["outcome"] == "refused"


def test_reopen_clears_resolution_times(api_client_for, quality, community):
    ticket = TicketFactory(
        community=community, status="closed", resolved_at=timezone.now(), closed_at=timezone.now()
    )
    r = api_client_for(quality).post(
        f"/api/v1/tickets/{ticket.id}/actions", {"action": "reopen", "reason": "回访不合格"}
    )
    assert r.status_code == 200
    assert r.json()["resolved_at"] is None and r.json()["closed_at"] is None
