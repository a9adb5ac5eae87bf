"""Staff pages of the hotline desk: the desk and its htmx endpoints (screen-pop, caller's
card, attaching a number, category suggestion, the ticket form), the call log,
call-backs, statistics and the knowledge base.

Each view has a positive test and its denials: anonymous → login, a user without the
desk → 403, another office's call, person or article → 404 (never leaked).
"""

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AccessLog
from estate.models import PersonEvent, PersonPhone
from estate.tests.factories import PersonFactory
from hotline import kb
from hotline.models import Article, Call, CallBack, Script
from hotline.services import call_log, callback_schedule, phone_system_create
from incidents.models import Incident
from org.tests.factories import UserFactory
from tickets.models import Ticket
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def phone_system(office):
    return phone_system_create(office=office, name="呼叫中心", key="pbx-a1")


@pytest.fixture
def phone_system2(office2):
    return phone_system_create(office=office2, name="锦绣呼叫", key="pbx-a2")


@pytest.fixture
def nobody(company, office):
    """Staff of the office with no role: no desk."""
    return UserFactory(company=company, roles=[], offices=[office], username="norole_a1")


@pytest.fixture
def agent(client, hotline_agent):
    hotline_agent.extension = "8001"
    hotline_agent.save(update_fields=["extension"])
    client.force_login(hotline_agent)
    return hotline_agent


def push(anon_api_client, system, **body):
    key, secret = system[0].key, system[1]
    r = anon_api_client.post(
        "/api/v1/phone/push",
        {"event": "ringing", **body},
        HTTP_X_PHONE_SYSTEM=key,
        HTTP_X_PHONE_SECRET=secret,
    )
    assert r.status_code == 200, r.content
    return r.json()["call"]


def html(response) -> str:
    return response.content.decode()


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def since() -> int:
    return int(time.time()) - 5


# ---- permissions of every page and endpoint -----------------------------------------------

GET_URLS = [
    ("hotline:desk", {}),
    ("hotline:incoming", {"since": "0"}),
    ("hotline:card", {"number": "13812345678"}),
    ("hotline:people", {"q": "zs"}),
    ("hotline:suggest", {"description": "水管漏水"}),
    ("hotline:scripts", {}),
    ("hotline:calls", {}),
    ("hotline:call_log", {}),
    ("hotline:callbacks", {}),
    ("hotline:stats", {}),
    ("hotline:kb", {}),
    ("hotline:kb_panel", {"q": "漏水"}),
]


@pytest.mark.parametrize(("name", "params"), GET_URLS)
def test_every_page_needs_login(client, name, params):
    assert_login_redirect(client.get(reverse(name), params))


@pytest.mark.parametrize(("name", "params"), GET_URLS)
def test_every_page_and_partial_refuses_a_user_without_the_desk(client, nobody, name, params):
    client.force_login(nobody)
    assert client.get(reverse(name), params, **HTMX).status_code == 403


@pytest.mark.parametrize(
    "name",
    ["hotline:extension", "hotline:attach", "hotline:ticket_create", "hotline:callback_schedule"],
)
def test_every_post_endpoint_refuses_a_user_without_the_desk(client, nobody, owner, name):
    client.force_login(nobody)
    r = client.post(reverse(name), {"number": "13812345678", "person": owner.id}, **HTMX)
    assert r.status_code == 403


@pytest.mark.parametrize(("name", "params"), GET_URLS)
def test_department_staff_may_use_the_desk_by_policy(client, engineer, owner, name, params):
    client.force_login(engineer)
    assert client.get(reverse(name), params, **HTMX).status_code in (200, 204)


# ---- the desk page, the extension ---------------------------------------------------------


def test_desk_page_shows_extension_and_due_callbacks(client, agent, office):
    callback_schedule(
        actor=agent,
        office=office,
        number="13812345678",
        due_at=timezone.now() - timedelta(minutes=5),
        reason="答复维修进度",
    )
    r = client.get(reverse("hotline:desk"))
    assert r.status_code == 200
    page = html(r)
    assert 'value="8001"' in page
    assert 'hx-trigger="every 2s"' in page and reverse("hotline:incoming") in page
    assert "due-badge" in page and "count-badge" in page
    assert 'id="ticket-form"' in page and "autofocus" in page


