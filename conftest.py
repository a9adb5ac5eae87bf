"""Shared test actors: two companies; company A has offices A1 and A2 with staff in
every role, company B one office. Every test that needs "someone who may not"
picks one of these."""

import pytest
from django.test import Client

from estate.tests.factories import BuildingFactory, CommunityFactory, PersonFactory, UnitFactory
from org.models import Department
from org.services import api_token_issue
from org.tests.factories import (
    CompanyFactory,
    DepartmentFactory,
    OfficeFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # A fast hasher: the production one costs ~0.3 s per password on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run inline in tests unless a test asks for the database backend.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def company(db):
    return CompanyFactory(code="hy", name="和悦物业")


@pytest.fixture
def other_company(db):
    return CompanyFactory(code="other", name="别家物业")


@pytest.fixture
def office(company):
    return OfficeFactory(company=company, code="a1", name="翠湖物业服务处")


@pytest.fixture
def office2(company):
    return OfficeFactory(company=company, code="a2", name="锦绣物业服务处")


@pytest.fixture
def other_office(other_company):
    return OfficeFactory(company=other_company, code="b1", name="别家服务处")


@pytest.fixture
def cs_department(office):
    return DepartmentFactory(office=office, name="客服中心", kind=Department.Kind.CUSTOMER_SERVICE)


@pytest.fixture
def engineering(office):
    return DepartmentFactory(office=office, name="工程部", kind=Department.Kind.ENGINEERING)


def _staff(company, roles, offices=(), departments=(), username=None):
    kwargs = {
        "company": company,
        "roles": roles,
        "offices": list(offices),
        "departments": list(departments),
    }
    if username:
        kwargs["username"] = username
    return UserFactory(**kwargs)


@pytest.fixture
def company_admin(company):
    return _staff(company, ["company_admin"], username="admin_hy")


@pytest.fixture
def office_manager(company, office):
    return _staff(company, ["office_manager"], [office], username="manager_a1")


@pytest.fixture
def receptionist(company, office, cs_department):
    return _staff(company, ["receptionist"], [office], [cs_department], username="front_a1")


@pytest.fixture
def hotline_agent(company, office):
    return _staff(company, ["hotline_agent"], [office], username="hotline_a1")


@pytest.fixture
def supervisor(company, office, engineering):
    return _staff(company, ["supervisor"], [office], [engineering], username="super_a1")


@pytest.fixture
def engineer(company, office, engineering):
    return _staff(company, ["staff"], [office], [engineering], username="eng_a1")


@pytest.fixture
def quality(company, office):
    return _staff(company, ["quality"], [office], username="quality_a1")


@pytest.fixture
def office2_manager(company, office2):
    return _staff(company, ["office_manager"], [office2], username="manager_a2")


@pytest.fixture
def other_company_admin(other_company, other_office):
    return _staff(other_company, ["company_admin"], [other_office], username="admin_other")


@pytest.fixture
def superuser(db):
    from org.models import User

    return User.objects.create_superuser("root", "root@example.com", "root-pw-0wnerdesk")


@pytest.fixture
def community(office):
    return CommunityFactory(office=office, code="cuihu", name="翠湖花园")


@pytest.fixture
def community2(office2):
    return CommunityFactory(office=office2, code="jinxiu", name="锦绣苑")


@pytest.fixture
def building(community):
    return BuildingFactory(community=community, name="3号楼")


@pytest.fixture
def unit(building):
    return UnitFactory(building=building, entrance="2", room="301", number="3-2-301")


@pytest.fixture
def owner(office, unit):
    return PersonFactory(office=office, name="张三", phones=["13812345678"], units=[unit])


@pytest.fixture
def person_in_office2(office2, community2):
    unit = UnitFactory(
        building=BuildingFactory(community=community2, name="1号楼"), number="1-1-101"
    )
    return PersonFactory(office=office2, name="李四", phones=["13912345678"], units=[unit])


class ApiClient(Client):
    """A test client that sends a bearer token and JSON by default."""

    def __init__(self, token: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.token = token

    def _auth(self, extra):
        if self.token:
            extra.setdefault("HTTP_AUTHORIZATION", f"Bearer {self.token}")
        return extra

    def get(self, path, data=None, **extra):
        return super().get(path, data, **self._auth(extra))

    def post(self, path, data=None, content_type="application/json", **extra):
        return super().post(path, data, content_type=content_type, **self._auth(extra))

    def patch(self, path, data=None, content_type="application/json", **extra):
        return super().patch(path, data, content_type=content_type, **self._auth(extra))


@pytest.fixture
def api_client_for():
    """api_client_for(user) → a client authenticated with a fresh token of `user`."""

    def make(user):
        return ApiClient(token=api_token_issue(user=user))

    return make


@pytest.fixture
def anon_api_client():
    return ApiClient()
