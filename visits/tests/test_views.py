"""Staff pages of return visits: the work lists, the visit page, recording and correcting
with the owner's signature or SMS code, reassigning, planning a routine visit.

Each view has a positive test and its denials: anonymous → login, another office →
404 (never 403, never leaked), a user who may not act → 403 and nothing offered on
the page.
"""

import base64
import re
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.models import SmsMessage
from estate.tests.factories import BuildingFactory, PersonFactory, UnitFactory
from org.tests.factories import UserFactory
from tickets.models import Ticket
from tickets.services import ticket_resolve
from tickets.tests.factories import TicketFactory
from visits import services
from visits.models import ReturnVisit, SignatureCode, VisitRecord

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
HTMX = {"HTTP_HX_REQUEST": "true"}
# A tiny real PNG (1×1): what the signature canvas sends, in miniature.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
PNG_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.fixture
def cs_staff(company, office, cs_department):
    """Customer-service staff: the visits of complaints go to them."""
    return UserFactory(
        company=company,
        roles=["staff"],
        offices=[office],
        departments=[cs_department],
        username="cs1",
        name="客服小李",
    )


def make_visit(actor, community, person, unit, *, when=None, title="厨房水管漏水", **ticket):
    """A visit planned the way the system plans one: by resolving a complaint."""
    when = when or timezone.now()
    fields = {"kind": "complaint", **ticket}
    t = TicketFactory(
        community=community,
        status="in_progress",
        person=person,
        unit=unit,
        title=title,
        received_at=when - timedelta(days=1),
        **fields,
    )
    with time_machine.travel(when, tick=False):
        ticket_resolve(ticket_id=t.id, actor=actor, resolution="已更换水管接头，现场试水无渗漏")
    return ReturnVisit.objects.get(ticket=t)


@pytest.fixture
def visit(office_manager, community, owner, unit, cs_staff):
    return make_visit(office_manager, community, owner, unit)


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def html_of(response) -> str:
    return response.content.decode()


def ids(response) -> set[int]:
    return {v.id for v in response.context["page"]}


def list_url(**params) -> str:
    return reverse("visits:list") + ("?" + urlencode(params) if params else "")


def form_data(**extra) -> dict:
    return {
        "method": "face_to_face",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "quality": "维修质量好",
        "result": "漏水已止住",
        "satisfaction": "5",
        "shortcomings": "",
        "opinions": "希望以后提前电话预约",
        "qualified": "true",
        "confirm_by": "drawn",
        "signature": PNG_URL,
        **extra,
    }


# ---- the work lists ----------------------------------------------------------------------------


def test_list_needs_login(client):
    assert_login_redirect(client.get(reverse("visits:list")))


def test_today_shows_my_visits_with_ticket_person_and_unit(client, cs_staff, visit):
    client.force_login(cs_staff)
    response = client.get(reverse("visits:list"))
    assert response.status_code == 200
    assert response.context["tab"] == "today" and response.context["scope"] == "mine"
    assert ids(response) == {visit.id}
    html = html_of(response)
    assert "张三" in html and "138****5678" in html and "13812345678" not in html
    assert "3-2-301" in html and visit.ticket.number in html and "厨房水管漏水" in html
    assert reverse("tickets:detail", args=[visit.ticket_id]) in html
    assert reverse("visits:detail", args=[visit.id]) in html
    assert "投诉回访" in html  # the rule's name
    assert "客服小李" in html