def test_extension_is_saved_for_this_user_only(client, agent, receptionist):
    r = client.post(reverse("hotline:extension"), {"extension": "8002"}, **HTMX)
    assert r.status_code == 200 and "8002" in html(r)
    agent.refresh_from_db()
    assert agent.extension == "8002"
    # Another agent may not take an extension in use: pushed calls would go to either.
    client.force_login(receptionist)
    r = client.post(reverse("hotline:extension"), {"extension": "8002"}, **HTMX)
    assert "errors" in html(r)
    receptionist.refresh_from_db()
    assert receptionist.extension == ""


# ---- screen-pop --------------------------------------------------------------------------------


def test_incoming_poll_pops_the_card_of_a_call_to_my_extension(
    client, agent, anon_api_client, phone_system, owner
):
    url = reverse("hotline:incoming")
    assert client.get(url, {"since": since(), "last": ""}, **HTMX).status_code == 204
    call_id = push(anon_api_client, phone_system, number="13812345678", extension="8001")
    r = client.get(url, {"since": since(), "last": ""}, **HTMX)
    assert r.status_code == 200
    page = html(r)
    assert "张三" in page and "3-2-301" in page and "138****5678" in page
    assert f"last={call_id}" in page  # the next poll will not pop it again
    assert re.search(r'<section id="caller"[^>]*hx-swap-oob="true"', page)
    assert f'name="call" value="{call_id}"' in page  # the ticket form carries the call
    assert client.get(url, {"since": since(), "last": call_id}, **HTMX).status_code == 204


def test_incoming_poll_does_not_wipe_a_request_being_typed(
    client, agent, anon_api_client, phone_system, owner
):
    call_id = push(anon_api_client, phone_system, number="13812345678", extension="8001")
    r = client.get(
        reverse("hotline:incoming"), {"since": since(), "description": "楼上漏水"}, **HTMX
    )
    page = html(r)
    assert "ring-notice" in page and "138****5678" in page and "张三" in page
    assert 'id="caller"' not in page  # the form being typed stays
    assert f"last={call_id}" in page and f"call={call_id}" in page


def test_incoming_poll_ignores_another_extension_and_another_office(
    client, agent, anon_api_client, phone_system, phone_system2, owner, person_in_office2
):
    url = reverse("hotline:incoming")
    push(anon_api_client, phone_system2, number="13912345678")  # office A2: not mine
    push(anon_api_client, phone_system, number="13812345678", extension="8009")  # someone else
    assert client.get(url, {"since": since()}, **HTMX).status_code == 204


def test_incoming_poll_pops_a_call_for_nobody_in_particular(
    client, agent, anon_api_client, phone_system, owner
):
    push(anon_api_client, phone_system, number="13812345678")
    r = client.get(reverse("hotline:incoming"), {"since": since()}, **HTMX)
    assert r.status_code == 200 and "张三" in html(r)


def test_incoming_poll_does_not_pop_calls_from_before_the_page(
    client, agent, anon_api_client, phone_system, owner
):
    push(anon_api_client, phone_system, number="13812345678", extension="8001")
    later = int(time.time()) + 5
    assert client.get(reverse("hotline:incoming"), {"since": later}, **HTMX).status_code == 204


# ---- the caller's card --------------------------------------------------------------------


