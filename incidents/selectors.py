"""Reads for incidents."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from estate.models import Unit
from incidents.models import Incident
from org.models import User
from org.policies import scope_by_office


def incident_list(
    *, user: User, open_only: bool = False, now: datetime | None = None
) -> QuerySet[Incident]:
    qs = scope_by_office(user, Incident.objects.all(), "office_id")
    if open_only:
        now = now or timezone.now()
        qs = qs.filter(started_at__lte=now, ended_at__isnull=True)
    return qs


def open_incidents_at(
    *, user: User, unit: Unit | None = None, community_id: int | None = None
) -> list[Incident]:
    """Open incidents affecting a unit (its community, and its building when the
    incident names buildings), or a whole community."""
    community_id = unit.community_id if unit is not None else community_id
    if community_id is None:
        return []
    qs = incident_list(user=user, open_only=True).filter(communities__id=community_id)
    if unit is not None and unit.building_id:
        qs = qs.filter(Q(buildings__isnull=True) | Q(buildings__id=unit.building_id))
    else:
        qs = qs.filter(buildings__isnull=True)
    return list(qs.distinct().order_by("-started_at"))