def test_tabs_follow_the_clock(client, office_manager, community, owner, unit, cs_staff):
    now = datetime(2026, 11, 10, 10, 0, tzinfo=SH)
    overdue = make_visit(office_manager, community, owner, unit, when=now - timedelta(days=4))
    # resolved three days ago at 09:00: its window closed at 09:00 today
    closed_this_morning = make_visit(
        office_manager, community, owner, unit, when=now - timedelta(days=3, hours=1)
    )
    open_window = make_visit(office_manager, community, owner, unit, when=now - timedelta(days=1))
    upcoming = make_visit(
        office_manager,
        community,
        owner,
        unit,
        when=now - timedelta(days=1),
        kind="repair",
        area="common",
    )
    done = make_visit(office_manager, community, owner, unit, when=now - timedelta(days=1))
    client.force_login(cs_staff)
    with time_machine.travel(now - timedelta(hours=1), tick=False):
        client.post(reverse("visits:record", args=[done.id]), form_data())
    assert done.records.count() == 1

    with time_machine.travel(now, tick=False):
        tabs = {tab: ids(client.get(list_url(tab=tab))) for tab in ("today", "overdue", "upcoming", "done")}  # fmt: skip
        default = client.get(reverse("visits:list"))
    assert tabs["today"] == {closed_this_morning.id, open_window.id}
    assert tabs["overdue"] == {overdue.id, closed_this_morning.id}
    assert tabs["upcoming"] == {upcoming.id}
    assert tabs["done"] == {done.id}
    assert ids(default) == tabs["today"]
    counts = {key: count for key, _label, count, _href in default.context["tabs"]}
    assert counts == {"today": 2, "overdue": 2, "upcoming": 1, "done": 1}
    states = {v.id: v.state for v in default.context["page"]}
    assert states == {closed_this_morning.id: "overdue", open_window.id: "due"}


def test_a_visit_due_later_today_is_due_today(client, office_manager, community, owner, unit, cs_staff):  # fmt: skip
    resolved = datetime(2026, 11, 7, 16, 0, tzinfo=SH)  # window closes 10 Nov 16:00
    visit = make_visit(office_manager, community, owner, unit, when=resolved)
    client.force_login(cs_staff)
    with time_machine.travel(datetime(2026, 11, 10, 8, 0, tzinfo=SH), tick=False):
        assert ids(client.get(list_url(tab="today"))) == {visit.id}
    with time_machine.travel(datetime(2026, 11, 11, 8, 0, tzinfo=SH), tick=False):
        assert ids(client.get(list_url(tab="today"))) == set()
        assert ids(client.get(list_url(tab="overdue"))) == {visit.id}


def test_mine_by_default_and_the_whole_office_for_supervisors(
    client, office_manager, community, owner, unit, cs_staff, supervisor, engineer
):
    mine = make_visit(office_manager, community, owner, unit)
    theirs = make_visit(office_manager, community, owner, unit)
    services.visit_assign(visit_id=theirs.id, actor=supervisor, assignee=engineer)

    client.force_login(cs_staff)
    assert ids(client.get(list_url())) == {mine.id}
    # staff cannot switch: the scope stays theirs, and no switch is offered
    response = client.get(list_url(scope="office"))
    assert ids(response) == {mine.id} and response.context["scopes"] == []

    client.force_login(supervisor)
    assert ids(client.get(list_url())) == set()
    response = client.get(list_url(scope="office"))
    assert ids(response) == {mine.id, theirs.id}
    assert "scope=office" in html_of(response)


def test_supervisors_see_the_visits_nobody_will_make(
    client, company, office, office_manager, community, owner, unit, cs_staff, supervisor
):
    attended = make_visit(office_manager, community, owner, unit)
    orphaned = make_visit(office_manager, community, owner, unit)
    leaver = UserFactory(company=company, roles=["staff"], offices=[office])
    services.visit_assign(visit_id=orphaned.id, actor=supervisor, assignee=leaver)
    leaver.is_active = False
    leaver.save()
    unassigned = make_visit(office_manager, community, owner, unit)
    ReturnVisit.objects.filter(id=unassigned.id).update(assignee=None)

    client.force_login(supervisor)
    response = client.get(list_url(scope="unattended"))
    assert ids(response) == {orphaned.id, unassigned.id}
    assert "scope=unattended" in html_of(client.get(list_url(scope="office")))
    client.force_login(cs_staff)  # staff keep to their own list
    assert ids(client.get(list_url(scope="unattended"))) == {attended.id}


def test_filter_by_community_and_building(
    client, office_manager, community, building, owner, unit, cs_staff
):
    other_building = BuildingFactory(community=community, name="5号楼")
    other_unit = UnitFactory(building=other_building, number="5-1-101")
    neighbour = PersonFactory(office=community.office, name="王五", units=[other_unit])
    in_3 = make_visit(office_manager, community, owner, unit)
    in_5 = make_visit(office_manager, community, neighbour, other_unit)
    client.force_login(cs_staff)
    assert ids(client.get(list_url(community=community.id))) == {in_3.id, in_5.id}
    response = client.get(list_url(community=community.id, building=other_building.id))
    assert ids(response) == {in_5.id}
    # htmx: the results, with the building choices and tabs swapped out of band
    partial = html_of(client.get(list_url(community=community.id, building=building.id), **HTMX))
    assert "<html" not in partial and 'id="building-field"' in partial
    assert 'id="visit-tabs"' in partial and "5-1-101" not in partial and "3-2-301" in partial


