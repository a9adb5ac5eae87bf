"""Who may see and do what in the organisation. Every app's scoping starts here.

`visible(user, qs)` narrows a queryset of Company, Office, Department or User to what
the user may see; `can(user, action, obj)` answers for one object.
"""

from django.conf import settings
from django.db.models import QuerySet

from org.models import Company, Department, Office, Role, User


def is_platform_operator(user: User) -> bool:
    """The Django superuser with no company: creates companies and their first admin."""
    return user.is_authenticated and user.is_superuser and user.company_id is None


def _member_offices(user: User) -> list[Office]:
    # Cached on the user object, which lives for one request.
    cached = getattr(user, "_member_offices_cache", None)
    if cached is None:
        cached = list(user.offices.all())
        user._member_offices_cache = cached
    return cached


def is_company_wide(user: User) -> bool:
    """Whether the user sees every office of their company.

    Company admins do; so does the quality & training role when the user belongs to
    no office (the company's 品训部), and anyone in the 400 hotline centre, which
    serves every office.
    """
    if not user.is_authenticated or user.company_id is None:
        return False
    if user.has_role(Role.COMPANY_ADMIN):
        return True
    offices = _member_offices(user)
    if user.has_role(Role.QUALITY) and not offices:
        return True
    return any(o.kind == Office.Kind.HOTLINE_CENTRE for o in offices)


def office_ids_for(user: User) -> set[int] | None:
    """Ids of the offices the user may see; None means every office (platform operator)."""
    if not user.is_authenticated:
        return set()
    if is_platform_operator(user):
        return None
    cached = getattr(user, "_office_ids_cache", None)
    if cached is not None:
        return cached
    if user.company_id is None:
        ids: set[int] = set()
    elif is_company_wide(user):
        ids = set(Office.objects.filter(company_id=user.company_id).values_list("id", flat=True))
    else:
        ids = {o.id for o in _member_offices(user) if o.company_id == user.company_id}
    user._office_ids_cache = ids
    return ids


def scope_by_office(user: User, qs: QuerySet, office_path: str) -> QuerySet:
    """Filter `qs` to rows whose office (reached by `office_path`) the user may see."""
    ids = office_ids_for(user)
    if ids is None:
        return qs
    return qs.filter(**{f"{office_path}__in": ids})


def visible(user: User, qs: QuerySet) -> QuerySet:
    model = qs.model
    if model is Company:
        if is_platform_operator(user):
            return qs
        return qs.filter(id=user.company_id) if user.is_authenticated else qs.none()
    if model is Office:
        return scope_by_office(user, qs, "id")
    if model is Department:
        return scope_by_office(user, qs, "office_id")
    if model is User:
        if is_platform_operator(user):
            return qs
        if not user.is_authenticated or user.company_id is None:
            return qs.none()
        qs = qs.filter(company_id=user.company_id)
        if is_company_wide(user):
            return qs
        return qs.filter(offices__in=office_ids_for(user)).distinct()
    raise TypeError(f"org.policies.visible does not scope {model.__name__}")


def can(user: User, action: str, obj: object | None = None) -> bool:
    """Organisation actions: create_company, create_office, create_department,
    create_staff, change_staff, reveal_phone (staff phones in full, as estate's
    reveal_phone for owners). Only within what `visible` lets the user see."""
    if not user.is_authenticated:
        return False
    if action == "create_company":
        return is_platform_operator(user)
    if action == "create_staff" and is_platform_operator(user):
        return True  # the company's first admin
    if user.company_id is None:
        return False
    if action in {"create_office", "create_department", "create_staff", "change_staff"}:
        return user.has_role(Role.COMPANY_ADMIN)
    if action == "reveal_phone":
        return user.has_role(*settings.OWNERDESK["REVEAL_ROLES"])
    return False
