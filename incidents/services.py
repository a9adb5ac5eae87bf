"""Writes for incidents: open one (with the affected area and what to tell residents),
update its text, end it."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import BadInput, Conflict, NotAllowed, NotFound
from estate.models import Building, Community
from incidents.models import Incident
from org.models import Office, Role, User
from org.policies import office_ids_for

MANAGERS = (Role.OFFICE_MANAGER, Role.SUPERVISOR, Role.COMPANY_ADMIN)


def _check(actor: User, office: Office) -> None:
    if not actor.has_role(*MANAGERS):
        raise NotAllowed(_("Incidents are opened by supervisors and managers."))
    ids = office_ids_for(actor)
    if office.company_id != actor.company_id or (ids is not None and office.id not in ids):
        raise NotFound(_("Office not found."), fields={"office": [_("Not found.")]})


@transaction.atomic
def incident_open(
    *,
    actor: User,
    office: Office,
    kind: str,
    title: str,
    resident_text: str,
    communities: list[Community],
    buildings: list[Building] = (),
    started_at: datetime | None = None,
    expected_end_at: datetime | None = None,
) -> Incident:
    _check(actor, office)
    if not communities:
        raise BadInput(
            _("Say which communities are affected."), fields={"communities": [_("At least one.")]}
        )
    if any(c.office_id != office.id for c in communities):
        raise BadInput(
            _("A community not served by this office."),
            fields={"communities": [_("Not this office's.")]},
        )
    if any(b.community_id not in {c.id for c in communities} for b in buildings):
        raise BadInput(
            _("A building outside the communities."),
            fields={"buildings": [_("Not in the communities.")]},
        )
    started_at = started_at or timezone.now()
    if expected_end_at is not None and expected_end_at <= started_at:
        raise BadInput(
            _("The expected end is before the start."),
            fields={"expected_end_at": [_("Before the start.")]},
        )
    if not resident_text.strip():
        raise BadInput(
            _("Write what the hotline tells residents."),
            fields={"resident_text": [_("This field is required.")]},
        )
    incident = Incident.objects.create(
        company_id=office.company_id,
        office=office,
        kind=kind,
        title=title.strip(),
        resident_text=resident_text.strip(),
        started_at=started_at,
        expected_end_at=expected_end_at,
        created_by=actor,
    )
    incident.communities.set(communities)
    incident.buildings.set(buildings)
    return incident


@transaction.atomic
def incident_end(*, actor: User, incident_id: int, ended_at: datetime | None = None) -> Incident:
    incident = (
        Incident.objects.select_for_update().select_related("office").filter(id=incident_id).first()
    )
    if incident is None:
        raise NotFound(_("Incident not found."))
    _check(actor, incident.office)
    if incident.ended_at is not None:
        raise Conflict(_("The incident has already ended."), code="already_ended")
    incident.ended_at = ended_at or timezone.now()
    incident.save(update_fields=["ended_at"])
    return incident