def test_card_shows_everything_staff_must_see(client, agent, owner, community):
    owner.address_as = "张老师"
    owner.special_needs = "独居老人,行动不便"
    owner.key_client = True
    owner.attitude = "adverse"
    owner.save()
    open_ticket = TicketFactory(community=community, person=owner, title="门禁卡失灵")
    r = client.get(reverse("hotline:card"), {"number": "138 1234 5678"}, **HTMX)
    page = html(r)
    assert "张老师" in page and "caller-address" in page
    assert "独居老人" in page and "needs-banner" in page
    assert "badge key" in page and "attitude-adverse" in page
    assert "翠湖花园" in page and "3-2-301" in page
    assert open_ticket.title in page and "status-new" in page
    assert "138****5678" in page and "13812345678" not in page.replace('value="13812345678"', "")
    # the one unit is preselected in the ticket form
    unit_id = owner.unit_links.get().unit_id
    assert f'value="{owner.id}:{unit_id}" selected' in page


def test_card_for_a_shared_number_shows_each_person(client, agent, office, unit):
    PersonFactory(office=office, name="周敏", phones=["13700001111"], units=[unit])
    PersonFactory(office=office, name="周杰", phones=["13700001111"], units=[unit])
    page = html(client.get(reverse("hotline:card"), {"number": "13700001111"}, **HTMX))
    assert "周敏" in page and "周杰" in page
    assert "shared-note" in page and "pick-caller" in page
    assert "optgroup" in page  # the ticket form asks which of them is calling


def test_card_of_an_unknown_number_offers_search(client, agent, person_in_office2):
    # 李四's number is of another office: the agent must not learn who it is.
    page = html(client.get(reverse("hotline:card"), {"number": "13912345678"}, **HTMX))
    assert "李四" not in page
    assert "unknown-card" in page and reverse("hotline:people") in page


def test_card_of_another_offices_call_is_404(client, agent, anon_api_client, phone_system2):
    call_id = push(anon_api_client, phone_system2, number="13912345678")
    assert client.get(reverse("hotline:card"), {"call": call_id}, **HTMX).status_code == 404
    assert client.get(reverse("hotline:desk"), {"call": call_id}).status_code == 404


def test_card_of_a_bad_number_says_so(client, agent):
    page = html(client.get(reverse("hotline:card"), {"number": "12"}, **HTMX))
    assert "form-errors" in page


def test_people_search_by_unit_and_pinyin_initials(client, agent, owner, person_in_office2):
    for q in ("3-2-301", "zs", "张三"):
        page = html(client.get(reverse("hotline:people"), {"q": q, "number": "13999999999"}))
        assert "张三" in page and reverse("hotline:attach") in page, q
    page = html(client.get(reverse("hotline:people"), {"q": "ls", "number": "13999999999"}))
    assert "李四" not in page


def test_attaching_the_number_to_a_person(
    client, agent, anon_api_client, phone_system, owner, hotline_agent
):
    call_id = push(anon_api_client, phone_system, number="13999999999", extension="8001")
    r = client.post(reverse("hotline:attach"), {"person": owner.id, "call": call_id}, **HTMX)
    assert r.status_code == 200
    assert set(owner.phones.values_list("number", flat=True)) == {"13812345678", "13999999999"}
    event = PersonEvent.objects.get(person=owner, kind=PersonEvent.Kind.PHONES_CHANGED)
    assert event.actor == hotline_agent
    assert Call.objects.get(id=call_id).person == owner
    assert "张三" in html(r) and "unknown-card" not in html(r)  # the card is now known


def test_attaching_a_typed_number(client, agent, owner):
    r = client.post(reverse("hotline:attach"), {"person": owner.id, "number": "13999999999"})
    assert r.status_code == 302
    assert PersonPhone.objects.filter(person=owner, number="13999999999").exists()


def test_attaching_to_another_offices_person_is_404(client, agent, person_in_office2):
    r = client.post(
        reverse("hotline:attach"), {"person": person_in_office2.id, "number": "13999999999"}
    )
    assert r.status_code == 404
    assert not PersonPhone.objects.filter(number="13999999999").exists()


def test_attaching_needs_the_right_to_change_people(client, quality, owner):
    client.force_login(quality)  # may use the desk, may not change a person
    r = client.post(reverse("hotline:attach"), {"person": owner.id, "number": "13999999999"})
    assert r.status_code == 403
    assert not PersonPhone.objects.filter(number="13999999999").exists()


