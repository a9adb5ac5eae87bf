"""Photos and PDFs on a ticket: type by content, size limit, no duplicates, scoped reads."""

import hashlib
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT

from core.errors import BadInput, Conflict, NotAllowed, NotFound
from tickets.documents import attachments
from tickets.models import Attachment, TicketEvent
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png_bytes(shade: int = 0) -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = zlib.compress(bytes([0, shade, shade, shade]))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    from tickets.documents.pdf import Document

    doc = Document(title="测试")
    doc.paragraph("维修前照片说明")
    return doc.finish()


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"


@pytest.fixture
def ticket(community, engineering, engineer):
    return TicketFactory(
        community=community, status="assigned", department=engineering, assignee=engineer
    )


def upload(client, ticket, name: str, content: bytes, content_type="image/jpeg"):
    return client.post(
        f"/api/v1/tickets/{ticket.id}/attachments",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        content_type=MULTIPART_CONTENT,
    )


def test_png_accepted_and_served_inline(api_client_for, receptionist, ticket):
    client = api_client_for(receptionist)
    content = png_bytes()
    r = upload(client, ticket, "漏水照片.jpg", content)  # named .jpg, but it is a PNG
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["content_type"] == "image/png"
    assert body["filename"] == "漏水照片.jpg"
    assert body["size"] == len(content)
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    stored = Attachment.objects.get(id=body["id"])
    assert stored.file.name.endswith(".png")
    assert TicketEvent.objects.filter(ticket=ticket, action="attachment_add").exists()

    served = client.get(body["url"])
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Disposition"].startswith("inline")
    assert b"".join(served.streaming_content) == content


def test_pdf_accepted(api_client_for, engineer, ticket):
    r = upload(api_client_for(engineer), ticket, "检测报告.pdf", pdf_bytes(), "application/pdf")
    assert r.status_code == 201, r.content
    assert r.json()["content_type"] == "application/pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [("photo.jpg", EXE), ("photo.jpg", HTML), ("notes.pdf", b"just some text, not a PDF")],
)
def test_other_content_refused_whatever_the_name(api_client_for, engineer, ticket, name, content):
    r = upload(api_client_for(engineer), ticket, name, content)
    assert r.status_code == 400
    assert "file" in r.json()["error"]["fields"]
    assert not Attachment.objects.exists()


def test_larger_than_10_mb_refused(engineer, ticket):
    big = png_bytes() + b"\x00" * (10 * 1024 * 1024)
    with pytest.raises(BadInput) as exc:
        attachments.attachment_add(
            ticket_id=ticket.id,
            actor=engineer,
            uploaded_file=SimpleUploadedFile("big.png", big, content_type="image/png"),
        )
    assert "file" in exc.value.fields
    just_fits = png_bytes() + b"\x00" * (10 * 1024 * 1024 - len(png_bytes()))
    assert len(just_fits) == 10 * 1024 * 1024
    attachments.attachment_add(
        ticket_id=ticket.id,
        actor=engineer,
        uploaded_file=SimpleUploadedFile("fits.png", just_fits, content_type="image/png"),
    )


def test_larger_than_10_mb_refused_through_the_api(api_client_for, engineer, ticket):
    big = png_bytes() + b"\x00" * (10 * 1024 * 1024)
    r = upload(api_client_for(engineer), ticket, "big.png", big, "image/png")
    assert r.status_code == 400 and "file" in r.json()["error"]["fields"]


def test_same_file_twice_on_one_ticket_refused(engineer, ticket, community):
    def add(t, name):
        return attachments.attachment_add(
            ticket_id=t.id,
            actor=engineer,
            uploaded_file=SimpleUploadedFile(name, png_bytes(), content_type="image/png"),
        )

    add(ticket, "a.png")
    with pytest.raises(Conflict):
        add(ticket, "b.png")  # another name, same content
    other = TicketFactory(
        community=community, status="assigned", department=ticket.department, assignee=engineer
    )
    add(other, "a.png")  # the same photo may go on another ticket
    assert Attachment.objects.count() == 2


def test_who_may_attach(api_client_for, quality, office2_manager, supervisor, engineer, ticket):
    assert upload(api_client_for(quality), ticket, "q.png", png_bytes(1)).status_code == 201
    assert upload(api_client_for(office2_manager), ticket, "x.png", png_bytes(2)).status_code == 404
    # staff work (and comment on) only tickets assigned to them
    theirs = TicketFactory(
        community=ticket.community,
        status="assigned",
        department=ticket.department,
        assignee=supervisor,
    )
    assert upload(api_client_for(engineer), theirs, "y.png", png_bytes(3)).status_code == 403
    with pytest.raises(NotAllowed):
        attachments.attachment_add(
            ticket_id=theirs.id,
            actor=engineer,
            uploaded_file=SimpleUploadedFile("y.png", png_bytes(3), content_type="image/png"),
        )


def test_another_offices_attachment_is_404(
    api_client_for, client, engineer, office2_manager, ticket
):
    attachment = attachments.attachment_add(
        ticket_id=ticket.id,
        actor=engineer,
        uploaded_file=SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"),
    )
    assert (
        api_client_for(office2_manager).get(f"/api/v1/attachments/{attachment.id}").status_code
        == 404
    )
    client.force_login(office2_manager)
    assert client.get(f"/tickets/docs/attachments/{attachment.id}/").status_code == 404
    with pytest.raises(NotFound):
        attachments.attachment_open(user=office2_manager, attachment_id=attachment.id)
    client.force_login(engineer)
    r = client.get(f"/tickets/docs/attachments/{attachment.id}/")
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Type"] == "image/png" and r["Content-Disposition"].startswith("inline")


def test_upload_from_the_panel_with_htmx(client, engineer, ticket):
    client.force_login(engineer)
    r = client.post(
        f"/tickets/docs/{ticket.id}/attachments/",
        {"file": SimpleUploadedFile("厨房.png", png_bytes(), content_type="image/png")},
        **HTMX,
    )
    assert r.status_code == 200
    html = r.content.decode()
    attachment = Attachment.objects.get(ticket=ticket)
    assert "厨房.png" in html
    assert f'<img src="/tickets/docs/attachments/{attachment.id}/"' in html
    r = client.post(
        f"/tickets/docs/{ticket.id}/attachments/",
        {"file": SimpleUploadedFile("evil.jpg", HTML, content_type="image/jpeg")},
        **HTMX,
    )
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    assert Attachment.objects.filter(ticket=ticket).count() == 1
