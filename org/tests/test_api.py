import pytest

from core.models import AccessLog
from org.models import Company, Department, Office, User
from org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_token_for_good_credentials_and_401_for_bad(anon_api_client, office_manager):
    ok = anon_api_client.post(
        "/api/v1/auth/token", {"username": "manager_a1", "password": PASSWORD}
    )
    assert ok.status_code == 200
    assert ok.json()["token"]
    bad = anon_api_client.post("/api/v1/auth/token", {"username": "manager_a1", "password": "nope"})
    assert bad.status_code == 401
    assert bad.json()["error"]["code"] == "invalid_credentials"


def test_no_or_invalid_token_is_401_in_error_format(anon_api_client, office_manager):
    r = anon_api_client.get("/api/v1/offices")
    assert r.status_code == 401
    assert set(r.json()["error"]) == {"code", "message", "fields"}
    r = anon_api_client.get("/api/v1/offices", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert r.status_code == 401


def test_deactivated_user_token_stops_working(api_client_for, office_manager):
    client = api_client_for(office_manager)
    assert client.get("/api/v1/offices").status_code == 200
    User.objects.filter(pk=office_manager.pk).update(is_active=False)
    assert client.get("/api/v1/offices").status_code == 401


def test_openapi_document_needs_no_token(anon_api_client):
    r = anon_api_client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert "/api/v1/people" in r.json()["paths"]


def test_platform_operator_bootstraps_a_company(api_client_for, superuser):
    client = api_client_for(superuser)
    r = client.post("/api/v1/companies", {"code": "xinyu", "name": "新宇物业"})
    assert r.status_code == 201, r.content
    company_id = r.json()["id"]
    r = client.post(
        "/api/v1/staff",
        {
            "username": "xinyu_admin",
            "password": "a-long-enough-pw-1",
            "name": "王总",
            "company": company_id,
            "roles": ["company_admin"],
            "offices": [],
        },
    )
    assert r.status_code == 201, r.content
    admin = User.objects.get(username="xinyu_admin")
    assert admin.company_id == company_id and admin.is_staff
    assert client.get("/api/v1/companies").json()["results"][0]["code"] == "xinyu"


def test_only_the_platform_operator_creates_or_lists_companies(api_client_for, company_admin):
    client = api_client_for(company_admin)
    assert client.post("/api/v1/companies", {"code": "x", "name": "x"}).status_code == 403
    assert client.get("/api/v1/companies").status_code == 403


def test_company_admin_builds_the_organisation(api_client_for, company_admin):
    client = api_client_for(company_admin)
    office = client.post("/api/v1/offices", {"code": "nh", "name": "南湖物业服务处"})
    assert office.status_code == 201, office.content
    office_id = office.json()["id"]
    dept = client.post(
        "/api/v1/departments", {"office": office_id, "name": "工程部", "kind": "engineering"}
    )
    assert dept.status_code == 201, dept.content
    staff = client.post(
        "/api/v1/staff",
        {
            "username": "nh_eng",
            "password": "a-long-enough-pw-1",
            "name": "赵工",
            "phone": "13800001111",
            "roles": ["supervisor"],
            "offices": [office_id],
            "departments": [dept.json()["id"]],
        },
    )
    assert staff.status_code == 201, staff.content
    body = staff.json()
    assert body["phone"] == "138****1111"
    assert "password" not in body
    assert body["departments"] == [dept.json()["id"]]


def test_unknown_enum_value_is_400_with_field(api_client_for, company_admin, office):
    client = api_client_for(company_admin)
    r = client.post("/api/v1/departments", {"office": office.id, "name": "X", "kind": "catering"})
    assert r.status_code == 400
    assert "kind" in r.json()["error"]["fields"]
    r = client.post("/api/v1/departments", {"office": office.id, "kind": "engineering"})
    assert r.status_code == 400
    assert "name" in r.json()["error"]["fields"]


def test_department_outside_listed_offices_is_refused(
    api_client_for, company_admin, office, office2
):
    from org.tests.factories import DepartmentFactory

    dept2 = DepartmentFactory(office=office2)
    client = api_client_for(company_admin)
    r = client.post(
        "/api/v1/staff",
        {
            "username": "x1",
            "password": "a-long-enough-pw-1",
            "name": "X",
            "roles": ["staff"],
            "offices": [office.id],
            "departments": [dept2.id],
        },
    )
    assert r.status_code == 400
    assert "departments" in r.json()["error"]["fields"]


def test_non_admins_cannot_create_org(api_client_for, office_manager, office):
    client = api_client_for(office_manager)
    assert client.post("/api/v1/offices", {"code": "z", "name": "z"}).status_code == 403
    assert (
        client.post(
            "/api/v1/departments", {"office": office.id, "name": "z", "kind": "office"}
        ).status_code
        == 403
    )
    r = client.post(
        "/api/v1/staff",
        {"username": "z", "password": "a-long-enough-pw-1", "name": "z", "roles": ["staff"]},
    )
    assert r.status_code == 403


def test_staff_scoping_by_office_and_company(
    api_client_for, office_manager, office2_manager, other_company_admin
):
    client = api_client_for(office_manager)
    ids = {s["id"] for s in client.get("/api/v1/staff").json()["results"]}
    assert office_manager.id in ids and office2_manager.id not in ids
    assert client.get(f"/api/v1/staff/{office2_manager.id}").status_code == 404
    assert client.get(f"/api/v1/staff/{other_company_admin.id}").status_code == 404
    offices = client.get("/api/v1/offices").json()["results"]
    assert [o["code"] for o in offices] == ["a1"]


def test_company_admin_sees_every_office_but_not_other_company(
    api_client_for, company_admin, office, office2, other_office
):
    codes = [
        o["code"] for o in api_client_for(company_admin).get("/api/v1/offices").json()["results"]
    ]
    assert codes == ["a1", "a2"]


def test_patch_staff(api_client_for, company_admin, engineer, office_manager):
    client = api_client_for(company_admin)
    r = client.patch(f"/api/v1/staff/{engineer.id}", {"roles": ["supervisor"], "name": "钱工"})
    assert r.status_code == 200, r.content
    assert r.json()["roles"] == ["supervisor"] and r.json()["name"] == "钱工"
    r = api_client_for(office_manager).patch(f"/api/v1/staff/{engineer.id}", {"name": "x"})
    assert r.status_code == 403


def test_hotline_centre_staff_see_every_office(api_client_for, company, office, office2):
    from org.models import Office
    from org.tests.factories import OfficeFactory, UserFactory

    centre = OfficeFactory(company=company, code="400", kind=Office.Kind.HOTLINE_CENTRE)
    agent = UserFactory(company=company, roles=["hotline_agent"], offices=[centre])
    codes = {o["code"] for o in api_client_for(agent).get("/api/v1/offices").json()["results"]}
    assert codes == {"a1", "a2", "400"}


def test_pagination_cursor_walks_all_rows(api_client_for, company_admin, company):
    from org.tests.factories import OfficeFactory

    for i in range(7):
        OfficeFactory(company=company, code=f"p{i}")
    client = api_client_for(company_admin)
    seen, url = [], "/api/v1/offices?limit=3"
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 3
        seen += [o["code"] for o in body["results"]]
        url = f"/api/v1/offices?limit=3&after={body['next']}" if body["next"] else None
    assert seen == [f"p{i}" for i in range(7)]


def test_limit_above_200_and_bad_cursor_are_400(api_client_for, company_admin):
    client = api_client_for(company_admin)
    r = client.get("/api/v1/offices?limit=201")
    assert r.status_code == 400 and "limit" in r.json()["error"]["fields"]
    r = client.get("/api/v1/offices?after=garbage!!")
    assert r.status_code == 400 and "after" in r.json()["error"]["fields"]


def test_company_create_refuses_a_non_operator_before_the_code_check(
    api_client_for, company_admin, superuser, other_company
):
    # A company admin must not learn that another company's code exists.
    r = api_client_for(company_admin).post(
        "/api/v1/companies", {"code": other_company.code, "name": "x"}
    )
    assert r.status_code == 403 and r.json()["error"]["fields"] == {}
    r = api_client_for(superuser).post(
        "/api/v1/companies", {"code": other_company.code, "name": "x"}
    )
    assert r.status_code == 400 and list(r.json()["error"]["fields"]) == ["code"]
    assert Company.objects.filter(code=other_company.code).count() == 1


def test_office_create_refuses_a_non_admin_before_the_code_check(
    api_client_for, office_manager, company_admin, office
):
    client = api_client_for(office_manager)
    r = client.post("/api/v1/offices", {"code": office.code, "name": "x"})
    assert r.status_code == 403 and r.json()["error"]["fields"] == {}
    r = client.post("/api/v1/offices", {"code": "z", "name": "x", "company": 999999})
    assert r.status_code == 403
    r = api_client_for(company_admin).post("/api/v1/offices", {"code": office.code, "name": "x"})
    assert r.status_code == 400 and list(r.json()["error"]["fields"]) == ["code"]
    assert Office.objects.filter(code=office.code).count() == 1


def test_department_create_refuses_a_non_admin_before_lookups_and_the_name_check(
    api_client_for, office_manager, company_admin, office, cs_department, other_office
):
    client = api_client_for(office_manager)
    body = {"office": office.id, "name": cs_department.name, "kind": "customer_service"}
    r = client.post("/api/v1/departments", body)
    assert r.status_code == 403 and r.json()["error"]["fields"] == {}
    r = client.post("/api/v1/departments", {**body, "office": other_office.id})
    assert r.status_code == 403  # not 404: the office lookup comes after the right
    r = api_client_for(company_admin).post("/api/v1/departments", body)
    assert r.status_code == 400 and list(r.json()["error"]["fields"]) == ["name"]
    assert Department.objects.filter(name=cs_department.name).count() == 1


def test_staff_create_refuses_a_non_admin_before_the_username_check(
    api_client_for, office_manager, company_admin, engineer
):
    body = {
        "username": engineer.username,
        "password": "a-long-enough-pw-1",
        "name": "z",
        "roles": ["staff"],
    }
    r = api_client_for(office_manager).post("/api/v1/staff", body)
    assert r.status_code == 403 and r.json()["error"]["fields"] == {}
    r = api_client_for(company_admin).post("/api/v1/staff", body)
    assert r.status_code == 400 and list(r.json()["error"]["fields"]) == ["username"]


def test_patch_staff_username(api_client_for, anon_api_client, company_admin, engineer, supervisor):
    client = api_client_for(company_admin)
    r = client.patch(f"/api/v1/staff/{engineer.id}", {"username": "eng_renamed"})
    assert r.status_code == 200, r.content
    assert r.json()["username"] == "eng_renamed"
    engineer.refresh_from_db()
    assert engineer.username == "eng_renamed"
    token = anon_api_client.post(
        "/api/v1/auth/token", {"username": "eng_renamed", "password": PASSWORD}
    )
    assert token.status_code == 200
    # Taken: 400 naming the field, nothing changed.
    r = client.patch(
        f"/api/v1/staff/{engineer.id}", {"username": supervisor.username, "name": "改名"}
    )
    assert r.status_code == 400
    assert list(r.json()["error"]["fields"]) == ["username"]
    engineer.refresh_from_db()
    assert engineer.username == "eng_renamed" and engineer.name != "改名"
    # Its own username again is no change, and no conflict.
    r = client.patch(f"/api/v1/staff/{engineer.id}", {"username": "eng_renamed"})
    assert r.status_code == 200
    r = client.patch(f"/api/v1/staff/{engineer.id}", {"username": ""})
    assert r.status_code == 400 and "username" in r.json()["error"]["fields"]


def test_patch_staff_company_cannot_change(
    api_client_for, company_admin, office_manager, engineer, company, other_company
):
    client = api_client_for(company_admin)
    r = client.patch(f"/api/v1/staff/{engineer.id}", {"company": company.id, "name": "钱工"})
    assert r.status_code == 200, r.content  # its own company: nothing to change
    r = client.patch(f"/api/v1/staff/{engineer.id}", {"company": other_company.id, "name": "x"})
    assert r.status_code == 400
    assert list(r.json()["error"]["fields"]) == ["company"]
    r = client.patch(f"/api/v1/staff/{engineer.id}", {"company": None})
    assert r.status_code == 400 and "company" in r.json()["error"]["fields"]
    engineer.refresh_from_db()
    assert (engineer.company_id, engineer.name) == (company.id, "钱工")
    # Without the right it is 403 first.
    r = api_client_for(office_manager).patch(
        f"/api/v1/staff/{engineer.id}", {"company": other_company.id}
    )
    assert r.status_code == 403


@pytest.fixture
def engineer_with_phone(engineer):
    engineer.phone = "13900001111"
    engineer.save(update_fields=["phone"])
    return engineer


def test_staff_phone_masked_unless_revealed(api_client_for, receptionist, engineer_with_phone):
    client = api_client_for(receptionist)
    r = client.get(f"/api/v1/staff/{engineer_with_phone.id}")
    assert r.json()["phone"] == "139****1111"
    assert not AccessLog.objects.exists()
    r = client.get(f"/api/v1/staff/{engineer_with_phone.id}?reveal=phone")
    assert r.status_code == 200
    assert r.json()["phone"] == "13900001111"
    log = AccessLog.objects.get()
    assert (log.user_id, log.object_type, log.object_id, log.field) == (
        receptionist.id,
        "staff",
        str(engineer_with_phone.id),
        "phone",
    )


def test_staff_reveal_on_the_list_logs_each_phone_shown(
    api_client_for, receptionist, engineer_with_phone, supervisor
):
    r = api_client_for(receptionist).get("/api/v1/staff?reveal=phone")
    assert r.status_code == 200
    phones = {s["id"]: s["phone"] for s in r.json()["results"]}
    assert phones[engineer_with_phone.id] == "13900001111"
    assert phones[supervisor.id] == ""
    # Only the staff whose phone was shown in full are logged.
    assert list(AccessLog.objects.values_list("object_type", "object_id")) == [
        ("staff", str(engineer_with_phone.id))
    ]


def test_staff_reveal_refused_like_owners_phones(
    api_client_for, engineer_with_phone, supervisor, settings
):
    client = api_client_for(engineer_with_phone)  # role "staff": not in REVEAL_ROLES
    for url in (f"/api/v1/staff/{supervisor.id}?reveal=phone", "/api/v1/staff?reveal=phone"):
        r = client.get(url)
        assert r.status_code == 403
        assert r.json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/staff?reveal=id_number").status_code == 400
    assert not AccessLog.objects.exists()
    # The roles come from settings, as for owners.
    settings.OWNERDESK = {**settings.OWNERDESK, "REVEAL_ROLES": {"staff"}}
    r = client.get(f"/api/v1/staff/{engineer_with_phone.id}?reveal=phone")
    assert r.status_code == 200 and r.json()["phone"] == "13900001111"


def test_staff_reveal_refusal_matches_estate(api_client_for, engineer, supervisor, owner):
    client = api_client_for(engineer)
    staff = client.get(f"/api/v1/staff/{supervisor.id}?reveal=phone")
    person = client.get(f"/api/v1/people/{owner.id}?reveal=phone")
    assert staff.status_code == person.status_code == 403
    assert staff.json() == person.json()


def test_staff_list_pages_with_limit_and_cursor(api_client_for, company_admin, company):
    from org.tests.factories import UserFactory

    for _ in range(4):
        UserFactory(company=company)
    client = api_client_for(company_admin)
    seen, url = [], "/api/v1/staff?limit=2"
    while url:
        body = client.get(url).json()
        assert len(body["results"]) <= 2
        seen += [s["id"] for s in body["results"]]
        url = f"/api/v1/staff?limit=2&after={body['next']}" if body["next"] else None
    assert seen == sorted(User.objects.filter(company=company).values_list("id", flat=True))
    assert client.get("/api/v1/staff?limit=201").status_code == 400