# ---- category suggestion, scripts and articles while typing ------------------------------------


def test_suggestion_preselects_the_category_and_shows_the_department(
    client, agent, owner, engineering
):
    unit_id = owner.unit_links.get().unit_id
    kb.article_create(
        actor=agent,
        category="water",
        title="厨房水管破裂漏水",
        problem="水管爆裂",
        solution="先关总阀",
    )
    r = client.get(
        reverse("hotline:suggest"),
        {
            "description": "厨房水管漏水,水都流到客厅了",
            "unit": f"{owner.id}:{unit_id}",
            "category": "other",
        },
        **HTMX,
    )
    assert r.status_code == 200
    page = html(r)
    assert '<option value="water" selected>' in page
    assert "工程部" in page
    assert 'id="kb-articles" hx-swap-oob="true"' in page and "厨房水管破裂漏水" in page


def test_suggestion_keeps_a_category_picked_by_hand(client, agent, owner, engineering):
    r = client.get(
        reverse("hotline:suggest"),
        {"description": "厨房水管漏水", "category": "fees", "category_touched": "1"},
        **HTMX,
    )
    assert '<option value="fees" selected>' in html(r)


def test_scripts_put_an_open_incident_at_the_callers_building_first(
    client, agent, office, community, building, owner, office_manager
):
    Script.objects.create(company=office.company, category="water", title="报修话术", text="请问")
    incident = Incident.objects.create(
        company=office.company,
        office=office,
        kind="water",
        title="3号楼停水",
        started_at=timezone.now() - timedelta(hours=1),
        resident_text="3号楼临时停水,预计下午五点恢复",
        created_by=office_manager,
    )
    incident.communities.add(community)
    incident.buildings.add(building)
    unit_id = owner.unit_links.get().unit_id
    page = html(
        client.get(
            reverse("hotline:scripts"),
            {"unit": f"{owner.id}:{unit_id}", "category": "water"},
            **HTMX,
        )
    )
    assert page.index("临时停水") < page.index("报修话术")
    # the card's side panel already shows it
    page = html(client.get(reverse("hotline:desk"), {"number": "13812345678"}))
    assert "临时停水" in page


def test_helped_button_counts(client, agent, receptionist):
    article = kb.article_create(
        actor=receptionist, category="water", title="停水", problem="停水", solution="查公告"
    )
    r = client.post(reverse("hotline:kb_helped", args=[article.id]), **HTMX)
    assert r.status_code == 200 and "helped-done" in html(r)
    article.refresh_from_db()
    assert article.helped == 1


# ---- the ticket form -----------------------------------------------------------------------


def test_ticket_from_a_pushed_call_is_linked_to_the_call(
    client, agent, anon_api_client, phone_system, owner, engineering
):
    call_id = push(anon_api_client, phone_system, number="13812345678", extension="8001")
    unit_id = owner.unit_links.get().unit_id
    r = client.post(
        reverse("hotline:ticket_create"),
        {
            "call": call_id,
            "unit": f"{owner.id}:{unit_id}",
            "description": "厨房水管漏水,水都流到客厅了",
            "kind": "repair",
            "category": "water",
        },
        **HTMX,
    )
    assert r.status_code == 200, html(r)
    ticket = Ticket.objects.get()
    assert (ticket.person, ticket.unit_id, ticket.channel) == (owner, unit_id, "hotline")
    assert (ticket.category, ticket.department, ticket.kind) == ("water", engineering, "repair")
    assert ticket.title == "厨房水管漏水"  # the first words of the description
    call = Call.objects.get(id=call_id)
    assert (call.ticket, call.outcome, call.agent) == (ticket, "answered", agent)
    page = html(r)
    assert ticket.number in page and reverse("tickets:detail", args=[ticket.id]) in page
    assert reverse("hotline:callback_schedule") in page  # the call-back mini form


