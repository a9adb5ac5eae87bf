"""Writes for the hotline desk: calls pushed by a phone system or logged by hand,
call-backs (scheduled, and one for every missed call), reminders."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import phones
from core.errors import BadInput, NotAllowed, NotFound
from core.tasks import enqueue_on_commit, notify_users
from estate.models import Person, PersonPhone
from hotline.models import Call, CallBack, PhoneSystem
from hotline.policies import can, visible
from org.models import Office, User
from org.policies import office_ids_for
from tickets.models import Ticket
from tickets.policies import visible as visible_tickets

REMIND_BEFORE = timedelta(minutes=15)


class PhoneSystemRefused(NotAllowed):
    status = 401
    code = "phone_system_refused"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def phone_system_create(
    *, office: Office, name: str, key: str, secret: str | None = None
) -> tuple[PhoneSystem, str]:
    """Register a phone system; returns it with its secret (a new random one unless
    given), shown once: only its digest is kept."""
    secret = secret or secrets.token_urlsafe(24)
    system = PhoneSystem.objects.create(
        company_id=office.company_id,
        office=office,
        name=name,
        key=key,
        secret_digest=_digest(secret),
    )
    return system, secret


def phone_system_check(*, key: str, secret: str) -> PhoneSystem:
    system = PhoneSystem.objects.select_related("office").filter(key=key, active=True).first()
    # Compare digests in constant time; an unknown key costs the same as a wrong secret.
    expected = system.secret_digest if system else _digest(secrets.token_urlsafe(24))
    if not hmac.compare_digest(expected, _digest(secret or "")) or system is None:
        raise PhoneSystemRefused(_("Unknown phone system or wrong secret."))
    return system


def _person_for(company_id: int, number: str) -> Person | None:
    """The caller when exactly one person of the company has this number."""
    owners = list(
        PersonPhone.objects.filter(company_id=company_id, number=number).values_list(
            "person_id", flat=True
        )[:2]
    )
    return Person.objects.get(pk=owners[0]) if len(owners) == 1 else None


def _agent_for(system: PhoneSystem, extension: str) -> User | None:
    if not extension:
        return None
    return User.objects.filter(
        company_id=system.company_id, extension=extension, is_active=True
    ).first()


@transaction.atomic
def call_push(
    *,
    system: PhoneSystem,
    number: str,
    event: str,
    extension: str = "",
    external_id: str = "",
    at: datetime | None = None,
    duration_s: int | None = None,
) -> Call:
    """A phone system reports a call: `ringing` opens it (the desk page of the agent at
    `extension`, or of any agent of the office, pops the caller's card), `answered`,
    `missed` and `ended` update it. A missed call leaves a call-back for the desk."""
    try:
        number = phones.normalise(number)
    except phones.InvalidPhone as exc:
        raise BadInput(_("Invalid phone."), fields={"number": [str(exc)]}) from exc
    at = at or timezone.now()
    call = None
    if external_id:
        call = (
            Call.objects.select_for_update()
            .filter(phone_system=system, external_id=external_id)
            .first()
        )
    if call is None:
        call = Call.objects.create(
            company_id=system.company_id,
            office=system.office,
            direction=Call.Direction.IN,
            number=number,
            person=_person_for(system.company_id, number),
            agent=_agent_for(system, extension),
            extension=extension,
            started_at=at,
            phone_system=system,
            external_id=external_id,
        )
    if event == "answered":
        call.outcome = Call.Outcome.ANSWERED
        call.agent = call.agent or _agent_for(system, extension)
    elif event == "missed":
        call.outcome = Call.Outcome.MISSED
        CallBack.objects.create(
            company_id=call.company_id,
            office=call.office,
            number=call.number,
            person=call.person,
            due_at=at,
            reason=_("Missed call"),
            source_call=call,
        )
    elif event == "ended" and duration_s is not None:
        call.duration_s = duration_s
    call.save()
    return call


def call_log(
    *,
    actor: User,
    office: Office,
    direction: str,
    number: str,
    outcome: str,
    started_at: datetime | None = None,
    duration_s: int = 0,
    person: Person | None = None,
    ticket: Ticket | None = None,
    note: str = "",
) -> Call:
    """Log a call by hand (a phone without a connected system, an outgoing call)."""
    if not can(actor, "use_desk"):
        raise NotAllowed(_("You may not log calls."))
    if office.id not in _office_ids(actor):
        raise NotFound(_("Office not found."), fields={"office": [_("Not found.")]})
    try:
        number = phones.normalise(number)
    except phones.InvalidPhone as exc:
        raise BadInput(_("Invalid phone."), fields={"number": [str(exc)]}) from exc
    started_at = started_at or timezone.now()
    if started_at > timezone.now():
        raise BadInput(
            _("The call may not be in the future."), fields={"started_at": [_("In the future.")]}
        )
    return Call.objects.create(
        company_id=actor.company_id,
        office=office,
        direction=direction,
        number=number,
        person=person or _person_for(actor.company_id, number),
        agent=actor,
        started_at=started_at,
        duration_s=duration_s,
        outcome=outcome,
        ticket=ticket,
        note=note,
    )


def _office_ids(actor: User) -> set[int]:
    ids = office_ids_for(actor)
    return set(Office.objects.values_list("id", flat=True)) if ids is None else ids


@transaction.atomic
def call_update(
    *,
    call_id: int,
    actor: User,
    ticket: Ticket | None = None,
    note: str | None = None,
    person: Person | None = None,
    outcome: str | None = None,
    duration_s: int | None = None,
) -> Call:
    """Attach the ticket the call produced, the person, a note; take the call."""
    call = visible(actor, Call.objects.select_for_update()).filter(id=call_id).first()
    if call is None:
        raise NotFound(_("Call not found."))
    if not can(actor, "use_desk"):
        raise NotAllowed(_("You may not log calls."))
    if ticket is not None:
        if not visible_tickets(actor, Ticket.objects.filter(id=ticket.id)).exists():
            raise NotFound(_("Ticket not found."), fields={"ticket": [_("Not found.")]})
        call.ticket = ticket
    if person is not None:
        call.person = person
    if note is not None:
        call.note = note
    if outcome is not None:
        call.outcome = outcome
    if duration_s is not None:
        call.duration_s = duration_s
    call.agent = call.agent or actor
    call.save()
    return call


def callback_schedule(
    *,
    actor: User,
    office: Office,
    number: str,
    due_at: datetime,
    reason: str,
    person: Person | None = None,
    ticket: Ticket | None = None,
    agent: User | None = None,
) -> CallBack:
    """Promise to call back at a time; it shows in the agent's work list and they are
    reminded shortly before."""
    if not can(actor, "use_desk"):
        raise NotAllowed(_("You may not schedule call-backs."))
    if office.id not in _office_ids(actor):
        raise NotFound(_("Office not found."), fields={"office": [_("Not found.")]})
    try:
        number = phones.normalise(number)
    except phones.InvalidPhone as exc:
        raise BadInput(_("Invalid phone."), fields={"number": [str(exc)]}) from exc
    if not reason.strip():
        raise BadInput(
            _("Say why to call back."), fields={"reason": [_("This field is required.")]}
        )
    return CallBack.objects.create(
        company_id=actor.company_id,
        office=office,
        number=number,
        person=person,
        agent=agent or actor,
        due_at=due_at,
        reason=reason.strip(),
        ticket=ticket,
        created_by=actor,
    )


@transaction.atomic
def callback_done(*, callback_id: int, actor: User, call: Call | None = None) -> CallBack:
    callback = visible(actor, CallBack.objects.select_for_update()).filter(id=callback_id).first()
    if callback is None:
        raise NotFound(_("Call-back not found."))
    if not can(actor, "use_desk"):
        raise NotAllowed(_("You may not do call-backs."))
    callback.done_at = timezone.now()
    callback.done_call = call
    callback.agent = callback.agent or actor
    callback.save(update_fields=["done_at", "done_call", "agent"])
    return callback


def callback_reminders(*, now: datetime | None = None) -> int:
    """Remind agents of call-backs due within 15 minutes (once each); unassigned ones
    (missed calls) go to the office's hotline agents and receptionists. A periodic job:
    `manage.py callback_reminders`."""
    now = now or timezone.now()
    due = CallBack.objects.filter(
        done_at__isnull=True, reminded_at__isnull=True, due_at__lte=now + REMIND_BEFORE
    )
    sent = 0
    for callback in due.select_related("office"):
        with transaction.atomic():
            if callback.agent_id:
                ids = [callback.agent_id]
            else:
                ids = [
                    u.id
                    for u in callback.office.staff.filter(is_active=True)
                    if u.has_role("hotline_agent", "receptionist")
                ]
            text = _("Call back %(n)s at %(t)s: %(r)s") % {
                "n": phones.mask(callback.number),
                "t": timezone.localtime(callback.due_at).strftime("%H:%M"),
                "r": callback.reason,
            }
            if ids:
                enqueue_on_commit(notify_users, ids, "callback_due", text, "")
            CallBack.objects.filter(pk=callback.pk).update(reminded_at=now)
            sent += 1
    return sent
