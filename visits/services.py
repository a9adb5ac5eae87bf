"""Writes for return visits: routine visits, recording with the owner's signature,
corrections, one-time codes. Planning after resolution is in visits.planning."""

import base64
import binascii
import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import phones
from core.errors import BadInput, Conflict, NotAllowed, NotFound, RuleViolation
from core.sms import send_sms
from estate.models import Person, Unit
from org.models import Office, Role, User
from tickets.services import ticket_reopen_after_visit
from visits.models import (
    ReturnVisit,
    SignatureCode,
    VisitEvent,
    VisitRecord,
)
from visits.policies import can, visible

MAX_SIGNATURE_BYTES = 300 * 1024
CODE_TTL = timedelta(minutes=10)
CODE_ATTEMPTS = 5
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---- routine visits -------------------------------------------------------------------


@transaction.atomic
def visit_plan_routine(
    *,
    actor: User,
    office: Office,
    purpose: str,
    due_from: datetime,
    due_by: datetime,
    assignee: User | None = None,
    person: Person | None = None,
    unit: Unit | None = None,
    topic: str = "",
) -> ReturnVisit:
    """Plan a home visit not tied to a ticket: routine (manager 2–5 a year, staff each
    quarter per area), festival or topic survey. Staff plan their own; supervisors and
    managers plan for others."""
    if not can(actor, "plan"):
        raise NotAllowed(_("You may not plan visits."))
    if purpose not in {p for p in ReturnVisit.Purpose.values if p != ReturnVisit.Purpose.TICKET}:
        raise BadInput(
            _("Unknown purpose."), fields={"purpose": [_("routine, festival or topic.")]}
        )
    assignee = assignee or actor
    if assignee.id != actor.id and not actor.has_role(
        Role.SUPERVISOR, Role.OFFICE_MANAGER, Role.COMPANY_ADMIN
    ):
        raise NotAllowed(_("Only supervisors and managers plan visits for others."))
    if not assignee.offices.filter(id=office.id).exists() and not assignee.has_role(
        Role.COMPANY_ADMIN
    ):
        raise BadInput(
            _("The visitor does not work in this office."),
            fields={"assignee": [_("Not in the office.")]},
        )
    if unit is not None and unit.community.office_id != office.id:
        raise BadInput(
            _("The unit is not served by this office."), fields={"unit": [_("Not in the office.")]}
        )
    if due_by < due_from:
        raise BadInput(
            _("The window ends before it starts."), fields={"due_by": [_("Before due_from.")]}
        )
    visit = ReturnVisit.objects.create(
        company_id=office.company_id,
        office=office,
        purpose=purpose,
        topic=topic,
        person=person,
        unit=unit,
        assignee=assignee,
        due_from=due_from,
        due_by=due_by,
        period=timezone.localtime(due_from, ZoneInfo(office.company.timezone)).strftime("%Y-%m"),
    )
    VisitEvent.objects.create(
        visit=visit, actor=actor, action="plan", text=topic, data={"purpose": purpose}
    )
    return visit


# ---- recording --------------------------------------------------------------------------


def visit_get_for_update(*, user: User, visit_id: int) -> ReturnVisit:
    visit = (
        visible(user, ReturnVisit.objects.select_related("ticket", "office", "company"))
        .select_for_update(of=("self",))
        .filter(id=visit_id)
        .first()
    )
    if visit is None:
        raise NotFound(_("Return visit not found."))
    return visit


def _content_hash(fields: dict, signature: bytes | None) -> str:
    canonical = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    digest = hashlib.sha256(canonical.encode())
    digest.update(b"\x00" + hashlib.sha256(signature or b"").digest())
    return digest.hexdigest()


def _drawn_signature(data: str) -> bytes:
    """A PNG sent as base64 or a data URL from the signature canvas."""
    raw = data.split(",", 1)[1] if data.startswith("data:") else data
    try:
        png = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadInput(
            _("The signature is not readable."), fields={"signature.data": [_("Not base64.")]}
        ) from exc
    if not png.startswith(PNG_MAGIC):
        raise BadInput(
            _("The signature must be a PNG image."), fields={"signature.data": [_("Not a PNG.")]}
        )
    if len(png) > MAX_SIGNATURE_BYTES:
        raise BadInput(
            _("The signature image is too large."), fields={"signature.data": [_("Too large.")]}
        )
    return png


