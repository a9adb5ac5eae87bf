"""Writes for the organisation: companies, offices, departments, staff and API tokens."""

import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import BadInput, NotAllowed, full_clean_or_bad_input
from org.models import ApiToken, Company, Department, Office, Role, User
from org.policies import can, visible


def _clean(obj) -> None:
    full_clean_or_bad_input(obj)


def refuse_duplicate(obj, unique_fields: tuple[str, ...], *, field: str, message: str) -> None:
    """400 naming `field` when another row already has `obj`'s `unique_fields`.

    Call it after the policy check, so a caller without the right never learns what
    exists. The field's message is Django's own (translated) unique-violation text,
    the one the forms showed before; `message` is the API's English summary.
    """
    model = type(obj)
    attnames = [model._meta.get_field(f).attname for f in unique_fields]
    others = model._default_manager.filter(**{a: getattr(obj, a) for a in attnames})
    if obj.pk is not None:
        others = others.exclude(pk=obj.pk)
    if others.exists():
        taken = obj.unique_error_message(model, unique_fields)
        raise BadInput(message, fields={field: list(taken.messages)})


def company_create(
    *, code: str, name: str, actor: User, timezone_name: str = "Asia/Shanghai"
) -> Company:
    """Create a company. Only the platform operator (superuser without company) may."""
    if not can(actor, "create_company"):
        raise NotAllowed(_("Only the platform operator may create companies."))
    company = Company(code=code, name=name, timezone=timezone_name)
    refuse_duplicate(company, ("code",), field="code", message="Company code already in use.")
    _clean(company)
    company.save()
    return company


def office_create(
    *, company: Company, code: str, name: str, actor: User, kind: str = Office.Kind.SERVICE
) -> Office:
    """Create a service office in the actor's company (company admin only)."""
    if not can(actor, "create_office") or actor.company_id != company.id:
        raise NotAllowed(_("Only a company admin may create offices."))
    office = Office(company=company, code=code, name=name, kind=kind)
    refuse_duplicate(
        office, ("company", "code"), field="code", message="Office code already in use."
    )
    _clean(office)
    office.save()
    return office


def department_create(*, office: Office, name: str, kind: str, actor: User) -> Department:
    """Create a department in a visible office (company admin only)."""
    if (
        not can(actor, "create_department")
        or not visible(actor, Office.objects.filter(id=office.id)).exists()
    ):
        raise NotAllowed(_("Only a company admin may create departments."))
    department = Department(office=office, name=name, kind=kind)
    refuse_duplicate(
        department, ("office", "name"), field="name", message="Department name already in use."
    )
    _clean(department)
    department.save()
    return department


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise BadInput(
            _("Unknown role."), fields={"roles": [_("Unknown role: %s") % r for r in unknown]}
        )
    return roles


def _check_membership(
    company: Company, offices: list[Office], departments: list[Department]
) -> None:
    if any(o.company_id != company.id for o in offices):
        raise BadInput(
            _("Office of another company."),
            fields={"offices": [_("Not an office of this company.")]},
        )
    office_ids = {o.id for o in offices}
    for d in departments:
        if d.office.company_id != company.id:
            raise BadInput(
                _("Department of another company."),
                fields={"departments": [_("Not a department of this company.")]},
            )
        if d.office_id not in office_ids:
            raise BadInput(
                _("A department must belong to one of the staff member's offices."),
                fields={
                    "departments": [_("Department %(d)s is not in the listed offices.") % {"d": d}]
                },
            )


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise BadInput(_("Password too weak."), fields={"password": list(exc.messages)}) from exc


@transaction.atomic
def staff_create(
    *,
    company: Company,
    username: str,
    password: str,
    name: str,
    roles: list[str],
    actor: User,
    phone: str = "",
    offices: list[Office] = (),
    departments: list[Department] = (),
) -> User:
    """Create a staff member of `company`.

    The platform operator may create any company's staff (normally its first admin);
    a company admin creates staff of their own company. Departments must belong to
    the listed offices.
    """
    if not can(actor, "create_staff") or (
        actor.company_id is not None and actor.company_id != company.id
    ):
        raise NotAllowed(_("You may not create staff for this company."))
    roles = _check_roles(roles)
    offices, departments = list(offices), list(departments)
    _check_membership(company, offices, departments)
    user = User(
        company=company,
        username=username,
        name=name,
        phone=phone,
        roles=roles,
        is_staff=Role.COMPANY_ADMIN in roles,  # Django admin, scoped to the company
    )
    _refuse_taken_username(user)
    _clean_user(user, exclude_password=True)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    user.offices.set(offices)
    user.departments.set(departments)
    return user


def _refuse_taken_username(user: User) -> None:
    refuse_duplicate(user, ("username",), field="username", message="Username already in use.")


def _clean_user(user: User, *, exclude_password: bool) -> None:
    full_clean_or_bad_input(user, exclude=["password"] if exclude_password else None)


@transaction.atomic
def staff_update(
    *,
    staff: User,
    actor: User,
    username: str | None = None,
    company_id: int | None = None,
    name: str | None = None,
    phone: str | None = None,
    password: str | None = None,
    roles: list[str] | None = None,
    offices: list[Office] | None = None,
    departments: list[Department] | None = None,
    is_active: bool | None = None,
) -> User:
    """Change a staff member. Company admins only, within their company.

    `company_id`, when given, must be the staff member's own company: a staff member
    never moves to another company. A new `username` must be free.
    """
    if not can(actor, "change_staff") or staff.company_id != actor.company_id:
        raise NotAllowed(_("You may not change this staff member."))
    if company_id is not None and company_id != staff.company_id:
        raise BadInput(
            "A staff member's company cannot change.",
            fields={"company": ["Cannot change: create the staff member in the other company."]},
        )
    if username is not None and username != staff.username:
        staff.username = username
        _refuse_taken_username(staff)
    if name is not None:
        staff.name = name
    if phone is not None:
        staff.phone = phone
    if roles is not None:
        staff.roles = _check_roles(roles)
        staff.is_staff = Role.COMPANY_ADMIN in staff.roles
    if is_active is not None:
        staff.is_active = is_active
    new_offices = list(offices) if offices is not None else list(staff.offices.all())
    new_departments = (
        list(departments)
        if departments is not None
        else list(staff.departments.select_related("office"))
    )
    _check_membership(staff.company, new_offices, new_departments)
    if password:
        _check_password(password, staff)
        staff.set_password(password)
    _clean_user(staff, exclude_password=True)
    staff.save()
    if offices is not None:
        staff.offices.set(new_offices)
    if departments is not None or offices is not None:
        staff.departments.set(new_departments)
    return staff


def phones_reveal_check(*, actor: User) -> None:
    """Raise NotAllowed unless the actor's role may see staff phones in full (the same
    roles, and the same refusal, as for owners' phones in estate)."""
    if not can(actor, "reveal_phone"):
        raise NotAllowed(_("Your role may not see phone numbers in full."))


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_issue(*, user: User) -> str:
    """Issue a new bearer token for `user`; the raw token is returned once, never stored."""
    raw = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=_digest(raw))
    return raw


def api_token_user(*, raw: str) -> User | None:
    """The active user behind a bearer token, or None."""
    try:
        # get(), not first(): no ORDER BY id, so the unique digest index finds it.
        token = ApiToken.objects.select_related("user__company").get(digest=_digest(raw))
    except ApiToken.DoesNotExist:
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    # Touch at most once a minute: a write per API call would serialise SQLite.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
