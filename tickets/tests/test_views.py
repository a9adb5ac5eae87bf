"""Staff pages of tickets: the work lists, the new-ticket form, the ticket page and its
actions.

Each view has a positive test and its denials: anonymous → login, another office →
404 (never 403, never leaked), a role that may not act → 403 from the act endpoint and
the action not offered on the page.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from estate.tests.factories import BuildingFactory, PersonFactory, UnitFactory
from org.models import Department
from org.tests.factories import DepartmentFactory, UserFactory
from tickets import services
from tickets.models import Category, SavedFilter, Supervision, Ticket, TicketEvent
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def html_of(response) -> str:
    return response.content.decode()


def numbers(response) -> set[str]:
    return {t.number for t in response.context["page"]}


def list_url(**params) -> str:
    from urllib.parse import urlencode

    return reverse("tickets:list") + ("?" + urlencode(params) if params else "")


def act_url(ticket, action) -> str:
    return reverse("tickets:act", args=[ticket.id, action])


def detail_url(ticket) -> str:
    return reverse("tickets:detail", args=[ticket.id])


# ---- the work list -------------------------------------------------------------------------


def test_list_needs_login(client):
    assert_login_redirect(client.get(reverse("tickets:list")))


def test_office_tab_shows_the_office_tickets_only(client, receptionist, community, community2):
    mine = TicketFactory(community=community, title="厨房水管漏水")
    other = TicketFactory(community=community2, title="锦绣苑的工单")
    client.force_login(receptionist)
    response = client.get(list_url(tab="office"))
    assert response.status_code == 200
    assert numbers(response) == {mine.number}
    html = html_of(response)
    assert "厨房水管漏水" in html
    assert other.number not in html
    assert reverse("tickets:detail", args=[mine.id]) in html


def test_mine_tab_shows_my_open_work(client, engineer, community, engineering):
    mine = TicketFactory(
        community=community, status="in_progress", department=engineering, assignee=engineer
    )
    TicketFactory(community=community, status="closed", department=engineering, assignee=engineer)
    TicketFactory(community=community, status="assigned", department=engineering)
    client.force_login(engineer)
    assert numbers(client.get(list_url(tab="mine"))) == {mine.number}
    # Staff land on their own work.
    assert client.get(list_url()).context["tab"] == "mine"


def test_mine_tab_with_a_status_shows_that_status(client, engineer, community, engineering):
    closed = TicketFactory(
        community=community, status="closed", department=engineering, assignee=engineer
    )
    client.force_login(engineer)
    assert numbers(client.get(list_url(tab="mine", status="closed"))) == {closed.number}


def test_department_tab_shows_my_departments(
    client, supervisor, community, engineering, cs_department
):
    ours = TicketFactory(community=community, status="assigned", department=engineering)
    TicketFactory(community=community, status="assigned", department=cs_department)
    TicketFactory(community=community, status="new", department=None)
    client.force_login(supervisor)
    response = client.get(list_url())
    assert response.context["tab"] == "department"
    assert numbers(response) == {ours.number}


def test_unassigned_tab_lists_what_must_be_routed(
    client, office_manager, community, engineering, engineer
):
    new = TicketFactory(community=community, status="new", department=engineering)
    escalated = TicketFactory(community=community, status="escalated")
    TicketFactory(community=community, status="assigned", department=engineering, assignee=engineer)
    TicketFactory(community=community, status="resolved")
    client.force_login(office_manager)
    response = client.get(list_url())
    assert response.context["tab"] == "unassigned"
    assert numbers(response) == {new.number, escalated.number}


def test_overdue_tab_lists_open_tickets_past_their_deadline(client, receptionist, community):
    now = timezone.now()
    late = TicketFactory(community=community, status="assigned", due_at=now - timedelta(hours=1))
    later = TicketFactory(community=community, status="new", due_at=now - timedelta(hours=9))
    TicketFactory(community=community, status="resolved", due_at=now - timedelta(hours=1))
    TicketFactory(community=community, status="assigned", due_at=now + timedelta(hours=1))
    client.force_login(receptionist)
    response = client.get(list_url(tab="overdue"))
    # Most overdue first.
    assert [t.number for t in response.context["page"]] == [later.number, late.number]
    html = html_of(response)
    assert 'class="due due-overdue"' in html


def test_supervised_tab_lists_tickets_under_supervision(client, office_manager, community):
    due = timezone.now() - timedelta(hours=30)
    watched = TicketFactory(community=community, status="assigned", due_at=due)
    Supervision.objects.create(ticket=watched, level=3, due_at=due)
    TicketFactory(community=community, status="assigned", due_at=due)
    client.force_login(office_manager)
    response = client.get(list_url(tab="supervised"))
    assert numbers(response) == {watched.number}
    assert "badge supervised" in html_of(response)


def test_rows_mark_overdue_and_due_soon(client, receptionist, community):
    now = timezone.now()
    TicketFactory(community=community, status="assigned", due_at=now - timedelta(minutes=5))
    TicketFactory(community=community, status="assigned", due_at=now + timedelta(hours=2))
    TicketFactory(community=community, status="assigned", due_at=now + timedelta(hours=20))
    client.force_login(receptionist)
    states = sorted(t.due_state for t in client.get(list_url(tab="office")).context["page"])
    assert states == ["", "overdue", "soon"]


@pytest.fixture
def varied(community, unit, owner, engineering, cs_department):
    """Tickets that differ in one filterable field each."""
    other_building = BuildingFactory(community=community, name="5号楼")
    other_unit = UnitFactory(building=other_building, entrance="1", room="1001")
    base = {"community": community, "status": "assigned", "department": engineering}
    return {
        "water": TicketFactory(**base, unit=unit, person=owner, category="water", title="水管漏水"),
        "noise": TicketFactory(
            **base, unit=other_unit, category="noise", kind="complaint", title="夜间施工噪音"
        ),
        "wechat": TicketFactory(
            **{**base, "department": cs_department, "status": "new"},
            category="fees",
            kind="inquiry",
            channel="wechat",
            title="物业费怎么交",
            received_at=timezone.now() - timedelta(days=10),
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "water"}, {"water"}),
        ({"kind": "complaint"}, {"noise"}),
        ({"status": "new"}, {"wechat"}),
        ({"channel": "wechat"}, {"wechat"}),
        ({"q": "噪音"}, {"noise"}),
        ({"q": "3-2-30"}, {"water"}),
        ({"q": "5-1-1001"}, {"noise"}),
        ({"building": "BUILDING"}, {"water"}),
        ({"received_to": "DAYS_AGO_5"}, {"wechat"}),
        ({"received_from": "DAYS_AGO_5"}, {"water", "noise"}),
    ],
)
def test_filters(client, receptionist, varied, community, building, params, expected):
    values = {
        "BUILDING": str(building.id),
        "DAYS_AGO_5": str(timezone.localdate() - timedelta(days=5)),
    }
    params = {k: values.get(v, v) for k, v in params.items()}
    if "building" in params:
        params["community"] = community.id
    client.force_login(receptionist)
    response = client.get(list_url(tab="office", **params))
    assert numbers(response) == {varied[key].number for key in expected}


def test_search_by_number(client, receptionist, varied):
    client.force_login(receptionist)
    number = varied["noise"].number
    assert numbers(client.get(list_url(tab="office", q=number))) == {number}


def test_a_filter_value_of_another_office_is_ignored(client, receptionist, varied, community2):
    client.force_login(receptionist)
    response = client.get(list_url(tab="office", community=community2.id))
    assert response.status_code == 200
    assert len(numbers(response)) == 3


def test_list_htmx_returns_the_results_with_the_building_choices(
    client, receptionist, community, building
):
    TicketFactory(community=community, title="水管漏水")
    client.force_login(receptionist)
    response = client.get(list_url(tab="office", community=community.id), **HTMX)
    html = html_of(response)
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html
    assert "水管漏水" in html
    # The building select follows the community (out-of-band swap).
    assert 'id="building-field" hx-swap-oob="true"' in html
    assert "3号楼" in html


def test_list_htmx_history_restore_gets_the_whole_page(client, receptionist, community):
    client.force_login(receptionist)
    response = client.get(list_url(tab="office"), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
    assert "<html" in html_of(response)


def test_list_paginates_50_per_page(client, receptionist, community):
    TicketFactory.create_batch(51, community=community)
    client.force_login(receptionist)
    first = client.get(list_url(tab="office"))
    assert len(first.context["page"]) == 50
    assert "page=2" in html_of(first)
    assert len(client.get(list_url(tab="office", page=2)).context["page"]) == 1


@pytest.mark.parametrize("rows", [5, 40, 60])
def test_list_queries_do_not_grow_with_rows(
    client,
    office_manager,
    community,
    unit,
    owner,
    engineering,
    engineer,
    rows,
    django_assert_num_queries,
):
    TicketFactory.create_batch(
        rows,
        community=community,
        unit=unit,
        person=owner,
        department=engineering,
        assignee=engineer,
        status="assigned",
    )
    client.force_login(office_manager)
    client.get(list_url(tab="office"))  # warm the per-process caches
    with django_assert_num_queries(9):
        response = client.get(list_url(tab="office"))
    assert len(response.context["page"]) == min(rows, 50)


# ---- saved filters --------------------------------------------------------------------------


def test_save_a_filter_and_find_it_on_the_list(client, receptionist, community):
    client.force_login(receptionist)
    response = client.post(
        reverse("tickets:filter_create"),
        {"name": "本小区超期", "query": f"tab=overdue&community={community.id}&page=3&evil=1"},
    )
    saved = SavedFilter.objects.get(user=receptionist)
    assert saved.name == "本小区超期"
    # The page number and unknown keys are not kept.
    assert saved.query == f"tab=overdue&community={community.id}"
    assert response.status_code == 302
    assert response.url == reverse("tickets:list") + "?" + saved.query
    html = html_of(client.get(response.url))
    assert "本小区超期" in html
    assert f'href="{reverse("tickets:list")}?tab=overdue&amp;community={community.id}"' in html


def test_saving_under_the_same_name_replaces(client, receptionist):
    client.force_login(receptionist)
    client.post(reverse("tickets:filter_create"), {"name": "超期", "query": "tab=overdue"})
    client.post(reverse("tickets:filter_create"), {"name": "超期", "query": "tab=supervised"})
    assert list(SavedFilter.objects.values_list("query", flat=True)) == ["tab=supervised"]


def test_saving_without_a_name_is_refused(client, receptionist):
    client.force_login(receptionist)
    response = client.post(reverse("tickets:filter_create"), {"name": "", "query": "tab=overdue"})
    assert response.status_code == 302
    assert not SavedFilter.objects.exists()


def test_saved_filters_are_the_users_own(client, receptionist, engineer):
    SavedFilter.objects.create(user=engineer, name="工程部的筛选", query="tab=mine")
    client.force_login(receptionist)
    assert "工程部的筛选" not in html_of(client.get(list_url()))


def test_delete_a_saved_filter(client, receptionist):
    saved = SavedFilter.objects.create(user=receptionist, name="超期", query="tab=overdue")
    client.force_login(receptionist)
    response = client.post(reverse("tickets:filter_delete", args=[saved.pk]))
    assert response.status_code == 302
    assert not SavedFilter.objects.exists()


def test_another_users_saved_filter_cannot_be_deleted(client, receptionist, engineer):
    saved = SavedFilter.objects.create(user=engineer, name="我的", query="tab=mine")
    client.force_login(receptionist)
    assert client.post(reverse("tickets:filter_delete", args=[saved.pk])).status_code == 404
    assert SavedFilter.objects.filter(pk=saved.pk).exists()


def test_saved_filter_views_need_login_and_post(client, receptionist):
    assert_login_redirect(client.post(reverse("tickets:filter_create"), {"name": "x"}))
    saved = SavedFilter.objects.create(user=receptionist, name="超期", query="tab=overdue")
    assert_login_redirect(client.post(reverse("tickets:filter_delete", args=[saved.pk])))
    client.force_login(receptionist)
    assert client.get(reverse("tickets:filter_create")).status_code == 405
    assert client.get(reverse("tickets:filter_delete", args=[saved.pk])).status_code == 405


# ---- the new-ticket form ---------------------------------------------------------------------


def test_create_needs_login(client):
    assert_login_redirect(client.get(reverse("tickets:create")))


def test_create_is_403_without_a_desk_role(client, company, office):
    nobody = UserFactory(company=company, roles=[], offices=[office])
    client.force_login(nobody)
    assert client.get(reverse("tickets:create")).status_code == 403
    assert client.get(reverse("tickets:create_lookup")).status_code == 403


def test_create_form_defaults_for_a_receptionist(client, receptionist, community):
    client.force_login(receptionist)
    response = client.get(reverse("tickets:create"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["kind"].value() == "repair"
    assert form["channel"].value() == "walk_in"
    assert form["community"].value() == community.id  # the only community is chosen
    assert form["received_at"].value() is not None
    assert "autofocus" in form.fields["unit_number"].widget.attrs
    # The office's own category list.
    codes = [code for code, _name in form.fields["category"].choices]
    assert codes[:2] == ["water", "electricity"] and "other" in codes


def test_create_form_offers_the_office_categories(client, receptionist, community, office):
    Category.objects.create(
        office=office, code="greening", name="绿化", department_kind="cleaning", position=99
    )
    Category.objects.create(
        office=office, code="heating", name="供暖", department_kind="engineering", active=False
    )
    client.force_login(receptionist)
    choices = dict(client.get(reverse("tickets:create")).context["form"].fields["category"].choices)
    assert choices["greening"] == "绿化"
    assert "heating" not in choices


def test_create_form_defaults_to_the_hotline_for_hotline_agents(client, hotline_agent, community):
    client.force_login(hotline_agent)
    assert client.get(reverse("tickets:create")).context["form"]["channel"].value() == "hotline"


def test_create_form_is_prefilled_from_the_link(client, hotline_agent, owner, unit):
    client.force_login(hotline_agent)
    response = client.get(reverse("tickets:create"), {"person": owner.id})
    form = response.context["form"]
    assert form["unit_number"].value() == "3-2-301"
    assert form["community"].value() == unit.community_id
    assert "autofocus" in form.fields["title"].widget.attrs
    html = html_of(response)
    assert f'name="person" value="{owner.id}" data-unit="3-2-301" checked' in html
    assert "138****5678" in html
    assert "13812345678" not in html


def test_create_form_ignores_a_person_of_another_office(client, receptionist, person_in_office2):
    client.force_login(receptionist)
    response = client.get(reverse("tickets:create"), {"person": person_in_office2.id})
    assert "李四" not in html_of(response)


def create_data(community, **fields):
    return {
        "community": community.id,
        "unit_number": "",
        "kind": "repair",
        "channel": "walk_in",
        "category": "water",
        "title": "卫生间漏水",
        "description": "楼上渗水到卫生间天花板",
        "severity": "general",
        "area": "household",
        "received_at": "",
        **fields,
    }


def test_receptionist_logs_a_walk_in_repair(
    client, receptionist, community, unit, owner, engineering, supervisor
):
    client.force_login(receptionist)
    response = client.post(
        reverse("tickets:create"),
        create_data(community, unit_number="3-2-301", person=owner.id),
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("tickets:detail", args=[ticket.id])
    assert (ticket.unit, ticket.person, ticket.category) == (unit, owner, "water")
    assert ticket.channel == "walk_in" and ticket.area == "household"
    assert ticket.department == engineering and ticket.status == "new"
    assert ticket.created_by == receptionist
    assert Notification.objects.filter(user=supervisor, verb="handed_over").exists()
    # The message names the number on the ticket page.
    assert ticket.number in html_of(client.get(response.url))


def test_create_back_entry_in_the_company_time_zone(client, receptionist, community):
    client.force_login(receptionist)
    earlier = timezone.localtime() - timedelta(days=1)
    client.post(
        reverse("tickets:create"),
        create_data(community, received_at=earlier.strftime("%Y-%m-%dT%H:%M")),
    )
    received = Ticket.objects.get().received_at
    assert abs(received - earlier.replace(second=0, microsecond=0)) < timedelta(seconds=1)


def test_create_shows_an_unknown_unit_beside_its_input(client, receptionist, community, unit):
    client.force_login(receptionist)
    response = client.post(reverse("tickets:create"), create_data(community, unit_number="9-9-999"))
    assert response.status_code == 400
    assert response.context["form"].errors["unit_number"]
    assert not Ticket.objects.exists()


def test_create_shows_what_a_12345_hand_over_lacks(client, receptionist, community):
    client.force_login(receptionist)
    response = client.post(reverse("tickets:create"), create_data(community, channel="gov_hotline"))
    errors = response.context["form"].errors
    assert response.status_code == 400
    assert "external_ref" in errors and "external_due_at" in errors
    assert 'class="field has-error"' in html_of(response)
    assert not Ticket.objects.exists()


def test_create_shows_service_rule_violations_beside_the_inputs(client, receptionist, community):
    client.force_login(receptionist)
    # A future time: the service's RuleViolation (422) lands on the received_at input.
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("tickets:create"), create_data(community, received_at=future))
    assert response.status_code == 400
    assert response.context["form"].errors["received_at"]
    assert not Ticket.objects.exists()


def test_service_error_fields_map_to_the_form_inputs(community, receptionist):
    from core.errors import BadInput
    from tickets.categories import categories_for
    from tickets.forms import TicketCreateForm, add_service_errors

    form = TicketCreateForm(
        create_data(community), user=receptionist, categories=categories_for(community.office)
    )
    assert form.is_valid()
    add_service_errors(
        form,
        BadInput(
            "x",
            fields={"unit": ["不在本小区"], "parties": ["请填写对方"], "nonsense": ["其他问题"]},
        ),
    )
    assert form.errors["unit_number"] == ["不在本小区"]
    assert form.errors["other_unit_number"] == ["请填写对方"]
    assert form.non_field_errors() == ["其他问题"]


def test_create_a_12345_hand_over(client, hotline_agent, community):
    client.force_login(hotline_agent)
    deadline = (timezone.localtime() + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("tickets:create"),
        create_data(
            community, channel="gov_hotline", external_ref="12345-0001", external_due_at=deadline
        ),
    )
    ticket = Ticket.objects.get()
    assert ticket.external_ref == "12345-0001"
    assert ticket.due_at <= ticket.external_due_at


def test_a_dispute_needs_the_other_side(client, receptionist, community, unit, owner):
    client.force_login(receptionist)
    response = client.post(
        reverse("tickets:create"),
        create_data(community, kind="dispute", category="noise", unit_number="3-2-301"),
    )
    assert response.status_code == 400
    assert "other_unit_number" in response.context["form"].errors


def test_a_dispute_records_both_sides(client, receptionist, community, unit, owner, building):
    upstairs = UnitFactory(building=building, entrance="2", room="401", number="3-2-401")
    neighbour = PersonFactory(
        office=owner.office, name="王五", phones=["13700000000"], units=[upstairs]
    )
    client.force_login(receptionist)
    response = client.post(
        reverse("tickets:create"),
        create_data(
            community,
            kind="dispute",
            category="noise",
            unit_number="3-2-301",
            person=owner.id,
            statement="楼上每晚弹钢琴到十一点",
            other_unit_number="3-2-401",
            other_phone="137 0000 0000",
            other_statement="只练到九点",
            complainant_consent="on",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    ticket = Ticket.objects.get()
    assert ticket.complainant_consent
    parties = {p.side: p for p in ticket.parties.all()}
    assert parties["complainant"].person == owner
    assert parties["respondent"].unit == upstairs
    assert parties["respondent"].person == neighbour
    assert parties["respondent"].statement == "只练到九点"
    page = html_of(client.get(response.url))
    assert "楼上每晚弹钢琴到十一点" in page and "只练到九点" in page


def test_create_refuses_a_community_of_another_office(client, receptionist, community2):
    client.force_login(receptionist)
    response = client.post(reverse("tickets:create"), create_data(community2))
    assert response.status_code == 400
    assert "community" in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_create_only_sends_severity_for_complaints_and_area_for_repairs(
    client, receptionist, community
):
    client.force_login(receptionist)
    client.post(
        reverse("tickets:create"),
        create_data(community, kind="inquiry", category="fees", severity="major", area="common"),
    )
    ticket = Ticket.objects.get()
    assert (ticket.severity, ticket.area) == ("general", "")


def test_a_major_complaint_goes_to_the_manager(client, receptionist, community, office_manager):
    client.force_login(receptionist)
    client.post(
        reverse("tickets:create"),
        create_data(community, kind="complaint", category="other", severity="major"),
    )
    ticket = Ticket.objects.get()
    assert ticket.severity == "major" and ticket.department is None


def test_unit_lookup_suggests_units_and_their_people(
    client, receptionist, community, unit, owner, building
):
    UnitFactory(building=building, entrance="2", room="302", number="3-2-302")
    client.force_login(receptionist)
    response = client.get(
        reverse("tickets:create_lookup"),
        {"community": community.id, "unit_number": "3-2-30", "by": "unit"},
        **HTMX,
    )
    html = html_of(response)
    assert html.lstrip().startswith('<div id="who"')
    assert 'data-number="3-2-301"' in html and 'data-number="3-2-302"' in html
    assert f'name="person" value="{owner.id}"' in html
    assert "138****5678" in html and "13812345678" not in html
    # An exact number shows that unit only.
    exact = html_of(
        client.get(
            reverse("tickets:create_lookup"),
            {"community": community.id, "unit_number": "3-2-301", "by": "unit"},
        )
    )
    assert 'data-number="3-2-302"' not in exact


def test_phone_lookup_finds_the_person_and_their_unit(client, hotline_agent, community, owner):
    client.force_login(hotline_agent)
    response = client.get(
        reverse("tickets:create_lookup"),
        {"community": community.id, "lookup_phone": "138-1234-5678", "by": "phone"},
    )
    html = html_of(response)
    assert "张三" in html and 'data-unit="3-2-301"' in html


def test_lookups_never_show_another_office(client, receptionist, community, person_in_office2):
    client.force_login(receptionist)
    by_phone = client.get(
        reverse("tickets:create_lookup"),
        {"community": community.id, "lookup_phone": "13912345678", "by": "phone"},
    )
    assert "李四" not in html_of(by_phone)
    community2 = person_in_office2.unit_links.get().unit.community
    by_unit = client.get(
        reverse("tickets:create_lookup"),
        {"community": community2.id, "unit_number": "1-1", "by": "unit"},
    )
    assert "1-1-101" not in html_of(by_unit)


def test_lookup_needs_login(client):
    assert_login_redirect(client.get(reverse("tickets:create_lookup")))


# ---- the ticket page -------------------------------------------------------------------------


@pytest.fixture
def logged(receptionist, community, unit, owner, engineering, supervisor):
    """A walk-in repair logged through the service (with its timeline)."""
    owner.address_as = "张老师"
    owner.save()
    return services.ticket_create(
        actor=receptionist,
        community=community,
        unit=unit,
        person=owner,
        kind="repair",
        channel="walk_in",
        category="water",
        title="卫生间漏水",
        description="楼上渗水",
    )


def test_detail_needs_login(client, logged):
    assert_login_redirect(client.get(detail_url(logged)))


def test_detail_of_another_office_is_404(client, office2_manager, logged):
    client.force_login(office2_manager)
    response = client.get(detail_url(logged))
    assert response.status_code == 404
    assert "卫生间漏水" not in html_of(response)


def test_detail_shows_the_ticket(client, receptionist, logged, supervisor):
    services.ticket_comment(ticket_id=logged.id, actor=supervisor, text="先关总阀", internal=True)
    client.force_login(receptionist)
    response = client.get(detail_url(logged))
    assert response.status_code == 200
    html = html_of(response)
    for text in (logged.number, "卫生间漏水", "楼上渗水", "3-2-301", "张三", "张老师", "工程部"):
        assert text in html
    assert "138****5678" in html and "13812345678" not in html
    assert "上门维修" in html  # the promised method
    timeline = response.context["timeline"]
    assert [row.event.action for row in timeline] == ["create", "comment"]
    assert timeline[0].actor == str(receptionist)
    assert timeline[1].event.internal
    assert 'class="badge internal"' in html


def test_detail_labels_every_event_kind(client, office_manager, logged):
    for action in (
        "assign",
        "escalate",
        "promise",
        "start",
        "resolve",
        "close",
        "reopen",
        "cancel",
        "comment",
        "supervise",
        "rate",
        "reply_rating",
        "set_consent",
    ):
        TicketEvent.objects.create(ticket=logged, action=action, at=timezone.now(), actor=None)
    client.force_login(office_manager)
    timeline = client.get(detail_url(logged)).context["timeline"]
    labels = {row.event.action: row.label for row in timeline}
    assert all(label != action for action, label in labels.items())
    assert timeline[-1].actor in {"System", "系统"}


def test_detail_shows_rating_and_reply(client, quality, logged):
    Ticket.objects.filter(pk=logged.pk).update(
        status="resolved", rating=4, rating_comment="师傅很准时", rating_reply="感谢您的肯定"
    )
    client.force_login(quality)
    html = html_of(client.get(detail_url(logged)))
    assert "★★★★☆" in html and "师傅很准时" in html and "感谢您的肯定" in html


def offered(response) -> list[str]:
    return [panel.name for panel in response.context["actions"]]


def test_front_desk_is_offered_hand_over_and_notes(client, receptionist, logged, engineer):
    client.force_login(receptionist)
    response = client.get(detail_url(logged))
    assert offered(response) == ["assign", "comment", "set_consent"]
    assign = response.context["actions"][0].form
    options = dict(assign.fields["target"].choices)
    # Departments only: no staff to choose.
    assert all(
        ":" not in value
        for group in options.values()
        if isinstance(group, list)
        for value, _label in group
    )
    assert act_url(logged, "start") not in html_of(response)


def test_engineer_is_offered_the_work_on_their_ticket(client, engineer, logged, engineering):
    Ticket.objects.filter(pk=logged.pk).update(status="assigned", assignee=engineer)
    client.force_login(engineer)
    response = client.get(detail_url(logged))
    assert offered(response) == ["start", "resolve", "promise", "comment"]


def test_supervisor_assigns_to_their_own_departments_staff(
    client, supervisor, logged, engineering, engineer, cs_department, receptionist
):
    client.force_login(supervisor)
    panel = next(p for p in client.get(detail_url(logged)).context["actions"] if p.name == "assign")
    choices = {v for _g, group in panel.form.fields["target"].choices[1:] for v, _l in group}
    assert f"{engineering.id}:{engineer.id}" in choices
    assert str(cs_department.id) in choices  # hand-over to another department
    assert f"{cs_department.id}:{receptionist.id}" not in choices


def test_manager_may_assign_anyone_of_the_office(
    client, office_manager, logged, cs_department, receptionist, engineering, engineer
):
    UserFactory(
        company=receptionist.company,
        roles=["staff"],
        offices=[logged.office],
        departments=[cs_department],
        name="客服小刘",
    )
    client.force_login(office_manager)
    panel = next(p for p in client.get(detail_url(logged)).context["actions"] if p.name == "assign")
    html = str(panel.form["target"])
    assert "客服小刘" in html and str(engineer) in html


def test_staff_may_take_open_work_where_the_category_allows(client, engineer, logged, office):
    Category.objects.create(
        office=office,
        code="water",
        name="给排水",
        department_kind="engineering",
        dispatch="self_take",
    )
    client.force_login(engineer)
    panel = next(p for p in client.get(detail_url(logged)).context["actions"] if p.name == "assign")
    choices = {v for _g, group in panel.form.fields["target"].choices[1:] for v, _l in group}
    assert choices == {f"{logged.department_id}:{engineer.id}"}


def test_documents_panel_is_included_once_it_exists(
    client, receptionist, logged, settings, tmp_path
):
    client.force_login(receptionist)
    assert client.get(detail_url(logged)).context["documents_enabled"] in (True, False)
    folder = tmp_path / "tickets"
    folder.mkdir()
    (folder / "_documents.html").write_text(
        '<section id="documents-test">附件 {{ ticket.number }}</section>'
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    response = client.get(detail_url(logged))
    assert response.context["documents_enabled"] is True
    assert f'<section id="documents-test">附件 {logged.number}</section>' in html_of(response)


# ---- actions ---------------------------------------------------------------------------------


def test_supervisor_assigns_to_the_engineer_with_htmx(
    client, supervisor, logged, engineering, engineer
):
    client.force_login(supervisor)
    response = client.post(
        act_url(logged, "assign"), {"assign-target": f"{engineering.id}:{engineer.id}"}, **HTMX
    )
    assert response.status_code == 200
    logged.refresh_from_db()
    assert (logged.status, logged.assignee) == ("assigned", engineer)
    html = html_of(response)
    assert html.lstrip().startswith('<div id="ticket"')
    assert 'class="status status-assigned" id="ticket-status"' in html
    assert str(engineer) in html
    assert Notification.objects.filter(user=engineer, verb="assigned").exists()


def test_front_desk_hands_over_to_a_department(client, receptionist, logged, cs_department):
    client.force_login(receptionist)
    response = client.post(
        act_url(logged, "assign"), {"assign-target": str(cs_department.id)}, **HTMX
    )
    assert response.status_code == 200
    logged.refresh_from_db()
    assert (logged.status, logged.department, logged.assignee) == ("assigned", cs_department, None)


def test_front_desk_may_not_assign_a_person(client, receptionist, logged, engineering, engineer):
    client.force_login(receptionist)
    response = client.post(
        act_url(logged, "assign"), {"assign-target": f"{engineering.id}:{engineer.id}"}, **HTMX
    )
    assert response.status_code == 400  # not one of the offered choices
    logged.refresh_from_db()
    assert logged.status == "new"


@pytest.mark.parametrize(
    ("actor", "state", "action", "data", "expected"),
    [
        ("engineer", "assigned", "start", {}, "in_progress"),
        (
            "engineer",
            "in_progress",
            "resolve",
            {"resolve-resolution": "已更换水管", "resolve-outcome": "resolved"},
            "resolved",
        ),
        (
            "engineer",
            "in_progress",
            "promise",
            {"resolve": "", "promise-method": "明早上门", "promise-due_at": "FUTURE"},
            "in_progress",
        ),
        ("supervisor", "assigned", "escalate", {"escalate-reason": "属于开发商保修"}, "escalated"),
        ("office_manager", "resolved", "close", {}, "closed"),
        ("quality", "closed", "reopen", {"reopen-reason": "回访发现仍漏水"}, "in_progress"),
        ("office_manager", "assigned", "cancel", {"cancel-reason": "业主撤回"}, "cancelled"),
        (
            "receptionist",
            "assigned",
            "comment",
            {"comment-text": "业主来电催促", "comment-internal": "on"},
            "assigned",
        ),
        (
            "receptionist",
            "resolved",
            "rate",
            {"rate-rating": "5", "rate-comment": "满意"},
            "resolved",
        ),
        ("receptionist", "new", "set_consent", {"set_consent-consent": "on"}, "new"),
    ],
)
def test_each_action_changes_the_ticket_and_returns_the_partial(
    request, client, logged, engineer, actor, state, action, data, expected
):
    Ticket.objects.filter(pk=logged.pk).update(
        status=state,
        assignee=engineer if state != "new" else None,
        resolved_at=timezone.now() if state in {"resolved", "closed"} else None,
    )
    data = {
        k: (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        if v == "FUTURE"
        else v
        for k, v in data.items()
    }
    client.force_login(request.getfixturevalue(actor))
    response = client.post(act_url(logged, action), data, **HTMX)
    assert response.status_code == 200, html_of(response)
    logged.refresh_from_db()
    assert logged.status == expected
    assert logged.events.filter(action=action).exists()
    html = html_of(response)
    assert f'class="status status-{expected}" id="ticket-status"' in html
    assert 'class="message success"' in html


def test_closing_a_complaint_records_its_finding(client, office_manager, logged):
    Ticket.objects.filter(pk=logged.pk).update(
        status="resolved", kind="complaint", resolved_at=timezone.now()
    )
    client.force_login(office_manager)
    missing = client.post(act_url(logged, "close"), {}, **HTMX)
    assert missing.status_code == 400
    assert "has-error" in html_of(missing)
    response = client.post(
        act_url(logged, "close"),
        {"close-complaint_valid": "yes", "close-responsibility": "property"},
        **HTMX,
    )
    assert response.status_code == 200
    logged.refresh_from_db()
    assert (logged.status, logged.complaint_valid, logged.responsibility) == (
        "closed",
        True,
        "property",
    )


def test_reply_to_a_rating(client, engineer, logged):
    Ticket.objects.filter(pk=logged.pk).update(status="resolved", assignee=engineer, rating=2)
    client.force_login(engineer)
    response = client.post(
        act_url(logged, "reply_rating"), {"reply_rating-text": "抱歉，明天复查"}, **HTMX
    )
    assert response.status_code == 200
    logged.refresh_from_db()
    assert logged.rating_reply == "抱歉，明天复查"
    assert "抱歉，明天复查" in html_of(response)


def test_reply_is_not_offered_before_a_rating(client, office_manager, logged):
    Ticket.objects.filter(pk=logged.pk).update(status="resolved")
    client.force_login(office_manager)
    assert "reply_rating" not in offered(client.get(detail_url(logged)))


def test_closing_a_new_ticket_is_409_with_the_message_in_the_form(client, office_manager, logged):
    client.force_login(office_manager)
    response = client.post(act_url(logged, "close"), {}, **HTMX)
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#action-close"
    assert response["HX-Reswap"] == "outerHTML"
    html = html_of(response)
    assert html.lstrip().startswith('<div class="action" id="action-close">')
    assert "<details open>" in html
    assert 'class="form-errors"' in html
    logged.refresh_from_db()
    assert logged.status == "new"


def test_a_409_without_htmx_renders_the_page_with_the_error(client, office_manager, logged):
    client.force_login(office_manager)
    response = client.post(act_url(logged, "close"), {})
    assert response.status_code == 409
    html = html_of(response)
    assert "<html" in html and 'id="action-close"' in html and 'class="form-errors"' in html


def test_a_role_that_may_not_act_gets_403_and_is_not_offered_it(client, receptionist, logged):
    Ticket.objects.filter(pk=logged.pk).update(status="assigned")
    client.force_login(receptionist)
    assert "start" not in offered(client.get(detail_url(logged)))
    response = client.post(act_url(logged, "start"), {}, **HTMX)
    assert response.status_code == 403
    # Refused before the form: an empty reason does not turn the 403 into a 400.
    assert client.post(act_url(logged, "cancel"), {}, **HTMX).status_code == 403
    logged.refresh_from_db()
    assert logged.status == "assigned"


def test_staff_may_not_assign_work_without_self_take(client, engineer, logged, engineering):
    client.force_login(engineer)
    assert "assign" not in offered(client.get(detail_url(logged)))
    response = client.post(
        act_url(logged, "assign"), {"assign-target": f"{engineering.id}:{engineer.id}"}, **HTMX
    )
    assert response.status_code == 403


def test_missing_fields_are_400_beside_the_inputs(client, office_manager, logged):
    client.force_login(office_manager)
    response = client.post(act_url(logged, "cancel"), {"cancel-reason": "  "}, **HTMX)
    assert response.status_code == 400
    assert 'class="field has-error"' in html_of(response)
    logged.refresh_from_db()
    assert logged.status == "new"


def test_rule_violations_are_422(client, office_manager, logged):
    client.force_login(office_manager)
    early = timezone.localtime(logged.received_at - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        act_url(logged, "promise"), {"promise-method": "上门", "promise-due_at": early}, **HTMX
    )
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#action-promise"


def test_act_without_htmx_redirects_to_the_page(client, supervisor, logged):
    client.force_login(supervisor)
    response = client.post(act_url(logged, "comment"), {"comment-text": "已联系业主"})
    assert response.status_code == 302
    assert response.url == detail_url(logged)
    assert "已联系业主" in html_of(client.get(response.url))


def test_act_denials(client, office2_manager, office_manager, logged):
    assert_login_redirect(client.post(act_url(logged, "start")))
    client.force_login(office2_manager)
    assert client.post(act_url(logged, "comment"), {"comment-text": "x"}).status_code == 404
    assert not logged.events.filter(action="comment").exists()
    client.force_login(office_manager)
    assert client.post(act_url(logged, "explode")).status_code == 404
    assert client.get(act_url(logged, "comment")).status_code == 405


def test_the_page_lets_htmx_swap_refusals_into_the_form(client, office_manager, logged):
    client.force_login(office_manager)
    html = html_of(client.get(detail_url(logged)))
    assert "hx-on::before-swap" in html and "HX-Retarget" in html


def test_no_department_in_another_office_can_be_assigned(
    client, office_manager, logged, company, office2
):
    foreign = DepartmentFactory(office=office2, name="锦绣工程部", kind=Department.Kind.ENGINEERING)
    client.force_login(office_manager)
    response = client.post(act_url(logged, "assign"), {"assign-target": str(foreign.id)}, **HTMX)
    assert response.status_code == 400


def test_person_page_shows_their_contact_history(
    client, receptionist, office2_manager, owner, community
):
    mine = TicketFactory(community=community, person=owner, title="楼道灯不亮")
    client.force_login(receptionist)
    page = client.get(reverse("estate:person_detail", args=[owner.id])).content.decode()
    assert mine.number in page and "楼道灯不亮" in page