def _verify_code(*, user: User, visit_id: int, code: str) -> int:
    """Check a one-time code in a transaction of its own, so that a wrong try is
    counted even though the recording that follows is refused. Returns the code's id;
    the recording marks it used."""
    with transaction.atomic():
        visit = visit_get_for_update(user=user, visit_id=visit_id)
        sent = (
            visit.codes.filter(used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-sent_at")
            .first()
        )
        if sent is None:
            error = _("No valid code: send a new one.")
        elif sent.attempts >= CODE_ATTEMPTS:
            error = _("Too many wrong codes: send a new one.")
        elif secrets.compare_digest(
            sent.code_hash, hashlib.sha256(code.strip().encode()).hexdigest()
        ):
            return sent.id
        else:
            SignatureCode.objects.filter(pk=sent.pk).update(attempts=sent.attempts + 1)
            error = _("Wrong code.")
    raise RuleViolation(error, fields={"signature.data": [error]})


def _use_code(visit: ReturnVisit, code_id: int) -> str:
    sent = SignatureCode.objects.select_for_update().get(pk=code_id, visit=visit)
    if sent.used_at is not None:
        raise Conflict(_("This code was already used."), code="code_used")
    sent.used_at = timezone.now()
    sent.save(update_fields=["used_at"])
    return sent.phone


def _write_record(
    *,
    visit: ReturnVisit,
    actor: User,
    method: str,
    visited_at: datetime | None,
    quality: str,
    result: str,
    satisfaction: int,
    shortcomings: str,
    opinions: str,
    qualified: bool,
    signature: dict | None,
    code_id: int | None,
    supersedes: VisitRecord | None,
    correction_reason: str = "",
) -> VisitRecord:
    if method not in VisitRecord.Method.values:
        raise BadInput(
            _("Unknown method."), fields={"method": [_("phone, face_to_face or on_site.")]}
        )
    if not 1 <= satisfaction <= 5:
        raise BadInput(
            _("Satisfaction is from 1 to 5."), fields={"satisfaction": [_("From 1 to 5.")]}
        )
    now = timezone.now()
    visited_at = visited_at or now
    if timezone.is_naive(visited_at):
        raise BadInput(
            _("Give the time with its offset."), fields={"visited_at": [_("Time zone missing.")]}
        )
    if visited_at > now:
        raise RuleViolation(
            _("The visit may not be in the future."), fields={"visited_at": [_("In the future.")]}
        )
    if visit.ticket is not None and visited_at < visit.ticket.received_at:
        raise RuleViolation(
            _("The visit may not be before the ticket was received."),
            fields={"visited_at": [_("Too early.")]},
        )
    image, phone, kind = None, "", ""
    if signature:
        kind = signature.get("kind", "")
        data = signature.get("data") or ""
        if kind == VisitRecord.SignatureKind.DRAWN:
            image = _drawn_signature(data)
        elif kind == VisitRecord.SignatureKind.SMS_CODE and code_id is not None:
            phone = _use_code(visit, code_id)
        else:
            raise BadInput(
                _("Unknown signature kind."), fields={"signature.kind": [_("drawn or sms_code.")]}
            )
    fields = {
        "visit": visit.id,
        "method": method,
        # In UTC, as stored: the hash can be checked again from the database.
        "visited_at": visited_at.astimezone(UTC).isoformat(),
        "quality": quality,
        "result": result,
        "satisfaction": satisfaction,
        "shortcomings": shortcomings,
        "opinions": opinions,
        "qualified": qualified,
        "signature_kind": kind,
        "signature_phone": phone,
    }
    record = VisitRecord.objects.create(
        visit=visit,
        version=(supersedes.version + 1) if supersedes else 1,
        supersedes=supersedes,
        method=method,
        visited_at=visited_at,
        quality=quality,
        result=result,
        satisfaction=satisfaction,
        shortcomings=shortcomings,
        opinions=opinions,
        qualified=qualified,
        signature_kind=kind,
        signature_image=image,
        signature_phone=phone,
        signed_at=now if kind else None,
        content_hash=_content_hash(fields, image) if kind else "",
        recorded_by=actor,
        correction_reason=correction_reason,
    )
    was_qualified = visit.qualified
    visit.done_at = visit.done_at or visited_at
    visit.qualified = qualified
    visit.save(update_fields=["done_at", "qualified"])
    VisitEvent.objects.create(
        visit=visit,
        actor=actor,
        action="correct" if supersedes else "record",
        text=correction_reason,
        data={"version": record.version, "qualified": qualified, "signed": bool(kind)},
    )
    if not qualified and was_qualified is not False and visit.ticket_id:
        ticket_reopen_after_visit(
            ticket_id=visit.ticket_id,
            actor=actor,
            visit_id=visit.id,
            reason=_("Return visit unqualified: %(s)s") % {"s": shortcomings or opinions or result},
        )
    return record


def _code_id(actor: User, visit_id: int, signature: dict | None) -> int | None:
    if signature and signature.get("kind") == VisitRecord.SignatureKind.SMS_CODE:
        return _verify_code(user=actor, visit_id=visit_id, code=signature.get("data") or "")
    return None


def visit_record(
    *, visit_id: int, actor: User, signature: dict | None = None, **fields
) -> VisitRecord:
    """Record the visit (method, evaluations, satisfaction 1–5, shortcomings, opinions,
    qualified) with the owner's confirmation: a signature drawn on screen (PNG) or a
    one-time code sent to their phone. An unqualified visit reopens the ticket and tells
    its assignee and supervisor. A visit is recorded once; later changes are corrections."""
    code_id = _code_id(actor, visit_id, signature)
    with transaction.atomic():
        visit = visit_get_for_update(user=actor, visit_id=visit_id)
        if not can(actor, "record", visit):
            raise NotAllowed(_("You may not record this visit."))
        if visit.records.exists():
            raise Conflict(
                _("This visit is already recorded; send a correction."), code="already_recorded"
            )
        return _write_record(
            visit=visit,
            actor=actor,
            signature=signature,
            code_id=code_id,
            supersedes=None,
            **fields,
        )


def visit_correct(
    *, visit_id: int, actor: User, reason: str, signature: dict | None = None, **fields
) -> VisitRecord:
    """A correction: a new version of the record. The signed version stays as it was,
    with the hash of its contents, and the new one points at it."""
    if not (reason or "").strip():
        raise BadInput(
            _("Say why the record is corrected."), fields={"reason": [_("This field is required.")]}
        )
    code_id = _code_id(actor, visit_id, signature)
    with transaction.atomic():
        visit = visit_get_for_update(user=actor, visit_id=visit_id)
        if not can(actor, "record", visit):
            raise NotAllowed(_("You may not correct this visit."))
        latest = visit.records.order_by("-version").first()
        if latest is None:
            raise Conflict(_("Nothing to correct: record the visit first."), code="not_recorded")
        return _write_record(
            visit=visit,
            actor=actor,
            signature=signature,
            code_id=code_id,
            supersedes=latest,
            correction_reason=reason,
            **fields,
        )


@transaction.atomic
def visit_send_code(*, visit_id: int, actor: User, phone: str | None = None) -> SignatureCode:
    """Send a six-digit code to the owner's phone (the visit person's preferred phone
    unless another of their phones is given); valid ten minutes, five tries."""
    visit = visit_get_for_update(user=actor, visit_id=visit_id)
    if not can(actor, "record", visit):
        raise NotAllowed(_("You may not record this visit."))
    if visit.person is None:
        raise RuleViolation(_("The visit has no person to send a code to."))
    numbers = list(visit.person.phones.order_by("position", "id").values_list("number", flat=True))
    if phone is not None:
        try:
            phone = phones.normalise(phone)
        except phones.InvalidPhone as exc:
            raise BadInput(_("Invalid phone."), fields={"phone": [str(exc)]}) from exc
        if phone not in numbers:
            raise RuleViolation(
                _("Send codes only to the owner's own phones."),
                fields={"phone": [_("Not theirs.")]},
            )
    elif numbers:
        phone = numbers[0]
    else:
        raise RuleViolation(_("The owner has no phone on file."))
    code = f"{secrets.randbelow(10**6):06d}"
    sent = SignatureCode.objects.create(
        visit=visit,
        phone=phone,
        code_hash=hashlib.sha256(code.encode()).hexdigest(),
        expires_at=timezone.now() + CODE_TTL,
    )
    send_sms(
        company_id=visit.company_id,
        phone=phone,
        text=_("【业主服务台】您的回访确认码:%(c)s,10分钟内有效。") % {"c": code},
    )
    VisitEvent.objects.create(
        visit=visit, actor=actor, action="code_sent", data={"phone": phones.mask(phone)}
    )
    return sent


@transaction.atomic
def visit_assign(*, visit_id: int, actor: User, assignee: User) -> ReturnVisit:
    visit = visit_get_for_update(user=actor, visit_id=visit_id)
    if not can(actor, "assign", visit):
        raise NotAllowed(_("You may not reassign visits."))
    if not assignee.is_active or not assignee.offices.filter(id=visit.office_id).exists():
        raise BadInput(
            _("The visitor does not work in this office."),
            fields={"assignee": [_("Not in the office.")]},
        )
    previous = visit.assignee_id
    visit.assignee = assignee
    visit.save(update_fields=["assignee"])
    VisitEvent.objects.create(
        visit=visit, actor=actor, action="assign", data={"from": previous, "to": assignee.id}
    )
    return visit