def test_another_office_sees_none_of_them(client, office2_manager, visit):
    client.force_login(office2_manager)
    assert ids(client.get(list_url(scope="office"))) == set()
    for tab in ("overdue", "upcoming", "done"):
        assert ids(client.get(list_url(scope="office", tab=tab))) == set()


@pytest.mark.parametrize("rows", [5, 30])
def test_list_queries_do_not_grow_with_rows(
    client, office_manager, community, owner, unit, cs_staff, rows, django_assert_num_queries
):
    for _i in range(rows):
        make_visit(office_manager, community, owner, unit)
    client.force_login(cs_staff)
    client.get(list_url())  # warm the per-process caches
    with django_assert_num_queries(11):
        response = client.get(list_url())
    assert len(response.context["page"]) == rows


def test_list_paginates_50_per_page(client, office_manager, community, owner, unit, cs_staff):
    for _i in range(51):
        make_visit(office_manager, community, owner, unit)
    client.force_login(cs_staff)
    first = client.get(list_url())
    assert len(first.context["page"]) == 50 and "page=2" in html_of(first)
    assert len(client.get(list_url(page=2)).context["page"]) == 1


# ---- the visit page ------------------------------------------------------------------------------


def test_visit_page_shows_what_it_is_about_and_the_actions(client, cs_staff, visit):
    client.force_login(cs_staff)
    response = client.get(reverse("visits:detail", args=[visit.id]))
    assert response.status_code == 200
    html = html_of(response)
    assert visit.ticket.number in html and "厨房水管漏水" in html
    assert "已更换水管接头，现场试水无渗漏" in html
    assert "张三" in html and "138****5678" in html and "13812345678" not in html
    assert "3-2-301" in html
    assert reverse("visits:record", args=[visit.id]) in html
    assert reverse("visits:send_code", args=[visit.id]) in html
    assert reverse("visits:sheet_pdf", args=[visit.id]) in html
    assert reverse("visits:assign", args=[visit.id]) not in html  # staff do not reassign
    assert "/admin/core/smsmessage/" not in html  # the outbox hint is for company admins


def test_visit_page_denials(client, office2_manager, visit):
    url = reverse("visits:detail", args=[visit.id])
    assert_login_redirect(client.get(url))
    client.force_login(office2_manager)
    assert client.get(url).status_code == 404


def test_someone_who_may_not_record_gets_no_form(client, engineer, visit):
    client.force_login(engineer)
    response = client.get(reverse("visits:detail", args=[visit.id]))
    assert response.status_code == 200
    html = html_of(response)
    assert reverse("visits:record", args=[visit.id]) not in html
    assert reverse("visits:send_code", args=[visit.id]) not in html
    assert client.get(reverse("visits:record", args=[visit.id])).status_code == 403
    assert client.post(reverse("visits:record", args=[visit.id]), form_data()).status_code == 403
    assert client.post(reverse("visits:send_code", args=[visit.id]), **HTMX).status_code == 403
    assert not VisitRecord.objects.exists() and not SmsMessage.objects.exists()


def test_company_admin_is_told_where_the_demo_sms_goes(client, company_admin, visit):
    client.force_login(company_admin)
    html = html_of(client.get(reverse("visits:detail", args=[visit.id])))
    assert "/admin/core/smsmessage/" in html


# ---- recording ------------------------------------------------------------------------------------


