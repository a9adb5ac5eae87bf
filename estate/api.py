"""API: communities, buildings, units, people, roster import/export (API.md, Estate and people)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal
from urllib.parse import quote

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from core import phones
from core.api import MAX_LIMIT, CursorPagination, cursor_page, reveal_requested, visible_or_404
from core.errors import BadInput, NotAllowed, NotFound
from core.services import access_log_record
from estate import selectors, services
from estate.models import Community, Person
from estate.policies import can
from org.models import User
from org.selectors import office_list

router = Router(tags=["estate and people"])

ResidencyName = Literal["occupied", "not_moved_in", "rented", "vacant"]
AttitudeName = Literal["favourable", "neutral", "adverse"]
RelationName = Literal["owner", "tenant", "family"]
ChannelName = Literal["phone", "sms", "wechat", "email", "letter", "visit"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _manager_or_403(user: User) -> None:
    """A create endpoint refuses a caller without the role before it looks anything up
    (the service then checks the office and the duplicates)."""
    if not can(user, "manage_estate"):
        raise NotAllowed("You are not allowed to do this.")


def _shown(request: HttpRequest, number: str) -> str:
    return number if getattr(request, "reveal_phones", False) else phones.mask(number)


# ---- communities, buildings, units -------------------------------------------------


class CommunityIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=100)
    address: str = ""
    office: int


class CommunityOut(Schema):
    id: int
    code: str
    name: str
    address: str
    office: int = Field(..., alias="office_id")
    company: int = Field(..., alias="company_id")


@router.get("/communities", response=list[CommunityOut])
@paginate(CursorPagination)
def community_list(request: HttpRequest, office: int | None = None):
    qs = selectors.community_list(user=request.auth)
    return qs if office is None else qs.filter(office_id=office)


@router.get("/communities/{community_id}", response=CommunityOut)
def community_get(request: HttpRequest, community_id: int):
    return visible_or_404(
        selectors.community_list(user=request.auth), community_id, label="Community"
    )


@router.post("/communities", response={201: CommunityOut})
def community_create(request: HttpRequest, payload: CommunityIn):
    _manager_or_403(request.auth)
    office = visible_or_404(
        office_list(user=request.auth), payload.office, label="Office", field="office"
    )
    community = services.community_create(
        office=office,
        code=payload.code,
        name=payload.name,
        address=payload.address,
        actor=request.auth,
    )
    return Status(201, community)


class BuildingIn(Schema):
    community: int
    name: str = Field(..., min_length=1, max_length=50)


class BuildingOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    name: str


@router.get("/buildings", response=list[BuildingOut])
@paginate(CursorPagination)
def building_list(request: HttpRequest, community: int | None = None):
    return selectors.building_list(user=request.auth, community_id=community)


@router.post("/buildings", response={201: BuildingOut})
def building_create(request: HttpRequest, payload: BuildingIn):
    _manager_or_403(request.auth)
    community = _community(request.auth, payload.community)
    return Status(
        201, services.building_create(community=community, name=payload.name, actor=request.auth)
    )


def _community(user: User, community_id: int) -> Community:
    return visible_or_404(
        selectors.community_list(user=user), community_id, label="Community", field="community"
    )


class UnitIn(Schema):
    community: int
    building: int | None = None
    number: str = Field(..., min_length=1, max_length=60)
    entrance: str = ""
    room: str = ""
    area_m2: Decimal | None = Field(None, gt=0, max_digits=8, decimal_places=2)
    residency: ResidencyName = "occupied"


class UnitOut(Schema):
    id: int
    community: int = Field(..., alias="community_id")
    building: int | None = Field(None, alias="building_id")
    number: str
    entrance: str
    room: str
    area_m2: Decimal | None
    residency: str


@router.get("/units", response=list[UnitOut])
@paginate(CursorPagination)
def unit_list(
    request: HttpRequest,
    community: int | None = None,
    building: int | None = None,
    number: str = "",
):
    qs = selectors.unit_list(user=request.auth, community_id=community, building_id=building)
    return qs.filter(number=number.strip()) if number else qs


@router.get("/units/{unit_id}", response=UnitOut)
def unit_get(request: HttpRequest, unit_id: int):
    return visible_or_404(selectors.unit_list(user=request.auth), unit_id, label="Unit")


@router.post("/units", response={201: UnitOut})
def unit_create(request: HttpRequest, payload: UnitIn):
    _manager_or_403(request.auth)
    community = _community(request.auth, payload.community)
    building = visible_or_404(
        selectors.building_list(user=request.auth, community_id=community.id),
        payload.building,
        label="Building",
        field="building",
    )
    unit = services.unit_create(
        community=community,
        building=building,
        number=payload.number,
        entrance=payload.entrance,
        room=payload.room,
        area_m2=payload.area_m2,
        residency=payload.residency,
        actor=request.auth,
    )
    return Status(201, unit)


# ---- people --------------------------------------------------------------------------


class UnitLinkIn(Schema):
    unit: int
    relation: RelationName


class UnitLinkOut(Schema):
    unit: int
    relation: str
    number: str
    community: int
    community_name: str


class PersonIn(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    phones: list[str]  # required (API.md), may be empty
    birthday: date | None = None
    attitude: AttitudeName = "neutral"
    key_client: bool = False
    special_needs: str = ""
    address_as: str = ""
    courtesy_notes: str = ""
    preferred_channels: list[ChannelName] = []
    language: str = ""
    id_number: str = ""
    notes: str = ""
    office: int | None = None
    units: list[UnitLinkIn]  # required (API.md), may be empty when `office` is given


class PersonPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=50)
    phones: list[str] | None = None
    birthday: date | None = None
    attitude: AttitudeName | None = None
    attitude_reason: str = ""
    key_client: bool | None = None
    special_needs: str | None = None
    address_as: str | None = None
    courtesy_notes: str | None = None
    preferred_channels: list[ChannelName] | None = None
    language: str | None = None
    id_number: str | None = None
    notes: str | None = None
    units: list[UnitLinkIn] | None = None


class PersonOut(Schema):
    id: int
    name: str
    phones: list[str]
    birthday: date | None
    attitude: str
    key_client: bool
    special_needs: str
    address_as: str
    courtesy_notes: str
    preferred_channels: list[str]
    language: str
    id_number: str
    notes: str
    office: int | None = Field(None, alias="office_id")
    units: list[UnitLinkOut]

    @staticmethod
    def resolve_phones(obj: Person, context) -> list[str]:
        return [_shown(context["request"], p.number) for p in obj.phones.all()]

    @staticmethod
    def resolve_id_number(obj: Person, context) -> str:
        if obj.id_number and not getattr(context["request"], "reveal_phones", False):
            return phones.mask_id_number(obj.id_number)
        return obj.id_number

    @staticmethod
    def resolve_units(obj: Person) -> list[dict]:
        return [
            {
                "unit": link.unit_id,
                "relation": link.relation,
                "number": link.unit.number,
                "community": link.unit.community_id,
                "community_name": link.unit.community.name,
            }
            for link in obj.unit_links.all()
        ]


class ContactBrief(Schema):
    id: int
    number: str
    kind: str
    category: str
    title: str
    status: str
    received_at: datetime
    due_at: datetime | None


class PersonCardOut(PersonOut):
    """A person with their open tickets and last five contacts (hotline screen-pop)."""

    open_tickets: list[ContactBrief]
    recent_contacts: list[ContactBrief]

    @staticmethod
    def resolve_open_tickets(obj: Person) -> list[dict]:
        return obj.card["open_tickets"]

    @staticmethod
    def resolve_recent_contacts(obj: Person) -> list[dict]:
        return obj.card["recent_contacts"]


def _attach_cards(request: HttpRequest, people: list[Person]) -> None:
    """Fill `person.card` from the apps that know about contacts (settings name them,
    because estate must not import them)."""
    extras_path = settings.OWNERDESK.get("PERSON_CARD_EXTRAS")
    extras = (
        import_string(extras_path)(user=request.auth, person_ids=[p.id for p in people])
        if extras_path
        else {}
    )
    for person in people:
        person.card = extras.get(person.id, {"open_tickets": [], "recent_contacts": []})


class PersonPage(Schema):
    results: list[PersonCardOut]
    next: str | None = None


@router.get("/people", response=PersonPage)
def person_list(
    request: HttpRequest,
    phone: str | None = None,
    q: str = "",
    community: int | None = None,
    unit: int | None = None,
    reveal: str | None = None,
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    after: str | None = None,
):
    """People visible to the caller. `?phone=` is an exact match on any of a person's
    phones (the hotline screen-pop); `?q=` searches name, pinyin initials, phone,
    unit number."""
    revealed = reveal_requested(request, reveal, check=services.phones_reveal_check)
    if phone is not None:
        try:
            qs = selectors.person_by_phone(user=request.auth, number=phone)
        except phones.InvalidPhone as exc:
            raise BadInput("Invalid phone.", fields={"phone": [str(exc)]}) from exc
    else:
        qs = selectors.person_list(user=request.auth, q=q, community_id=community, unit_id=unit)
    page = cursor_page(qs, limit=limit, after=after)
    _attach_cards(request, page["results"])
    if revealed:
        access_log_record(
            user=request.auth,
            object_type="person",
            object_ids=[p.id for p in page["results"]],
            field="phone",
            request=request,
        )
    return page


def _person(request: HttpRequest, person_id: int) -> Person:
    """A visible person with their phones and unit links (the card)."""
    return visible_or_404(selectors.person_list(user=request.auth), person_id, label="Person")


@router.get("/people/{person_id}", response=PersonCardOut)
def person_get(request: HttpRequest, person_id: int, reveal: str | None = None):
    revealed = reveal_requested(request, reveal, check=services.phones_reveal_check)
    person = _person(request, person_id)
    _attach_cards(request, [person])
    if revealed:
        access_log_record(
            user=request.auth,
            object_type="person",
            object_ids=[person.id],
            field="phone",
            request=request,
        )
    return person


def _unit_specs(request: HttpRequest, links: list[UnitLinkIn]) -> list[services.UnitLinkSpec]:
    ids = [link.unit for link in links]
    units = {u.id: u for u in selectors.unit_list(user=request.auth).filter(id__in=ids)}
    specs = []
    for i, link in enumerate(links):
        unit = units.get(link.unit)
        if unit is None:
            raise NotFound("Unit not found.", fields={f"units.{i}.unit": ["Not found."]})
        specs.append(services.UnitLinkSpec(unit=unit, relation=link.relation))
    return specs


@router.post("/people", response={201: PersonOut})
def person_create(request: HttpRequest, payload: PersonIn):
    office = visible_or_404(
        office_list(user=request.auth), payload.office, label="Office", field="office"
    )
    person = services.person_create(
        actor=request.auth,
        name=payload.name,
        phone_numbers=payload.phones,
        units=_unit_specs(request, payload.units),
        office=office,
        birthday=payload.birthday,
        attitude=payload.attitude,
        key_client=payload.key_client,
        special_needs=payload.special_needs,
        address_as=payload.address_as,
        courtesy_notes=payload.courtesy_notes,
        preferred_channels=payload.preferred_channels,
        language=payload.language,
        id_number=payload.id_number,
        notes=payload.notes,
    )
    return Status(201, _person(request, person.id))


@router.patch("/people/{person_id}", response=PersonOut)
def person_patch(request: HttpRequest, person_id: int, payload: PersonPatch):
    person = _person(request, person_id)
    data = payload.dict(exclude_unset=True)
    phone_numbers = data.pop("phones", None)
    units = data.pop("units", None)
    attitude = data.pop("attitude", None)
    reason = data.pop("attitude_reason", "")
    channels = data.pop("preferred_channels", None)
    services.person_update(
        person=person,
        actor=request.auth,
        phone_numbers=phone_numbers,
        units=_unit_specs(request, [UnitLinkIn(**u) for u in units]) if units is not None else None,
        attitude=attitude,
        attitude_reason=reason,
        preferred_channels=channels,
        **{k: v for k, v in data.items() if v is not None or k == "birthday"},
    )
    return _person(request, person.id)


# ---- roster import / export -----------------------------------------------------------


class RosterImportOut(Schema):
    units_created: int
    people_created: int
    links_created: int
    rows_unchanged: int
    units_updated: int
    phones_added: int
    buildings_created: int


@router.post("/imports/people", response={201: RosterImportOut})
def roster_import(request: HttpRequest, community: int = Form(...), file: UploadedFile = File(...)):
    """Import a community's roster sheet (.xlsx): all rows or none (422 lists every bad row)."""
    from estate.roster import roster_import as run_import

    target = _community(request.auth, community)
    if file.size and file.size > settings.OWNERDESK["ROSTER_MAX_BYTES"]:
        raise BadInput("The file is too large.", fields={"file": ["The file is too large."]})
    result = run_import(community=target, file=file, actor=request.auth)
    return Status(201, result.as_dict())


@router.get("/exports/people", response={200: None})
def roster_export(request: HttpRequest, community: int, reveal: str | None = None):
    """The community's roster sheet (.xlsx), phones masked unless revealed."""
    from estate.roster import roster_export as run_export

    target = _community(request.auth, community)
    revealed = reveal_requested(request, reveal, check=services.phones_reveal_check)
    if not can(request.auth, "manage_estate", target):
        from core.errors import NotAllowed

        raise NotAllowed("You may not export this community's roster.")
    body = run_export(community=target, actor=request.auth, reveal=revealed)
    if revealed:
        access_log_record(
            user=request.auth,
            object_type="community_roster",
            object_ids=[target.id],
            field="phone",
            request=request,
        )
    response = HttpResponse(body, content_type=XLSX)
    filename = quote(f"{target.name}-住户名册.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response
