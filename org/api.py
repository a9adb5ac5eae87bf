"""API: token auth, companies, offices, departments, staff (API.md, Organisation)."""

from typing import Literal

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from core import phones
from core.api import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    CursorPagination,
    cursor_page,
    reveal_requested,
    visible_or_404,
)
from core.errors import ApplicationError, BadInput, NotAllowed, NotFound
from core.services import access_log_record
from org import selectors, services
from org.models import Company, Department, Office, User
from org.policies import can, is_platform_operator

router = Router(tags=["organisation"])

RoleName = Literal[
    "hotline_agent",
    "receptionist",
    "staff",
    "supervisor",
    "office_manager",
    "quality",
    "company_admin",
]
DepartmentKind = Literal[
    "customer_service", "engineering", "security", "cleaning", "quality", "accounting", "office"
]


class Unauthenticated(ApplicationError):
    status = 401
    code = "invalid_credentials"


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post(
    "/auth/token",
    response=TokenOut,
    auth=None,
    summary="Exchange a username and password for a token",
)
def auth_token(request: HttpRequest, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        raise Unauthenticated("Wrong username or password.")
    return {"token": services.api_token_issue(user=user)}


class CompanyIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=100)
    timezone: str = "Asia/Shanghai"


class CompanyOut(Schema):
    id: int
    code: str
    name: str
    timezone: str


@router.get("/companies", response=list[CompanyOut])
@paginate(CursorPagination)
def company_list(request: HttpRequest):
    if not is_platform_operator(request.auth):
        raise NotAllowed("Only the platform operator may list companies.")
    return selectors.company_list(user=request.auth)


@router.post("/companies", response={201: CompanyOut})
def company_create(request: HttpRequest, payload: CompanyIn):
    # The service refuses anyone but the platform operator before it checks the code.
    company = services.company_create(
        code=payload.code, name=payload.name, timezone_name=payload.timezone, actor=request.auth
    )
    return Status(201, company)


class OfficeIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=100)
    kind: Literal["service", "hotline_centre"] = "service"
    company: int | None = None


class OfficeOut(Schema):
    id: int
    company: int = Field(..., alias="company_id")
    code: str
    name: str
    kind: str


@router.get("/offices", response=list[OfficeOut])
@paginate(CursorPagination)
def office_list(request: HttpRequest):
    return selectors.office_list(user=request.auth)


@router.post("/offices", response={201: OfficeOut})
def office_create(request: HttpRequest, payload: OfficeIn):
    actor: User = request.auth
    # 403 before anything about other rows (the service checks the code after its policy).
    if not can(actor, "create_office"):
        raise NotAllowed("Offices are created by a company admin.")
    if payload.company not in (None, actor.company_id):
        raise NotFound("Company not found.", fields={"company": ["Not found."]})
    office = services.office_create(
        company=actor.company, code=payload.code, name=payload.name, kind=payload.kind, actor=actor
    )
    return Status(201, office)


class DepartmentIn(Schema):
    office: int
    name: str = Field(..., min_length=1, max_length=100)
    kind: DepartmentKind


class DepartmentOut(Schema):
    id: int
    office: int = Field(..., alias="office_id")
    name: str
    kind: str


@router.get("/departments", response=list[DepartmentOut])
@paginate(CursorPagination)
def department_list(request: HttpRequest, office: int | None = None):
    return selectors.department_list(user=request.auth, office_id=office)


@router.post("/departments", response={201: DepartmentOut})
def department_create(request: HttpRequest, payload: DepartmentIn):
    # 403 before the office lookup (the service checks the name after its policy).
    if not can(request.auth, "create_department"):
        raise NotAllowed("Only a company admin may create departments.")
    office = visible_or_404(
        selectors.office_list(user=request.auth), payload.office, label="Office", field="office"
    )
    department = services.department_create(
        office=office, name=payload.name, kind=payload.kind, actor=request.auth
    )
    return Status(201, department)


class StaffIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str = Field(..., min_length=1)
    name: str = Field(..., min_length=1, max_length=100)
    phone: str = ""
    company: int | None = None
    roles: list[RoleName] = Field(..., min_length=1)
    offices: list[int] = []
    departments: list[int] = []


class StaffPatch(Schema):
    username: str | None = Field(None, min_length=1, max_length=150)
    # Only the staff member's own company may be sent: nobody changes company.
    company: int = Field(None, description="The staff member's own company; any other is 400.")
    password: str | None = None
    name: str | None = None
    phone: str | None = None
    roles: list[RoleName] | None = None
    offices: list[int] | None = None
    departments: list[int] | None = None
    is_active: bool | None = None


