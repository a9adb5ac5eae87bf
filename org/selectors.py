"""Reads for the organisation; each starts from `policies.visible`."""

from django.db.models import QuerySet

from org.models import Company, Department, Office, Role, User
from org.policies import visible


def company_list(*, user: User) -> QuerySet[Company]:
    return visible(user, Company.objects.all())


def office_list(*, user: User) -> QuerySet[Office]:
    return visible(user, Office.objects.all())


def department_list(*, user: User, office_id: int | None = None) -> QuerySet[Department]:
    qs = visible(user, Department.objects.select_related("office"))
    return qs if office_id is None else qs.filter(office_id=office_id)


def staff_list(*, user: User, include_inactive: bool = False) -> QuerySet[User]:
    qs = User.objects.all() if include_inactive else User.objects.filter(is_active=True)
    return visible(user, qs).prefetch_related("offices", "departments")


def role_holder_ids(*, office_id: int, role: str) -> list[int]:
    """The office's active staff holding `role`, by id: whom the system tells or sends
    (a read for the system, not scoped to a user)."""
    staff = User.objects.filter(offices=office_id, is_active=True).order_by("id")
    return [user_id for user_id, roles in staff.values_list("id", "roles") if role in roles]


def supervisors_of(*, department: Department) -> list[User]:
    return [u for u in department.staff.filter(is_active=True) if u.has_role(Role.SUPERVISOR)]
