"""Writes for communities, buildings, units and people.

Every change to a person is a PersonEvent (who, when, what); phones inside events
are stored masked. Services check the policy themselves: callers pass the actor.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from core import phones
from core.errors import (
    BadInput,
    NotAllowed,
    NotFound,
    full_clean_or_bad_input,
)
from estate.models import (
    Attitude,
    AttitudeChange,
    Building,
    Channel,
    Community,
    Person,
    PersonEvent,
    PersonPhone,
    Relation,
    Unit,
    UnitLink,
)
from estate.pinyin import name_keys
from estate.policies import can, visible
from org.models import Office, User
from org.policies import visible as org_visible
from org.services import refuse_duplicate


def _clean(obj, exclude: list[str] | None = None) -> None:
    full_clean_or_bad_input(obj, exclude=exclude)


def _require(user: User, action: str, obj: object | None = None) -> None:
    if not can(user, action, obj):
        raise NotAllowed(_("You are not allowed to do this."))


def community_create(
    *, office: Office, code: str, name: str, actor: User, address: str = ""
) -> Community:
    """Create a community served by `office` (office manager of it, or company admin).

    The role is checked first, then the office, then the code: a caller without the
    right learns nothing about what exists."""
    _require(actor, "manage_estate")
    if not org_visible(actor, Office.objects.filter(id=office.id)).exists():
        raise NotFound(_("Office not found."), fields={"office": [_("Not found.")]})
    _require(actor, "manage_estate", office)
    community = Community(
        company_id=office.company_id, office=office, code=code, name=name, address=address
    )
    refuse_duplicate(
        community, ("company", "code"), field="code", message="Community code already in use."
    )
    _clean(community)
    community.save()
    return community


def community_update(*, community: Community, actor: User, **fields) -> Community:
    _require(actor, "manage_estate", community)
    for name in ("name", "address", "code"):
        if name in fields and fields[name] is not None:
            setattr(community, name, fields[name])
    _clean(community)
    community.save()
    return community


def building_get_or_create(*, community: Community, name: str, actor: User) -> Building:
    _require(actor, "manage_estate", community)
    name = name.strip()
    if not name:
        raise BadInput(
            _("A building needs a name."), fields={"name": [_("This field is required.")]}
        )
    building, _created = Building.objects.get_or_create(community=community, name=name)
    return building


def building_create(*, community: Community, name: str, actor: User) -> Building:
    _require(actor, "manage_estate", community)
    building = Building(community=community, name=name.strip())
    refuse_duplicate(
        building, ("community", "name"), field="name", message="Building already exists."
    )
    _clean(building)
    building.save()
    return building


def unit_create(
    *,
    community: Community,
    number: str,
    actor: User,
    building: Building | None = None,
    area_m2: Decimal | None = None,
    residency: str = "occupied",
    entrance: str = "",
    room: str = "",
) -> Unit:
    """Create a unit. Its building, when given, must be in the same community."""
    _require(actor, "manage_estate", community)
    if building is not None and building.community_id != community.id:
        raise BadInput(
            _("The building is not in this community."),
            fields={"building": [_("Not a building of this community.")]},
        )
    unit = Unit(
        community=community,
        building=building,
        number=number.strip(),
        area_m2=area_m2,
        residency=residency,
        entrance=entrance,
        room=room,
    )
    refuse_duplicate(
        unit, ("community", "number"), field="number", message="Unit number already in use."
    )
    _clean(unit)
    unit.save()
    return unit


def unit_update(*, unit: Unit, actor: User, **fields) -> Unit:
    _require(actor, "manage_estate", unit.community)
    for name in ("number", "area_m2", "residency", "entrance", "room"):
        if name in fields:
            setattr(unit, name, fields[name])
    if "building" in fields:
        building = fields["building"]
        if building is not None and building.community_id != unit.community_id:
            raise BadInput(
                _("The building is not in this community."),
                fields={"building": [_("Not a building of this community.")]},
            )
        unit.building = building
    _clean(unit)
    unit.save()
    return unit


@dataclass(frozen=True)
class UnitLinkSpec:
    unit: Unit
    relation: str


def _normalise_phones(raw: Iterable[str]) -> list[str]:
    numbers: list[str] = []
    bad: list[str] = []
    for i, value in enumerate(raw):
        try:
            number = phones.normalise(value)
        except phones.InvalidPhone:
            bad.append(_("Phone %(i)s is not a valid number: %(v)s") % {"i": i + 1, "v": value})
            continue
        if number not in numbers:
            numbers.append(number)
    if bad:
        raise BadInput(_("Invalid phone."), fields={"phones": bad})
    return numbers


def _check_links(actor: User, links: list[UnitLinkSpec], company_id: int) -> None:
    visible_units = set(
        visible(actor, Unit.objects.filter(id__in=[s.unit.id for s in links])).values_list(
            "id", flat=True
        )
    )
    for i, spec in enumerate(links):
        if spec.unit.id not in visible_units or spec.unit.community.company_id != company_id:
            raise NotFound(_("Unit not found."), fields={f"units.{i}.unit": [_("Not found.")]})
        if spec.relation not in Relation.values:
            raise BadInput(
                _("Unknown relation."), fields={f"units.{i}.relation": [_("Unknown relation.")]}
            )


def _set_phones(person: Person, numbers: list[str]) -> None:
    person.phones.all().delete()
    PersonPhone.objects.bulk_create(
        [
            PersonPhone(
                person=person,
                company_id=person.company_id,
                number=n,
                preferred=(i == 0),
                position=i,
            )
            for i, n in enumerate(numbers)
        ]
    )


def _set_links(
    person: Person, links: list[UnitLinkSpec], keep_unit_ids: set[int] = frozenset()
) -> None:
    """Make the person's links those given, leaving alone links to `keep_unit_ids`
    (units the actor cannot see: another office's business)."""
    wanted = {s.unit.id: s.relation for s in links}
    person.unit_links.exclude(unit_id__in=set(wanted) | set(keep_unit_ids)).delete()
    existing = {link.unit_id: link for link in person.unit_links.all()}
    for unit_id, relation in wanted.items():
        link = existing.get(unit_id)
        if link is None:
            UnitLink.objects.create(person=person, unit_id=unit_id, relation=relation)
        elif link.relation != relation:
            link.relation = relation
            link.save(update_fields=["relation"])


def _links_summary(links: Iterable[UnitLinkSpec | UnitLink]) -> list[str]:
    return sorted(f"{s.unit.number}:{s.relation}" for s in links)


@transaction.atomic
def person_create(
    *,
    actor: User,
    name: str,
    phone_numbers: list[str] = (),
    units: list[UnitLinkSpec] = (),
    office: Office | None = None,
    birthday: date | None = None,
    attitude: str = Attitude.NEUTRAL,
    key_client: bool = False,
    special_needs: str = "",
    address_as: str = "",
    courtesy_notes: str = "",
    preferred_channels: list[str] = (),
    language: str = "",
    id_number: str = "",
    notes: str = "",
) -> Person:
    """Register a person in the actor's company, with phones (first is preferred) and units.

    The registering office defaults to the office of the first unit, so a person is
    never invisible to the staff who created them.
    """
    _require(actor, "create_person")
    units = list(units)
    _check_links(actor, units, actor.company_id)
    numbers = _normalise_phones(phone_numbers)
    if office is None and units:
        office = units[0].unit.community.office
    if office is None:
        raise BadInput(
            _("Give a unit or an office for the person."),
            fields={"units": [_("Give at least one unit, or an office.")]},
        )
    if not org_visible(actor, Office.objects.filter(id=office.id)).exists():
        raise NotFound(_("Office not found."), fields={"office": [_("Not found.")]})
    person = Person(
        company_id=actor.company_id,
        office=office,
        name=name.strip(),
        birthday=birthday,
        attitude=attitude,
        key_client=key_client,
        special_needs=special_needs,
        address_as=address_as,
        courtesy_notes=courtesy_notes,
        preferred_channels=_check_channels(preferred_channels),
        language=language,
        id_number=id_number,
        notes=notes,
    )
    person.name_pinyin, person.name_initials = name_keys(person.name)
    _clean(person, exclude=["company", "office"])
    person.save()
    _set_phones(person, numbers)
    _set_links(person, units)
    PersonEvent.objects.create(
        person=person,
        actor=actor,
        kind=PersonEvent.Kind.CREATED,
        changes={
            "name": [None, person.name],
            "phones": [None, [phones.mask(n) for n in numbers]],
            "units": [None, _links_summary(units)],
        },
    )
    return person


def _check_channels(channels: Iterable[str]) -> list[str]:
    channels = list(dict.fromkeys(channels))
    unknown = [c for c in channels if c not in Channel.values]
    if unknown:
        raise BadInput(
            _("Unknown channel."),
            fields={"preferred_channels": [_("Unknown channel: %s") % c for c in unknown]},
        )
    return channels


_PLAIN_FIELDS = (
    "name",
    "birthday",
    "key_client",
    "special_needs",
    "address_as",
    "courtesy_notes",
    "language",
    "id_number",
    "notes",
)


@transaction.atomic
def person_update(
    *,
    person: Person,
    actor: User,
    phone_numbers: list[str] | None = None,
    units: list[UnitLinkSpec] | None = None,
    attitude: str | None = None,
    attitude_reason: str = "",
    preferred_channels: list[str] | None = None,
    **fields,
) -> Person:
    """Change a visible person. Records one PersonEvent per kind of change, and an
    AttitudeChange row when the attitude class moves."""
    _require(actor, "change_person", person)
    person = Person.objects.select_for_update().get(pk=person.pk)
    unknown = set(fields) - set(_PLAIN_FIELDS)
    if unknown:
        raise BadInput(_("Unknown field."), fields={f: [_("Unknown field.")] for f in unknown})
    changes: dict[str, list] = {}
    for name, value in fields.items():
        old = getattr(person, name)
        if value != old:
            changes[name] = [_jsonable(old, name), _jsonable(value, name)]
            setattr(person, name, value)
    if preferred_channels is not None:
        channels = _check_channels(preferred_channels)
        if channels != person.preferred_channels:
            changes["preferred_channels"] = [person.preferred_channels, channels]
            person.preferred_channels = channels
    if "name" in changes:
        person.name = person.name.strip()
        person.name_pinyin, person.name_initials = name_keys(person.name)
    if attitude is not None and attitude not in Attitude.values:
        raise BadInput(_("Unknown attitude."), fields={"attitude": [_("Unknown attitude.")]})
    _clean(person, exclude=["company", "office"])
    person.save()
    if changes:
        PersonEvent.objects.create(
            person=person, actor=actor, kind=PersonEvent.Kind.UPDATED, changes=changes
        )
    if phone_numbers is not None:
        numbers = _normalise_phones(phone_numbers)
        old = list(person.phones.order_by("position", "id").values_list("number", flat=True))
        if numbers != old:
            _set_phones(person, numbers)
            PersonEvent.objects.create(
                person=person,
                actor=actor,
                kind=PersonEvent.Kind.PHONES_CHANGED,
                changes={
                    "phones": [[phones.mask(n) for n in old], [phones.mask(n) for n in numbers]]
                },
            )
    if units is not None:
        units = list(units)
        _check_links(actor, units, person.company_id)
        seen = visible(actor, UnitLink.objects.filter(person=person)).select_related("unit")
        hidden = set(
            person.unit_links.exclude(id__in=seen.values("id")).values_list("unit_id", flat=True)
        )
        old_links = _links_summary(seen)
        _set_links(person, units, keep_unit_ids=hidden)
        new_links = _links_summary(units)
        if old_links != new_links:
            PersonEvent.objects.create(
                person=person,
                actor=actor,
                kind=PersonEvent.Kind.UNITS_CHANGED,
                changes={"units": [old_links, new_links]},
            )
    if attitude is not None and attitude != person.attitude:
        person_set_attitude(person=person, attitude=attitude, reason=attitude_reason, actor=actor)
    return person


def _jsonable(value, name: str):
    if name == "id_number" and value:
        return phones.mask_id_number(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def person_set_attitude(*, person: Person, attitude: str, actor: User, reason: str = "") -> Person:
    """Move a person to another attitude class, keeping the history and a timeline event.
    Call inside a transaction holding the person's row lock (person_update does)."""
    _require(actor, "change_person", person)
    if attitude not in Attitude.values:
        raise BadInput(_("Unknown attitude."), fields={"attitude": [_("Unknown attitude.")]})
    previous = person.attitude
    if previous == attitude:
        return person
    person.attitude = attitude
    person.save(update_fields=["attitude", "updated_at"])
    AttitudeChange.objects.create(
        person=person, previous=previous, attitude=attitude, reason=reason, actor=actor
    )
    PersonEvent.objects.create(
        person=person,
        actor=actor,
        kind=PersonEvent.Kind.ATTITUDE_CHANGED,
        changes={"attitude": [previous, attitude]},
        note=reason,
    )
    return person


def phones_reveal_check(*, actor: User) -> None:
    """Raise NotAllowed unless the actor's role may see phones in full."""
    if not can(actor, "reveal_phone"):
        raise NotAllowed(_("Your role may not see phone numbers in full."))
