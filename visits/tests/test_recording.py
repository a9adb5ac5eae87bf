"""Recording a visit: signatures, unqualified → reopened, corrections keep the signed record."""

import base64
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import Notification, SmsMessage
from org.tests.factories import UserFactory
from tickets.models import Ticket
from tickets.services import ticket_resolve
from tickets.tests.factories import TicketFactory
from visits.models import ReturnVisit, SignatureCode, VisitRecord

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    # A tiny real PNG (1×1, black): what the signature canvas sends, in miniature.
    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )


@pytest.fixture
def cs_staff(company, office, cs_department):
    return UserFactory(
        company=company,
        roles=["staff"],
        offices=[office],
        departments=[cs_department],
        username="cs1",
    )


@pytest.fixture
def visit(office_manager, community, owner, unit, cs_staff, engineering, engineer):
    ticket = TicketFactory(
        community=community,
        kind="complaint",
        status="in_progress",
        person=owner,
        unit=unit,
        department=engineering,
        assignee=engineer,
    )
    ticket_resolve(ticket_id=ticket.id, actor=office_manager, resolution="已修复漏水")
    return ReturnVisit.objects.get(ticket=ticket)


def body(**extra):
    return {
        "method": "face_to_face",
        "quality": "维修质量好",
        "result": "漏水已止住",
        "satisfaction": 5,
        "shortcomings": "",
        "opinions": "希望以后提前电话预约",
        "qualified": True,
        **extra,
    }


def test_assignee_records_with_a_drawn_signature(api_client_for, cs_staff, visit):
    data = "data:image/png;base64," + base64.b64encode(png_bytes()).decode()
    r = api_client_for(cs_staff).post(
        f"/api/v1/return-visits/{visit.id}/record", body(signature={"kind": "drawn", "data": data})
    )
    assert r.status_code == 200, r.content
    (rec,) = r.json()["records"]
    assert rec["signature_kind"] == "drawn" and rec["signed_at"] and len(rec["content_hash"]) == 64
    assert r.json()["status"] == "done"
    stored = VisitRecord.objects.get()
    assert bytes(stored.signature_image) == png_bytes()


def test_the_record_needs_every_field_api_md_names(api_client_for, cs_staff, visit):
    client = api_client_for(cs_staff)
    for field in ("quality", "result", "shortcomings", "opinions", "satisfaction", "qualified"):
        partial = {k: v for k, v in body().items() if k != field}
        r = client.post(f"/api/v1/return-visits/{visit.id}/record", partial)
        assert r.status_code == 400 and field in r.json()["error"]["fields"], field
    # empty text is an answer ("nothing to note")
    r = client.post(f"/api/v1/return-visits/{visit.id}/record", body(shortcomings="", opinions=""))
    assert r.status_code == 200


def test_signature_must_be_a_png(api_client_for, cs_staff, visit):
    bad = base64.b64encode(b"<svg onload=alert(1)>").decode()
    r = api_client_for(cs_staff).post(
        f"/api/v1/return-visits/{visit.id}/record", body(signature={"kind": "drawn", "data": bad})
    )
    assert r.status_code == 400 and "signature.data" in r.json()["error"]["fields"]
    assert not VisitRecord.objects.exists()