def test_ticket_for_a_typed_number_logs_the_call(client, agent, owner, engineering):
    unit_id = owner.unit_links.get().unit_id
    r = client.post(
        reverse("hotline:ticket_create"),
        {
            "number": "13812345678",
            "unit": f"{owner.id}:{unit_id}",
            "description": "楼道灯不亮",
            "title": "3号楼楼道灯坏",
            "kind": "repair",
            "category": "electricity",
            "emergency": "on",
        },
        **HTMX,
    )
    assert r.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.title == "3号楼楼道灯坏" and ticket.emergency
    call = Call.objects.get()
    assert (call.ticket, call.person, call.direction, call.outcome) == (
        ticket,
        owner,
        "in",
        "answered",
    )


def test_ticket_for_a_known_caller_about_another_unit(client, agent, owner, building, engineering):
    from estate.tests.factories import UnitFactory

    other = UnitFactory(building=building, entrance="1", room="101", number="3-1-101")
    unit_id = owner.unit_links.get().unit_id
    r = client.post(
        reverse("hotline:ticket_create"),
        {
            "number": "13812345678",
            "unit": f"{owner.id}:{unit_id}",
            "unit_number": "3-1-101",
            "description": "父母家漏水",
            "kind": "repair",
            "category": "water",
        },
        **HTMX,
    )
    assert r.status_code == 200
    assert Ticket.objects.get().unit == other and Ticket.objects.get().person == owner


def test_ticket_without_a_caller_by_unit_number(client, agent, owner, community, unit):
    r = client.post(
        reverse("hotline:ticket_create"),
        {
            "community": community.id,
            "unit_number": "3-2-301",
            "description": "咨询物业费",
            "kind": "inquiry",
            "category": "fees",
        },
        **HTMX,
    )
    assert r.status_code == 200
    ticket = Ticket.objects.get()
    assert (ticket.unit, ticket.person, ticket.kind) == (unit, None, "inquiry")
    assert not Call.objects.exists()


def test_ticket_form_errors_are_shown_in_place(client, agent, owner, community):
    r = client.post(
        reverse("hotline:ticket_create"),
        {"community": community.id, "unit_number": "9-9-999", "description": "", "kind": "repair"},
        **HTMX,
    )
    assert r.status_code == 200  # htmx swaps the form with its errors in
    assert "errors" in html(r) and 'id="ticket-form"' in html(r)
    assert not Ticket.objects.exists()
    r = client.post(
        reverse("hotline:ticket_create"),
        {
            "community": community.id,
            "unit_number": "9-9-999",
            "description": "漏水",
            "kind": "repair",
            "category": "water",
        },
        **HTMX,
    )
    assert "errors" in html(r) and not Ticket.objects.exists()


def test_ticket_on_another_offices_call_is_404(
    client, agent, anon_api_client, phone_system2, community
):
    call_id = push(anon_api_client, phone_system2, number="13912345678")
    r = client.post(
        reverse("hotline:ticket_create"),
        {"call": call_id, "community": community.id, "description": "漏水", "kind": "repair"},
        **HTMX,
    )
    assert r.status_code == 404 and not Ticket.objects.exists()


def test_callback_scheduled_after_the_ticket(
    client, agent, anon_api_client, phone_system, owner, community
):
    call_id = push(anon_api_client, phone_system, number="13812345678", extension="8001")
    ticket = TicketFactory(community=community, person=owner)
    due = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        reverse("hotline:callback_schedule"),
        {
            "from_desk": "1",
            "call": call_id,
            "ticket": ticket.id,
            "person": owner.id,
            "due_at": due,
            "reason": "回复维修进度",
        },
        **HTMX,
    )
    assert r.status_code == 200 and "done-callback" in html(r)
    callback = CallBack.objects.get()
    assert (callback.number, callback.ticket, callback.person, callback.agent) == (
        "13812345678",
        ticket,
        owner,
        agent,
    )


# ---- call log --------------------------------------------------------------------------------