def test_record_with_a_drawn_signature(client, cs_staff, visit):
    client.force_login(cs_staff)
    form = client.get(reverse("visits:record", args=[visit.id]))
    assert form.status_code == 200
    html = html_of(form)
    assert "<canvas" in html and "js/signature.js" in html and 'name="signature"' in html
    response = client.post(reverse("visits:record", args=[visit.id]), form_data())
    assert response.status_code == 302
    assert response.url == reverse("visits:detail", args=[visit.id])
    record = VisitRecord.objects.get(visit=visit)
    assert bytes(record.signature_image) == PNG and record.signature_kind == "drawn"
    assert (record.satisfaction, record.qualified, record.recorded_by) == (5, True, cs_staff)

    page = html_of(client.get(response.url))
    signature_url = reverse("visits:signature", args=[visit.id, 1])
    assert f'src="{signature_url}"' in page
    assert "希望以后提前电话预约" in page and record.content_hash[:12] in page
    assert reverse("visits:correct", args=[visit.id]) in page
    image = client.get(signature_url)
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert image.content == PNG
    # Recorded once: the record URL now leads to the correction form.
    again = client.get(reverse("visits:record", args=[visit.id]))
    assert again.status_code == 302 and again.url == reverse("visits:correct", args=[visit.id])


def test_signature_image_is_scoped(client, cs_staff, office2_manager, visit):
    client.force_login(cs_staff)
    client.post(reverse("visits:record", args=[visit.id]), form_data())
    url = reverse("visits:signature", args=[visit.id, 1])
    client.logout()
    assert_login_redirect(client.get(url))
    client.force_login(office2_manager)
    assert client.get(url).status_code == 404
    client.force_login(cs_staff)
    assert client.get(reverse("visits:signature", args=[visit.id, 2])).status_code == 404


def test_no_image_for_a_record_confirmed_by_sms(client, cs_staff, visit):
    client.force_login(cs_staff)
    client.post(reverse("visits:send_code", args=[visit.id]), **HTMX)
    code = re.search(r"\d{6}", SmsMessage.objects.get().text).group()
    client.post(
        reverse("visits:record", args=[visit.id]),
        form_data(confirm_by="sms_code", signature="", sms_code=code),
    )
    assert client.get(reverse("visits:signature", args=[visit.id, 1])).status_code == 404


def test_the_owner_must_confirm(client, cs_staff, visit):
    client.force_login(cs_staff)
    response = client.post(reverse("visits:record", args=[visit.id]), form_data(signature=""))
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"signature"}
    response = client.post(
        reverse("visits:record", args=[visit.id]), form_data(confirm_by="sms_code", signature="")
    )
    assert response.context["form"].errors.keys() == {"sms_code"}
    assert not VisitRecord.objects.exists()


def test_service_errors_show_next_to_their_inputs(client, cs_staff, visit):
    client.force_login(cs_staff)
    url = reverse("visits:record", args=[visit.id])
    not_png = "data:image/png;base64," + base64.b64encode(b"<svg onload=alert(1)>").decode()
    response = client.post(url, form_data(signature=not_png))
    assert response.status_code == 200
    assert "signature" in response.context["form"].errors
    # The drawing comes back to the page, so the owner need not sign again after a fix.
    assert not_png in html_of(response)
    before_ticket = (visit.ticket.received_at - timedelta(hours=1)).astimezone(SH)
    response = client.post(url, form_data(visited_at=before_ticket.strftime("%Y-%m-%dT%H:%M")))
    assert "visited_at" in response.context["form"].errors
    future = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    assert "visited_at" in client.post(url, form_data(visited_at=future)).context["form"].errors
    assert "satisfaction" in client.post(url, form_data(satisfaction="6")).context["form"].errors
    assert not VisitRecord.objects.exists()


def test_an_earlier_visit_time_is_kept(client, cs_staff, visit):
    client.force_login(cs_staff)
    earlier = timezone.localtime() - timedelta(hours=3)
    client.post(
        reverse("visits:record", args=[visit.id]),
        form_data(visited_at=earlier.strftime("%Y-%m-%dT%H:%M")),
    )
    record = VisitRecord.objects.get()
    assert record.visited_at == earlier.replace(second=0, microsecond=0)


