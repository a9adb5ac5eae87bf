"""API: incidents (the affected area and the text the hotline reads to residents)."""

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from core.api import CursorPagination, company_time, visible_or_404
from core.errors import NotFound
from estate.selectors import building_list, community_list
from incidents import services
from incidents.selectors import incident_list
from org.selectors import office_list

router = Router(tags=["incidents"])

KindName = Literal["water", "power", "lift", "fire", "flood", "gas", "weather", "health", "other"]


class IncidentIn(Schema):
    office: int
    kind: KindName
    title: str = Field(..., min_length=1, max_length=200)
    resident_text: str = Field(..., min_length=1)
    communities: list[int] = Field(..., min_length=1)
    buildings: list[int] = []
    started_at: datetime | None = None
    expected_end_at: datetime | None = None


class IncidentOut(Schema):
    id: int
    office: int = Field(..., alias="office_id")
    kind: str
    title: str
    resident_text: str
    communities: list[int]
    buildings: list[int]
    started_at: datetime
    expected_end_at: datetime | None
    ended_at: datetime | None

    @staticmethod
    def resolve_communities(obj) -> list[int]:
        return [c.id for c in obj.communities.all()]

    @staticmethod
    def resolve_buildings(obj) -> list[int]:
        return [b.id for b in obj.buildings.all()]


@router.get("/incidents", response=list[IncidentOut])
@paginate(CursorPagination)
def incident_index(request: HttpRequest, open: bool = False):
    return incident_list(user=request.auth, open_only=open).prefetch_related(
        "communities", "buildings"
    )


@router.post("/incidents", response={201: IncidentOut})
def incident_open(request: HttpRequest, payload: IncidentIn):
    user = request.auth
    office = visible_or_404(office_list(user=user), payload.office, label="Office", field="office")
    communities = list(community_list(user=user).filter(id__in=payload.communities))
    if len(communities) != len(set(payload.communities)):
        raise NotFound("Community not found.", fields={"communities": ["Not found."]})
    buildings = list(building_list(user=user).filter(id__in=payload.buildings))
    if len(buildings) != len(set(payload.buildings)):
        raise NotFound("Building not found.", fields={"buildings": ["Not found."]})
    incident = services.incident_open(
        actor=user,
        office=office,
        kind=payload.kind,
        title=payload.title,
        resident_text=payload.resident_text,
        communities=communities,
        buildings=buildings,
        started_at=company_time(payload.started_at, user),
        expected_end_at=company_time(payload.expected_end_at, user),
    )
    return Status(201, incident)


@router.post("/incidents/{incident_id}/end", response=IncidentOut)
def incident_end(request: HttpRequest, incident_id: int):
    visible_or_404(incident_list(user=request.auth), incident_id, label="Incident")
    return services.incident_end(actor=request.auth, incident_id=incident_id)
