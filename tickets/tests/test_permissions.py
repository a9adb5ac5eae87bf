"""The role table of API.md: each role's allowed actions, and refusals (403/404)."""

import pytest
from django.utils import timezone

from org.tests.factories import UserFactory
from tickets.models import Category
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def act(client, ticket, action, **body):
    return client.post(f"/api/v1/tickets/{ticket.id}/actions", {"action": action, **body})


def test_front_desk_hands_over_to_a_department_only(
    api_client_for, receptionist, community, engineering, engineer, cs_department
):
    ticket = TicketFactory(community=community, status="new")
    client = api_client_for(receptionist)
    assert (
        act(client, ticket, "assign", department=engineering.id, assignee=engineer.id).status_code
        == 403
    )
    r = act(client, ticket, "assign", department=engineering.id)
    assert (
        r.status_code == 200 and r.json()["status"] == "assigned" and r.json()["assignee"] is None
    )
    assert act(client, ticket, "comment", text="已告知业主").status_code == 200
    assert act(client, ticket, "start").status_code == 403
    assert act(client, ticket, "cancel", reason="x").status_code == 403
    # handed over again, to another department, once it is assigned: still department only
    r = act(client, ticket, "assign", department=cs_department.id)
    assert r.status_code == 200 and r.json()["department"] == cs_department.id
    assert (
        act(client, ticket, "assign", department=engineering.id, assignee=engineer.id).status_code
        == 403
    )


# Department staff and quality pass what they hear to the desk.
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("receptionist", 201),
        ("hotline_agent", 201),
        ("supervisor", 201),
        ("office_manager", 201),
        ("company_admin", 201),
        ("staff", 403),
        ("quality", 403),
    ],
)
def test_who_may_log_a_ticket(api_client_for, company, office, community, role, status):
    user = UserFactory(company=company, roles=[role], offices=[office])
    r = api_client_for(user).post(
        "/api/v1/tickets",
        {
            "community": community.id,
            "kind": "inquiry",
            "channel": "walk_in",
            "title": "咨询停车",
            "description": "业主来电咨询临时停车收费",
        },
    )
    assert r.status_code == status


def test_front_desk_resolves_a_new_inquiry_on_the_spot_but_not_a_repair(
    api_client_for, hotline_agent, community
):
    inquiry = TicketFactory(community=community, status="new", kind="inquiry")
    repair = TicketFactory(community=community, status="new", kind="repair")
    client = api_client_for(hotline_agent)
    assert act(client, inquiry, "resolve", resolution="已当场答复停水时间").status_code == 200
    assert act(client, repair, "resolve", resolution="x").status_code == 403


def test_supervisor_acts_on_new_tickets_and_own_departments(
    api_client_for, supervisor, community, engineering, engineer, cs_department
):
    client = api_client_for(supervisor)
    new = TicketFactory(community=community, status="new")
    assert (
        act(client, new, "assign", department=engineering.id, assignee=engineer.id).status_code
        == 200
    )
    own = TicketFactory(community=community, status="in_progress", department=engineering)
    assert act(client, own, "resolve", resolution="修好了").status_code == 200
    other = TicketFactory(community=community, status="assigned", department=cs_department)
    assert act(client, other, "escalate", reason="x").status_code == 403
    # every action on their department's tickets: handing one over to another
    # department too (转派), and escalating
    mine = TicketFactory(community=community, status="assigned", department=engineering)
    assert act(client, mine, "escalate", reason="需经理协调").status_code == 200
    r = act(client, mine, "assign", department=cs_department.id)
    assert r.status_code == 200 and r.json()["department"] == cs_department.id
    # …after which it is no longer theirs
    assert act(client, mine, "comment", text="x").status_code == 403


def test_staff_works_only_tickets_assigned_to_them(
    api_client_for, engineer, community, engineering, supervisor
):
    client = api_client_for(engineer)
    mine = TicketFactory(
        community=community, status="assigned", department=engineering, assignee=engineer
    )
    assert act(client, mine, "start").status_code == 200
    due = (timezone.now() + timezone.timedelta(hours=5)).isoformat()
    assert act(client, mine, "promise", method="今天下午上门", due_at=due).status_code == 200
    assert act(client, mine, "resolve", resolution="已修复").status_code == 200
    assert act(client, mine, "close").status_code == 403
    theirs = TicketFactory(
        community=community, status="assigned", department=engineering, assignee=supervisor
    )
    assert act(client, theirs, "start").status_code == 403
    assert act(client, theirs, "comment", text="x").status_code == 403