def _calls(actor, office, owner, ticket, n, start):
    for i in range(n):
        call_log(
            actor=actor,
            office=office,
            direction="in" if i % 2 else "out",
            number="13812345678",
            outcome="answered",
            started_at=start + timedelta(minutes=i),
            duration_s=95,
            person=owner,
            ticket=ticket,
        )


def test_call_list_shows_calls_masked_and_filters(
    client, agent, receptionist, office, owner, community
):
    ticket = TicketFactory(community=community, person=owner)
    day = datetime(2026, 11, 23, 9, 0, tzinfo=SH)
    _calls(agent, office, owner, ticket, 2, day)
    _calls(receptionist, office, owner, None, 1, day + timedelta(days=1))
    page = html(client.get(reverse("hotline:calls")))
    assert "138****5678" in page and "13812345678" not in page
    assert "张三" in page and ticket.number in page and "1:35" in page
    r = client.get(reverse("hotline:calls"), {"agent": agent.id})
    assert len(r.context["page"]) == 2
    r = client.get(reverse("hotline:calls"), {"day": "2026-11-24"}, **HTMX)
    assert len(r.context["page"]) == 1 and 'id="results"' in html(r)


def test_call_list_of_another_office_is_empty(client, hotline_agent, office2_manager, office):
    call_log(
        actor=hotline_agent, office=office, direction="in", number="13812345678", outcome="missed"
    )
    client.force_login(office2_manager)
    assert len(client.get(reverse("hotline:calls")).context["page"]) == 0


def test_call_list_query_count_does_not_grow_with_the_page(client, agent, office, owner, community):
    ticket = TicketFactory(community=community, person=owner)
    start = timezone.now() - timedelta(hours=3)
    _calls(agent, office, owner, ticket, 2, start)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("hotline:calls")).status_code == 200
    _calls(agent, office, owner, ticket, 20, start + timedelta(hours=1))
    with CaptureQueriesContext(connection) as many:
        r = client.get(reverse("hotline:calls"))
    assert len(r.context["page"]) == 22
    assert len(many) == len(few)


def test_log_a_call_by_hand(client, agent, office, owner):
    r = client.post(
        reverse("hotline:call_log"),
        {
            "office": office.id,
            "direction": "out",
            "number": "138-1234-5678",
            "outcome": "answered",
            "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "duration_min": "2.5",
            "note": "回访",
        },
    )
    assert r.status_code == 302, html(r)
    call = Call.objects.get()
    assert (call.direction, call.duration_s, call.person, call.agent) == ("out", 150, owner, agent)