class StaffOut(Schema):
    id: int
    username: str
    name: str
    phone: str
    company: int | None = Field(None, alias="company_id")
    roles: list[str]
    offices: list[int]
    departments: list[int]
    is_active: bool

    @staticmethod
    def resolve_phone(obj: User, context) -> str:
        # Staff phones are personal data too: masked unless revealed (`?reveal=phone`).
        request = context["request"]
        if obj.phone and not getattr(request, "reveal_phones", False):
            return phones.mask(obj.phone)
        return obj.phone

    @staticmethod
    def resolve_offices(obj: User) -> list[int]:
        return [o.id for o in obj.offices.all()]

    @staticmethod
    def resolve_departments(obj: User) -> list[int]:
        return [d.id for d in obj.departments.all()]


def _staff_company(actor: User, company_id: int | None) -> Company:
    if is_platform_operator(actor):
        if company_id is None:
            raise BadInput(
                "Give the staff member's company.", fields={"company": ["This field is required."]}
            )
        return visible_or_404(Company.objects.all(), company_id, label="Company", field="company")
    if company_id not in (None, actor.company_id) or actor.company is None:
        raise NotFound("Company not found.", fields={"company": ["Not found."]})
    return actor.company


def _memberships(company: Company, office_ids: list[int], department_ids: list[int]):
    offices = list(Office.objects.filter(company=company, id__in=office_ids))
    missing = set(office_ids) - {o.id for o in offices}
    if missing:
        raise NotFound("Office not found.", fields={"offices": [f"Not found: {sorted(missing)}"]})
    departments = list(
        Department.objects.select_related("office").filter(
            office__company=company, id__in=department_ids
        )
    )
    missing = set(department_ids) - {d.id for d in departments}
    if missing:
        raise NotFound(
            "Department not found.", fields={"departments": [f"Not found: {sorted(missing)}"]}
        )
    return offices, departments


def _log_reveal(request: HttpRequest, staff: list[User]) -> None:
    access_log_record(
        user=request.auth,
        object_type="staff",
        object_ids=[s.id for s in staff if s.phone],
        field="phone",
        request=request,
    )


class StaffPage(Schema):
    results: list[StaffOut]
    next: str | None = None


@router.get("/staff", response=StaffPage)
def staff_list(
    request: HttpRequest,
    role: RoleName | None = None,
    office: int | None = None,
    reveal: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT),
    after: str | None = None,
):
    """Staff visible to the caller; phones masked unless revealed with `?reveal=phone`."""
    revealed = reveal_requested(request, reveal, check=services.phones_reveal_check)
    qs: QuerySet[User] = selectors.staff_list(user=request.auth)
    if office is not None:
        qs = qs.filter(offices__id=office)
    if role is not None:
        qs = qs.filter(id__in=[u.id for u in qs if role in u.roles])
    page = cursor_page(qs, limit=limit, after=after)
    if revealed:
        _log_reveal(request, page["results"])
    return page


@router.post("/staff", response={201: StaffOut})
def staff_create(request: HttpRequest, payload: StaffIn):
    actor: User = request.auth
    if not can(actor, "create_staff"):
        raise NotAllowed("Only a company admin may create staff.")
    company = _staff_company(actor, payload.company)
    offices, departments = _memberships(company, payload.offices, payload.departments)
    user = services.staff_create(
        company=company,
        username=payload.username,
        password=payload.password,
        name=payload.name,
        phone=payload.phone,
        roles=payload.roles,
        offices=offices,
        departments=departments,
        actor=actor,
    )
    return Status(201, user)


def _visible_staff(actor: User, staff_id: int) -> User:
    return visible_or_404(
        selectors.staff_list(user=actor, include_inactive=True), staff_id, label="Staff member"
    )


@router.get("/staff/{staff_id}", response=StaffOut)
def staff_get(request: HttpRequest, staff_id: int, reveal: str | None = None):
    revealed = reveal_requested(request, reveal, check=services.phones_reveal_check)
    staff = _visible_staff(request.auth, staff_id)
    if revealed:
        _log_reveal(request, [staff])
    return staff


@router.patch("/staff/{staff_id}", response=StaffOut)
def staff_patch(request: HttpRequest, staff_id: int, payload: StaffPatch):
    actor: User = request.auth
    staff = _visible_staff(actor, staff_id)
    data = payload.dict(exclude_unset=True)
    offices = departments = None
    if "offices" in data or "departments" in data:
        offices, departments = _memberships(
            staff.company,
            data.get("offices", [o.id for o in staff.offices.all()]),
            data.get("departments", [d.id for d in staff.departments.all()]),
        )
    services.staff_update(
        staff=staff,
        actor=actor,
        username=data.get("username"),
        company_id=data.get("company"),
        name=data.get("name"),
        phone=data.get("phone"),
        password=data.get("password"),
        roles=data.get("roles"),
        offices=offices if "offices" in data else None,
        departments=departments if "departments" in data or "offices" in data else None,
        is_active=data.get("is_active"),
    )
    return _visible_staff(actor, staff_id)
