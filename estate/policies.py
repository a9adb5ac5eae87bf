"""Who may see and change communities, units and people.

A community is seen by the staff of its office (and company-wide roles). A person
is seen where one of their units is, or by the office that registered them.
"""

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from estate.models import Building, Community, Person, PersonPhone, Unit, UnitLink
from org.models import Office, Role, User
from org.policies import is_company_wide, office_ids_for, scope_by_office

ESTATE_MANAGERS = (Role.OFFICE_MANAGER, Role.COMPANY_ADMIN)
PEOPLE_EDITORS = (
    Role.HOTLINE_AGENT,
    Role.RECEPTIONIST,
    Role.STAFF,
    Role.SUPERVISOR,
    Role.OFFICE_MANAGER,
    Role.COMPANY_ADMIN,
)


def visible_people(user: User, qs: QuerySet[Person]) -> QuerySet[Person]:
    ids = office_ids_for(user)
    if ids is None:
        return qs
    if is_company_wide(user):
        # Every office of the company: the company is the whole condition.
        return qs.filter(company_id=user.company_id)
    linked_here = UnitLink.objects.filter(
        person_id=OuterRef("pk"), unit__community__office_id__in=ids
    )
    return qs.filter(company_id=user.company_id).filter(Q(office_id__in=ids) | Exists(linked_here))


def visible(user: User, qs: QuerySet) -> QuerySet:
    model = qs.model
    if model is Community:
        return scope_by_office(user, qs, "office_id")
    if model is Building:
        return scope_by_office(user, qs, "community__office_id")
    if model is Unit:
        return scope_by_office(user, qs, "community__office_id")
    if model is UnitLink:
        return scope_by_office(user, qs, "unit__community__office_id")
    if model is Person:
        return visible_people(user, qs)
    if model is PersonPhone:
        return qs.filter(person__in=visible_people(user, Person.objects.all()))
    raise TypeError(f"estate.policies.visible does not scope {model.__name__}")


def _in_scope(user: User, office_id: int | None) -> bool:
    ids = office_ids_for(user)
    return ids is None or office_id in ids


def can(user: User, action: str, obj: object | None = None) -> bool:
    """Actions: manage_estate (community/building/unit, roster import/export),
    create_person, change_person, reveal_phone. `obj` is the office or community for
    manage_estate, the person for change_person; checks assume it is visible."""
    if not user.is_authenticated or user.company_id is None:
        return False
    if action == "manage_estate":
        if not user.has_role(*ESTATE_MANAGERS):
            return False
        if obj is None:
            return True
        office_id = obj.id if isinstance(obj, Office) else getattr(obj, "office_id", None)
        return _in_scope(user, office_id)
    if action in {"create_person", "change_person"}:
        return user.has_role(*PEOPLE_EDITORS)
    if action == "reveal_phone":
        return user.has_role(*settings.OWNERDESK["REVEAL_ROLES"])
    return False