def test_unqualified_record_reopens_the_ticket(client, cs_staff, visit):
    client.force_login(cs_staff)
    form = html_of(client.get(reverse("visits:record", args=[visit.id])))
    assert "unqualified-warning" in form and visit.ticket.number in form
    response = client.post(
        reverse("visits:record", args=[visit.id]),
        form_data(qualified="false", satisfaction="2", shortcomings="墙面仍有渗水"),
        follow=True,
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get(id=visit.ticket_id)
    assert ticket.status == "in_progress" and ticket.resolved_at is None
    visit.refresh_from_db()
    assert visit.qualified is False
    html = html_of(response)
    assert "墙面仍有渗水" in html and visit.ticket.number in html


def test_correction_is_version_2_and_keeps_version_1(client, cs_staff, office_manager, visit):
    client.force_login(cs_staff)
    client.post(reverse("visits:record", args=[visit.id]), form_data())
    first = VisitRecord.objects.get()
    url = reverse("visits:correct", args=[visit.id])
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"]["satisfaction"].value() == 5  # prefilled from version 1
    # a correction says why
    no_reason = client.post(url, form_data(satisfaction="4"))
    assert "reason" in no_reason.context["form"].errors
    # signing on screen was chosen: the owner must sign, or "not confirmed" be chosen
    unsigned = client.post(url, form_data(satisfaction="4", reason="满意度记录错误", signature=""))
    assert unsigned.context["form"].errors.keys() == {"signature"}
    response = client.post(
        url, form_data(satisfaction="4", reason="满意度记录错误", confirm_by="none", signature="")
    )
    assert response.status_code == 302
    assert list(visit.records.values_list("version", flat=True)) == [1, 2]
    second = VisitRecord.objects.get(version=2)
    first.refresh_from_db()
    assert (first.satisfaction, second.satisfaction, second.supersedes) == (5, 4, first)
    assert second.signature_kind == "" and second.correction_reason == "满意度记录错误"
    page = html_of(client.get(reverse("visits:detail", args=[visit.id])))
    assert 'id="record-v1"' in page and 'id="record-v2"' in page and "满意度记录错误" in page
    assert f'src="{reverse("visits:signature", args=[visit.id, 1])}"' in page
    # the correction form of a visit not recorded yet leads to the record form
    other = make_visit(office_manager, visit.ticket.community, visit.person, visit.unit)
    assert client.get(reverse("visits:correct", args=[other.id])).url == reverse(
        "visits:record", args=[other.id]
    )


def test_sms_code_flow(client, cs_staff, visit):
    client.force_login(cs_staff)
    sent = client.post(reverse("visits:send_code", args=[visit.id]), **HTMX)
    assert sent.status_code == 200
    assert "138****5678" in html_of(sent) and "<html" not in html_of(sent)
    sms = SmsMessage.objects.get()
    assert sms.phone == "13812345678"
    code = re.search(r"\d{6}", sms.text).group()
    wrong = "000000" if code != "000000" else "111111"
    url = reverse("visits:record", args=[visit.id])
    response = client.post(url, form_data(confirm_by="sms_code", signature="", sms_code=wrong))
    assert response.status_code == 200 and "sms_code" in response.context["form"].errors
    assert SignatureCode.objects.get().attempts == 1
    response = client.post(url, form_data(confirm_by="sms_code", signature="", sms_code=code))
    assert response.status_code == 302
    record = VisitRecord.objects.get()
    assert record.signature_kind == "sms_code" and record.signature_phone == "13812345678"
    assert not record.signature_image
    page = html_of(client.get(reverse("visits:detail", args=[visit.id])))
    assert "138****5678" in page and "13812345678" not in page


def test_send_code_without_htmx_returns_to_the_form(client, cs_staff, visit):
    client.force_login(cs_staff)
    response = client.post(reverse("visits:send_code", args=[visit.id]))
    assert response.status_code == 302
    assert response.url == reverse("visits:record", args=[visit.id])
    assert SmsMessage.objects.count() == 1


def test_send_code_denials(client, office2_manager, visit):
    url = reverse("visits:send_code", args=[visit.id])
    assert_login_redirect(client.post(url))
    client.force_login(office2_manager)
    assert client.post(url, **HTMX).status_code == 404
    assert not SmsMessage.objects.exists()


def test_record_denials(client, office2_manager, visit):
    url = reverse("visits:record", args=[visit.id])
    assert_login_redirect(client.get(url))
    client.force_login(office2_manager)
    assert client.get(url).status_code == 404
    assert client.post(url, form_data()).status_code == 404
    assert client.post(reverse("visits:correct", args=[visit.id]), form_data()).status_code == 404
    assert not VisitRecord.objects.exists()


def test_quality_may_record_a_visit_of_someone_else(client, quality, visit):
    client.force_login(quality)
    response = client.post(reverse("visits:record", args=[visit.id]), form_data())
    assert response.status_code == 302
    assert VisitRecord.objects.get().recorded_by == quality


# ---- reassigning -----------------------------------------------------------------------------------


def test_supervisor_reassigns(client, supervisor, engineer, visit):
    client.force_login(supervisor)
    page = html_of(client.get(reverse("visits:detail", args=[visit.id])))
    assert reverse("visits:assign", args=[visit.id]) in page
    response = client.post(reverse("visits:assign", args=[visit.id]), {"assignee": engineer.id})
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.assignee == engineer
    assert visit.events.filter(action="assign").exists()


def test_reassign_denials(client, cs_staff, engineer, office2_manager, visit):
    url = reverse("visits:assign", args=[visit.id])
    assert_login_redirect(client.post(url, {"assignee": engineer.id}))
    client.force_login(cs_staff)
    assert client.post(url, {"assignee": engineer.id}).status_code == 403
    client.force_login(office2_manager)
    assert client.post(url, {"assignee": office2_manager.id}).status_code == 404
    visit.refresh_from_db()
    assert visit.assignee == cs_staff


def test_reassign_only_to_staff_of_the_office(client, supervisor, office2_manager, visit):
    client.force_login(supervisor)
    client.post(reverse("visits:assign", args=[visit.id]), {"assignee": office2_manager.id})
    visit.refresh_from_db()
    assert visit.assignee != office2_manager


# ---- planning a routine visit ---------------------------------------------------------------------


def test_plan_a_festival_visit(client, cs_staff, community, owner, unit):
    client.force_login(cs_staff)
    form = client.get(reverse("visits:plan"))
    assert form.status_code == 200
    today = timezone.localdate()
    response = client.post(
        reverse("visits:plan"),
        {
            "purpose": "festival",
            "topic": "中秋慰问",
            "community": community.id,
            "unit_number": "3-2-301",
            "person": "",
            "due_from": today.isoformat(),
            "due_by": (today + timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 302, response.context and response.context["form"].errors
    visit = ReturnVisit.objects.get()
    assert response.url == reverse("visits:detail", args=[visit.id])
    assert (visit.purpose, visit.topic, visit.person, visit.unit) == ("festival", "中秋慰问", owner, unit)  # fmt: skip
    assert visit.assignee == cs_staff and visit.ticket is None
    assert timezone.localtime(visit.due_from).date() == today
    listed = client.get(list_url())
    assert visit.id in ids(listed) and "中秋慰问" in html_of(listed)


def test_plan_finds_the_people_of_the_unit(client, cs_staff, community, owner, unit):
    client.force_login(cs_staff)
    response = client.get(
        reverse("visits:plan"), {"community": community.id, "unit_number": "3-2-301"}, **HTMX
    )
    html = html_of(response)
    assert "<html" not in html and 'id="person-field"' in html and "张三" in html


def test_plan_refuses_an_unknown_unit(client, cs_staff, community):
    client.force_login(cs_staff)
    today = timezone.localdate().isoformat()
    response = client.post(
        reverse("visits:plan"),
        {
            "purpose": "routine",
            "community": community.id,
            "unit_number": "99-9-999",
            "due_from": today,
            "due_by": today,
        },
    )
    assert response.status_code == 200 and "unit_number" in response.context["form"].errors
    assert not ReturnVisit.objects.exists()


def test_plan_denials(client, hotline_agent, office2_manager, community):
    url = reverse("visits:plan")
    assert_login_redirect(client.get(url))
    client.force_login(hotline_agent)
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    # another office's community is not a choice
    client.force_login(office2_manager)
    today = timezone.localdate().isoformat()
    response = client.post(
        url,
        {
            "purpose": "routine",
            "community": community.id,
            "unit_number": "3-2-301",
            "due_from": today,
            "due_by": today,
        },
    )
    assert response.status_code == 200 and "community" in response.context["form"].errors
    assert not ReturnVisit.objects.exists()