def test_staff_take_open_work_only_where_the_category_allows(
    api_client_for, engineer, community, engineering, office
):
    client = api_client_for(engineer)
    ticket = TicketFactory(
        community=community, status="new", department=engineering, category="water"
    )
    assert (
        act(client, ticket, "assign", department=engineering.id, assignee=engineer.id).status_code
        == 403
    )
    Category.objects.create(
        office=office,
        code="water",
        name="给排水",
        department_kind="engineering",
        dispatch="self_take",
    )
    r = act(client, ticket, "assign", department=engineering.id, assignee=engineer.id)
    assert r.status_code == 200 and r.json()["assignee"] == engineer.id
    # once taken, a colleague cannot take it over
    colleague = UserFactory(
        company=engineer.company, roles=["staff"], offices=[office], departments=[engineering]
    )
    r = act(
        api_client_for(colleague),
        ticket,
        "assign",
        department=engineering.id,
        assignee=colleague.id,
    )
    assert r.status_code == 403


def test_quality_comments_and_reopens_only(api_client_for, quality, community):
    client = api_client_for(quality)
    ticket = TicketFactory(community=community, status="resolved", resolved_at=timezone.now())
    assert act(client, ticket, "close").status_code == 403
    assert act(client, ticket, "comment", text="抽查").status_code == 200
    assert act(client, ticket, "reopen", reason="回访不合格").status_code == 200


def test_other_office_ticket_is_404_for_reads_and_actions(
    api_client_for, office2_manager, community
):
    ticket = TicketFactory(community=community, status="new")
    client = api_client_for(office2_manager)
    assert client.get(f"/api/v1/tickets/{ticket.id}").status_code == 404
    assert act(client, ticket, "comment", text="x").status_code == 404
    assert client.get("/api/v1/tickets").json()["results"] == []


def test_other_company_is_404(api_client_for, other_company_admin, community):
    ticket = TicketFactory(community=community, status="new")
    assert (
        api_client_for(other_company_admin).get(f"/api/v1/tickets/{ticket.id}").status_code == 404
    )


def test_company_admin_may_do_anything_in_the_company(api_client_for, company_admin, community):
    ticket = TicketFactory(community=community, status="in_progress")
    assert (
        act(api_client_for(company_admin), ticket, "cancel", reason="重复登记").status_code == 200
    )


def test_unknown_action_is_400(api_client_for, office_manager, community):
    ticket = TicketFactory(community=community, status="new")
    r = act(api_client_for(office_manager), ticket, "teleport")
    assert r.status_code == 400 and "action" in r.json()["error"]["fields"]


def test_rating_and_reply(api_client_for, receptionist, engineer, community, engineering):
    from core.models import Notification

    ticket = TicketFactory(
        community=community,
        status="resolved",
        resolved_at=timezone.now(),
        department=engineering,
        assignee=engineer,
    )
    r = act(api_client_for(receptionist), ticket, "rate", rating=2, comment="拖了三天才修")
    assert r.status_code == 200 and r.json()["rating"] == 2
    assert Notification.objects.filter(user=engineer, verb="low_rating").exists()
    assert act(api_client_for(receptionist), ticket, "reply_rating", text="x").status_code == 403
    r = act(api_client_for(engineer), ticket, "reply_rating", text="抱歉,配件缺货,已改进备件管理")
    assert r.status_code == 200 and r.json()["rating_reply"].startswith("抱歉")
    assert act(api_client_for(receptionist), ticket, "rate", rating=6).status_code == 400


def test_reply_before_any_rating_is_422(api_client_for, office_manager, community):
    ticket = TicketFactory(community=community, status="resolved", resolved_at=timezone.now())
    assert act(api_client_for(office_manager), ticket, "reply_rating", text="x").status_code == 422
