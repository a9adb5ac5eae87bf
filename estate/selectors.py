"""Reads for communities, units and people; each starts from `policies.visible`."""

import re

from django.db.models import Prefetch, Q, QuerySet

from core import phones
from core.db import prefix_q
from estate.models import Building, Community, Person, PersonPhone, Unit, UnitLink
from estate.policies import visible
from org.models import User

_ASCII_LETTERS = re.compile(r"^[a-zA-Z]+$")
_DIGITS = re.compile(r"^[\d\s\-+]+$")


def community_list(*, user: User) -> QuerySet[Community]:
    return visible(user, Community.objects.select_related("office", "company"))


def building_list(*, user: User, community_id: int | None = None) -> QuerySet[Building]:
    qs = visible(user, Building.objects.all())
    return qs if community_id is None else qs.filter(community_id=community_id)


def unit_list(
    *,
    user: User,
    community_id: int | None = None,
    building_id: int | None = None,
    q: str = "",
) -> QuerySet[Unit]:
    qs = visible(user, Unit.objects.select_related("community", "building"))
    if community_id is not None:
        qs = qs.filter(community_id=community_id)
    if building_id is not None:
        qs = qs.filter(building_id=building_id)
    if q:
        qs = qs.filter(prefix_q("number", q.strip()))
    return qs


def _people_base(user: User) -> QuerySet[Person]:
    # Only the links to units the user may see: a person who also owns a home served by
    # another office must not reveal it.
    links = visible(user, UnitLink.objects.select_related("unit__community", "unit__building"))
    return visible(user, Person.objects.all()).prefetch_related(
        Prefetch("phones", queryset=PersonPhone.objects.order_by("position", "id")),
        Prefetch("unit_links", queryset=links),
    )


def person_list(
    *, user: User, q: str = "", community_id: int | None = None, unit_id: int | None = None
) -> QuerySet[Person]:
    """People the user may see, optionally searched.

    `q` matches a phone (all of it, or its first digits from 4 on), pinyin initials
    or full pinyin ('zs', 'zhangs'), a unit number prefix ('3-2-30') or a name.
    Every condition is an `id IN (…)` on an indexed table or a prefix on an indexed
    column: no join, so no DISTINCT and no scan of every person for a search.
    """
    qs = _people_base(user)
    if community_id is not None:
        qs = qs.filter(
            id__in=UnitLink.objects.filter(unit__community_id=community_id).values("person_id")
        )
    if unit_id is not None:
        qs = qs.filter(id__in=UnitLink.objects.filter(unit_id=unit_id).values("person_id"))
    q = (q or "").strip()
    if q:
        qs = qs.filter(_search_filter(user, q))
    return qs


def _linked_to_units(user: User, number_prefix: str) -> Q:
    links = UnitLink.objects.filter(unit__community__company_id=user.company_id).filter(
        prefix_q("unit__number", number_prefix)
    )
    return Q(id__in=links.values("person_id"))


def _search_filter(user: User, q: str) -> Q:
    if _DIGITS.match(q):
        digits = re.sub(r"\D", "", q)
        try:
            number = phones.normalise(q)
        except phones.InvalidPhone:
            number = None
        cond = _linked_to_units(user, q)
        own = PersonPhone.objects.filter(company_id=user.company_id)
        if number:
            cond |= Q(id__in=own.filter(number=number).values("person_id"))
        elif len(digits) >= 4:
            cond |= Q(id__in=own.filter(prefix_q("number", digits)).values("person_id"))
        return cond
    if _ASCII_LETTERS.match(q):
        key = q.lower()
        return prefix_q("name_initials", key) | prefix_q("name_pinyin", key)
    return Q(name__contains=q) | _linked_to_units(user, q)


def person_by_phone(*, user: User, number: str) -> QuerySet[Person]:
    """Exact match on any of a person's phones (hotline screen-pop); raises InvalidPhone."""
    normalised = phones.normalise(number)
    ids = PersonPhone.objects.filter(company_id=user.company_id, number=normalised).values(
        "person_id"
    )
    return _people_base(user).filter(id__in=ids)


def person_refs(*, user: User) -> QuerySet[Person]:
    """Visible people, without their phones and units (to refer to them)."""
    return visible(user, Person.objects.all())


def person_get(*, user: User, person_id: int) -> Person | None:
    return _people_base(user).filter(id=person_id).first()


def person_units(*, person: Person) -> list[UnitLink]:
    return list(person.unit_links.all())
