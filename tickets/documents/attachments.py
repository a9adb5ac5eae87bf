"""Photos and PDFs on a ticket.

The type is decided by the file's content (the `filetype` library reads its magic
bytes), never by its name: a program or an HTML page renamed `photo.jpg` is refused.
Files are served back with the detected type, `nosniff`, and only to users who may see
the ticket.
"""

import hashlib
import os
import unicodedata

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from core.errors import BadInput, Conflict, NotAllowed, NotFound
from org.models import User
from tickets.models import Attachment
from tickets.policies import can, visible
from tickets.services import _event, ticket_get_for_update

# Detected type → the extension the stored file gets.
ALLOWED_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
}
# Browsers show these in place; HEIC is a photo most browsers cannot show (a link then).
BROWSER_IMAGES = frozenset({"image/jpeg", "image/png", "image/webp"})
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
SNIFF_BYTES = 8192


def max_bytes() -> int:
    """The size limit: settings.OWNERDESK["ATTACHMENT_MAX_BYTES"], default 10 MB."""
    return int(getattr(settings, "OWNERDESK", {}).get("ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _refuse(message: str) -> BadInput:
    return BadInput(message, fields={"file": [message]})


def _display_name(name: str, extension: str) -> str:
    """The uploader's file name, cleaned: no path, no control characters, ≤ 200 chars."""
    base = os.path.basename(str(name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    base = base or f"file.{extension}"
    return base[-200:]


def _storage_name(display: str, extension: str) -> str:
    """A safe stored name with the extension of the detected type."""
    stem = get_valid_filename(os.path.splitext(display)[0] or "file") or "file"
    return f"{stem[:60]}.{extension}"


def _digest_and_head(uploaded_file) -> tuple[str, bytes]:
    h = hashlib.sha256()
    head = b""
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks():
        if len(head) < SNIFF_BYTES:
            head += chunk[: SNIFF_BYTES - len(head)]
        h.update(chunk)
    uploaded_file.seek(0)
    return h.hexdigest(), head


def _check(uploaded_file) -> tuple[str, str, str]:
    """(content type, extension, sha256) of an acceptable file; BadInput otherwise."""
    if uploaded_file is None:
        raise _refuse(_("Choose a file."))
    size = getattr(uploaded_file, "size", None)
    if size is None:
        raise _refuse(_("Choose a file."))
    limit = max_bytes()
    if size > limit:
        raise _refuse(_("The file is larger than %(mb)s MB.") % {"mb": f"{limit / 1024 / 1024:g}"})
    if size == 0:
        raise _refuse(_("The file is empty."))
    digest, head = _digest_and_head(uploaded_file)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise _refuse(_("Only photos (JPEG, PNG, WebP, HEIC) and PDF files may be attached."))
    return kind.mime, ALLOWED_TYPES[kind.mime], digest


@transaction.atomic
def attachment_add(*, ticket_id: int, actor: User, uploaded_file: UploadedFile) -> Attachment:
    """Attach a photo or PDF to a ticket. Whoever may comment on the ticket may attach;
    the same file twice on one ticket is refused (409)."""
    ticket = ticket_get_for_update(user=actor, ticket_id=ticket_id)
    if not can(actor, "comment", ticket):
        raise NotAllowed(_("You are not allowed to do this to this ticket."))
    content_type, extension, digest = _check(uploaded_file)
    if Attachment.objects.filter(ticket=ticket, sha256=digest).exists():
        raise Conflict(
            _("This file is already attached to the ticket."),
            code="duplicate_attachment",
            fields={"file": [_("Already attached.")]},
        )
    display = _display_name(getattr(uploaded_file, "name", ""), extension)
    attachment = Attachment(
        ticket=ticket,
        filename=display,
        content_type=content_type,
        size=uploaded_file.size,
        sha256=digest,
        uploaded_by=actor,
    )
    attachment.file.save(_storage_name(display, extension), uploaded_file, save=False)
    try:
        attachment.save()
        _event(
            ticket,
            actor,
            "attachment_add",
            from_status=ticket.status,
            text=display,
            internal=True,
            data={
                "attachment": attachment.id,
                "filename": display,
                "content_type": content_type,
                "size": attachment.size,
                "sha256": digest,
            },
        )
        ticket.save(update_fields=["updated_at"])
    except Exception:
        attachment.file.delete(save=False)  # no orphan file when the row is not written
        raise
    return attachment


def attachment_open(*, user: User, attachment_id: int) -> Attachment:
    """The attachment, if the user may see its ticket (NotFound otherwise)."""
    attachment = (
        visible(user, Attachment.objects.select_related("ticket")).filter(id=attachment_id).first()
    )
    if attachment is None:
        raise NotFound(_("Attachment not found."))
    return attachment


def attachment_response(attachment: Attachment):
    """The file as an HTTP response: its stored type, shown in place, never sniffed."""
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=attachment.content_type not in ALLOWED_TYPES,
        filename=attachment.filename,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