def test_sms_code_confirms_and_wrong_tries_are_counted(api_client_for, cs_staff, visit):
    client = api_client_for(cs_staff)
    sent = client.post(f"/api/v1/return-visits/{visit.id}/send-code", {})
    assert sent.status_code == 200 and sent.json()["sent_to"] == "138****5678"
    code = re.search(r"\d{6}", SmsMessage.objects.get().text).group()
    wrong = client.post(
        f"/api/v1/return-visits/{visit.id}/record",
        body(signature={"kind": "sms_code", "data": "000000" if code != "000000" else "111111"}),
    )
    assert wrong.status_code == 422
    assert SignatureCode.objects.get().attempts == 1  # counted although the request failed
    ok = client.post(
        f"/api/v1/return-visits/{visit.id}/record",
        body(signature={"kind": "sms_code", "data": code}),
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["records"][0]["signature_kind"] == "sms_code"
    assert SignatureCode.objects.get().used_at is not None


def test_code_is_locked_after_five_wrong_tries(api_client_for, cs_staff, visit):
    client = api_client_for(cs_staff)
    client.post(f"/api/v1/return-visits/{visit.id}/send-code", {})
    SignatureCode.objects.update(attempts=5)
    code = re.search(r"\d{6}", SmsMessage.objects.get().text).group()
    r = client.post(
        f"/api/v1/return-visits/{visit.id}/record",
        body(signature={"kind": "sms_code", "data": code}),
    )
    assert r.status_code == 422


def test_unqualified_visit_reopens_ticket_and_tells_assignee_and_supervisor(
    api_client_for, cs_staff, visit, engineer, supervisor
):
    r = api_client_for(cs_staff).post(
        f"/api/v1/return-visits/{visit.id}/record",
        body(qualified=False, satisfaction=2, shortcomings="墙面仍有渗水"),
    )
    assert r.status_code == 200
    ticket = Ticket.objects.get(id=visit.ticket_id)
    assert ticket.status == "in_progress" and ticket.resolved_at is None
    reopen = ticket.events.get(action="reopen")
    assert reopen.data == {"visit": visit.id} and "墙面仍有渗水" in reopen.text
    assert Notification.objects.filter(user=engineer, verb="reopened").exists()
    assert Notification.objects.filter(user=supervisor, verb="reopened").exists()


def test_re_resolution_after_unqualified_visit_is_always_visited(
    api_client_for, cs_staff, visit, office_manager
):
    api_client_for(cs_staff).post(
        f"/api/v1/return-visits/{visit.id}/record", body(qualified=False, satisfaction=1)
    )
    ticket_resolve(ticket_id=visit.ticket_id, actor=office_manager, resolution="重新修补")
    assert ReturnVisit.objects.filter(ticket_id=visit.ticket_id).count() == 2


def test_signed_record_is_never_edited_a_correction_is_a_new_version(
    api_client_for, cs_staff, visit
):
    client = api_client_for(cs_staff)
    data = base64.b64encode(png_bytes()).decode()
    client.post(
        f"/api/v1/return-visits/{visit.id}/record", body(signature={"kind": "drawn", "data": data})
    )
    first = VisitRecord.objects.get()
    original_hash = first.content_hash
    assert client.post(f"/api/v1/return-visits/{visit.id}/record", body()).status_code == 409
    r = client.post(
        f"/api/v1/return-visits/{visit.id}/correct",
        body(satisfaction=4, reason="满意度记录错误", signature={"kind": "drawn", "data": data}),
    )
    assert r.status_code == 200, r.content
    assert [x["version"] for x in r.json()["records"]] == [1, 2]
    first.refresh_from_db()
    assert (first.satisfaction, first.content_hash) == (5, original_hash)
    second = VisitRecord.objects.get(version=2)
    assert second.supersedes == first and second.content_hash != original_hash


def test_content_hash_covers_the_signed_content(api_client_for, cs_staff, visit):
    from visits.services import _content_hash

    data = base64.b64encode(png_bytes()).decode()
    api_client_for(cs_staff).post(
        f"/api/v1/return-visits/{visit.id}/record", body(signature={"kind": "drawn", "data": data})
    )
    rec = VisitRecord.objects.get()
    fields = {
        "visit": visit.id,
        "method": rec.method,
        "visited_at": rec.visited_at.isoformat(),
        "quality": rec.quality,
        "result": rec.result,
        "satisfaction": rec.satisfaction,
        "shortcomings": rec.shortcomings,
        "opinions": rec.opinions,
        "qualified": rec.qualified,
        "signature_kind": "drawn",
        "signature_phone": "",
    }
    assert _content_hash(fields, bytes(rec.signature_image)) == rec.content_hash
    assert (
        _content_hash({**fields, "satisfaction": 1}, bytes(rec.signature_image)) != rec.content_hash
    )


def test_who_may_record(api_client_for, visit, receptionist, quality, supervisor, office2_manager):
    url = f"/api/v1/return-visits/{visit.id}/record"
    assert api_client_for(receptionist).post(url, body()).status_code == 403
    assert api_client_for(office2_manager).post(url, body()).status_code == 404
    assert api_client_for(quality).post(url, body()).status_code == 200


def test_visit_time_rules(api_client_for, cs_staff, visit):
    client = api_client_for(cs_staff)
    future = (timezone.now() + timedelta(hours=2)).isoformat()
    assert (
        client.post(f"/api/v1/return-visits/{visit.id}/record", body(visited_at=future)).status_code
        == 422
    )
    assert (
        client.post(f"/api/v1/return-visits/{visit.id}/record", body(satisfaction=6)).status_code
        == 400
    )