def test_log_a_call_for_another_office_is_refused(client, agent, office2):
    r = client.post(
        reverse("hotline:call_log"),
        {
            "office": office2.id,
            "direction": "in",
            "number": "13812345678",
            "outcome": "answered",
            "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 400 and not Call.objects.exists()  # not a choice for this user


# ---- call-backs ---------------------------------------------------------------------------------


def test_callbacks_list_mine_and_missed_calls_with_due_marks(
    client, agent, receptionist, anon_api_client, phone_system, office
):
    push(anon_api_client, phone_system, number="13812345678", event="missed")
    callback_schedule(
        actor=agent,
        office=office,
        number="13700001111",
        due_at=timezone.now() + timedelta(days=1),
        reason="明天回电",
    )
    callback_schedule(
        actor=receptionist,
        office=office,
        number="13700002222",
        due_at=timezone.now(),
        reason="前台的回电",
    )
    page = html(client.get(reverse("hotline:callbacks")))
    assert "明天回电" in page and "前台的回电" not in page
    assert "badge overdue" in page  # the missed call
    assert "138****5678" in page and "137****1111" in page
    assert "前台的回电" in html(client.get(reverse("hotline:callbacks"), {"all": "1"}))


def test_callback_done(client, agent, office):
    callback = callback_schedule(
        actor=agent, office=office, number="13812345678", due_at=timezone.now(), reason="回电"
    )
    r = client.post(reverse("hotline:callback_done", args=[callback.id]), **HTMX)
    assert r.status_code == 200 and html(r) == ""
    callback.refresh_from_db()
    assert callback.done_at is not None


def test_callback_of_another_office_is_404(client, agent, office2_manager, office2):
    callback = callback_schedule(
        actor=office2_manager,
        office=office2,
        number="13812345678",
        due_at=timezone.now(),
        reason="回电",
    )
    assert client.post(reverse("hotline:callback_done", args=[callback.id])).status_code == 404
    assert client.post(reverse("hotline:callback_reveal", args=[callback.id])).status_code == 404
    callback.refresh_from_db()
    assert callback.done_at is None


def test_callback_schedule_on_the_page(client, agent, owner):
    due = (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        reverse("hotline:callback_schedule"),
        {"number": "13812345678", "due_at": due, "reason": "答复停水时间"},
    )
    assert r.status_code == 302
    assert CallBack.objects.get().person == owner  # found by the number
    r = client.post(reverse("hotline:callback_schedule"), {"number": "", "due_at": due})
    assert r.status_code == 400


def test_callback_number_revealed_to_dial_is_logged(client, agent, office, engineer):
    callback = callback_schedule(
        actor=agent, office=office, number="13812345678", due_at=timezone.now(), reason="回电"
    )
    r = client.post(reverse("hotline:callback_reveal", args=[callback.id]), **HTMX)
    assert "tel:13812345678" in html(r)
    assert AccessLog.objects.filter(user=agent, object_type="callback", field="phone").exists()
    client.force_login(engineer)  # department staff may not see phones in full
    assert client.post(reverse("hotline:callback_reveal", args=[callback.id])).status_code == 403


# ---- statistics ------------------------------------------------------------------------------


def test_stats_per_agent_office_and_hour(client, agent, office, owner):
    day = datetime(2026, 11, 23, 9, 15, tzinfo=SH)
    for i, outcome in enumerate(["answered", "answered", "missed"]):
        call_log(
            actor=agent,
            office=office,
            direction="in",
            number="13812345678",
            outcome=outcome,
            started_at=day + timedelta(hours=i),
            duration_s=60 * (i + 1),
        )
    r = client.get(
        reverse("hotline:stats"), {"start": "2026-11-23", "end": "2026-11-23", "office": ""}
    )
    assert r.status_code == 200
    (row,) = r.context["result"]["per_agent"]
    assert (row["total"], row["answered"], row["missed"], row["avg"]) == (3, 2, 1, "1:30")
    assert r.context["result"]["per_hour"][9:12] == [1, 1, 1]
    page = html(r)
    assert page.count("<svg") == 3 and "翠湖物业服务处" in page


def test_stats_of_another_office_show_nothing(client, hotline_agent, office2_manager, office):
    call_log(
        actor=hotline_agent, office=office, direction="in", number="13812345678", outcome="missed"
    )
    client.force_login(office2_manager)
    today = timezone.localdate().isoformat()
    r = client.get(reverse("hotline:stats"), {"start": today, "end": today})
    assert r.context["result"]["per_agent"] == []


def test_stats_refuse_an_upside_down_range(client, agent):
    r = client.get(reverse("hotline:stats"), {"start": "2026-11-23", "end": "2026-11-01"})
    assert r.context["result"] is None and "errors" in html(r)


# ---- knowledge base ----------------------------------------------------------------------------


@pytest.fixture
def articles(receptionist):
    return [
        kb.article_create(
            actor=receptionist,
            category="water",
            title="厨房水管破裂漏水",
            problem="业主家厨房水管爆裂,水漫到客厅",
            solution="先关总阀,再通知工程部",
        ),
        kb.article_create(
            actor=receptionist,
            category="lift",
            title="电梯困人应急处置",
            problem="电梯停在两层之间",
            solution="安抚被困人员,通知维保单位",
        ),
    ]


def test_kb_search_in_chinese_words(client, agent, articles):
    r = client.get(reverse("hotline:kb"), {"q": "我家水管漏水了怎么办"})
    assert r.status_code == 200
    assert r.context["articles"][0].title == "厨房水管破裂漏水"
    r = client.get(reverse("hotline:kb"), {"q": "电梯"}, **HTMX)
    assert [a.title for a in r.context["articles"]] == ["电梯困人应急处置"]


def test_kb_detail_and_another_companys_article(client, agent, articles, other_company_admin):
    assert client.get(reverse("hotline:kb_detail", args=[articles[0].id])).status_code == 200
    theirs = kb.article_create(
        actor=other_company_admin, category="water", title="别家", problem="p", solution="s"
    )
    assert client.get(reverse("hotline:kb_detail", args=[theirs.id])).status_code == 404
    assert client.post(reverse("hotline:kb_helped", args=[theirs.id])).status_code == 404


def test_kb_create_and_edit(client, agent, office):
    r = client.post(
        reverse("hotline:kb_create"),
        {
            "category": "water",
            "title": "停水通知",
            "problem": "业主问何时来水",
            "solution": "查看公告",
            "office": office.id,
        },
    )
    assert r.status_code == 302
    article = Article.objects.get()
    assert (article.office, article.created_by) == (office, agent)
    r = client.post(
        reverse("hotline:kb_edit", args=[article.id]),
        {"category": "water", "title": "停水何时恢复", "problem": "何时来水", "solution": "看公告"},
    )
    assert r.status_code == 302
    article.refresh_from_db()
    assert article.title == "停水何时恢复" and " 恢复 " in article.search_text


def test_kb_editing_needs_the_right(client, engineer, articles):
    client.force_login(engineer)  # department staff read the knowledge base, do not edit it
    assert client.get(reverse("hotline:kb_detail", args=[articles[0].id])).status_code == 200
    assert client.get(reverse("hotline:kb_create")).status_code == 403
    assert client.get(reverse("hotline:kb_edit", args=[articles[0].id])).status_code == 403
    assert client.post(reverse("hotline:kb_from_ticket"), {"ticket": 1}).status_code == 403


def test_kb_from_a_resolved_ticket(client, agent, community):
    ticket = TicketFactory(
        community=community,
        status="resolved",
        title="楼道灯不亮",
        description="3号楼2单元楼道灯坏了",
        resolution="更换声控灯泡",
        category="electricity",
        resolved_at=timezone.now(),
    )
    r = client.post(reverse("hotline:kb_from_ticket"), {"ticket": ticket.id})
    article = Article.objects.get()
    assert r.status_code == 302 and r.url == reverse("hotline:kb_detail", args=[article.id])
    assert (article.source_ticket, article.solution) == (ticket, "更换声控灯泡")


def test_kb_from_an_open_ticket_is_refused(client, agent, community):
    ticket = TicketFactory(community=community, status="assigned")
    r = client.post(reverse("hotline:kb_from_ticket"), {"ticket": ticket.id})
    assert r.status_code == 302 and r.url == reverse("tickets:detail", args=[ticket.id])
    assert not Article.objects.exists()


def test_kb_from_another_offices_ticket_is_404(client, agent, community2):
    ticket = TicketFactory(community=community2, status="resolved", resolution="已处理")
    assert client.post(reverse("hotline:kb_from_ticket"), {"ticket": ticket.id}).status_code == 404


def test_resolved_ticket_offers_the_knowledge_base_button(
    client, receptionist, engineer, community
):
    from django.utils import timezone

    from tickets.tests.factories import TicketFactory

    ticket = TicketFactory(
        community=community, status="resolved", resolution="更换灯泡", resolved_at=timezone.now()
    )
    url = reverse("tickets:detail", args=[ticket.id])
    client.force_login(receptionist)
    assert reverse("hotline:kb_from_ticket") in client.get(url).content.decode()
    client.force_login(engineer)  # staff do not edit the knowledge base
    assert reverse("hotline:kb_from_ticket") not in client.get(url).content.decode()
