import pytest

from core.models import AccessLog
from estate.models import AttitudeChange, Person, PersonEvent
from estate.tests.factories import BuildingFactory, PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_phone_lookup_finds_owner_with_units(api_client_for, hotline_agent, owner, unit):
    r = api_client_for(hotline_agent).get("/api/v1/people?phone=13812345678")
    assert r.status_code == 200
    (card,) = r.json()["results"]
    assert card["name"] == "张三"
    assert card["phones"] == ["138****5678"]
    assert card["units"][0]["number"] == "3-2-301"
    assert card["units"][0]["relation"] == "owner"
    assert r.json()["next"] is None


def test_phone_lookup_normalises_the_number(api_client_for, hotline_agent, owner):
    r = api_client_for(hotline_agent).get("/api/v1/people", {"phone": "+86 138-1234-5678"})
    assert [p["name"] for p in r.json()["results"]] == ["张三"]


def test_phone_lookup_returns_everyone_sharing_a_number(
    api_client_for, hotline_agent, office, unit
):
    PersonFactory(office=office, name="王五", phones=["13700000000"], units=[unit])
    PersonFactory(office=office, name="王六", phones=["13700000000"], units=[unit])
    r = api_client_for(hotline_agent).get("/api/v1/people?phone=13700000000")
    assert sorted(p["name"] for p in r.json()["results"]) == ["王五", "王六"]


def test_phone_lookup_unknown_and_malformed(api_client_for, hotline_agent, owner):
    client = api_client_for(hotline_agent)
    assert client.get("/api/v1/people?phone=13900000000").json()["results"] == []
    r = client.get("/api/v1/people?phone=12")
    assert r.status_code == 400
    assert "phone" in r.json()["error"]["fields"]


def test_phone_lookup_never_crosses_offices_or_companies(
    api_client_for, hotline_agent, person_in_office2, other_office
):
    PersonFactory(office=other_office, name="外人", phones=["13912345678"])
    r = api_client_for(hotline_agent).get("/api/v1/people?phone=13912345678")
    assert r.json()["results"] == []


def test_person_of_another_office_is_404(api_client_for, office_manager, person_in_office2):
    r = api_client_for(office_manager).get(f"/api/v1/people/{person_in_office2.id}")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    r = api_client_for(office_manager).patch(
        f"/api/v1/people/{person_in_office2.id}", {"name": "x"}
    )
    assert r.status_code == 404


def test_person_of_another_company_is_404(api_client_for, other_company_admin, owner):
    assert api_client_for(other_company_admin).get(f"/api/v1/people/{owner.id}").status_code == 404


def test_search_by_pinyin_initials_name_and_unit(api_client_for, receptionist, owner, office, unit):
    PersonFactory(office=office, name="李四", units=[unit])
    client = api_client_for(receptionist)

    def names(q):
        return sorted(p["name"] for p in client.get("/api/v1/people", {"q": q}).json()["results"])

    assert names("zs") == ["张三"]
    assert names("zhangs") == ["张三"]
    assert names("张") == ["张三"]
    assert names("3-2-301") == ["张三", "李四"]
    assert names("1381234") == ["张三"]


def test_reveal_is_logged_and_refused_for_plain_staff(
    api_client_for, receptionist, engineer, owner
):
    r = api_client_for(receptionist).get(f"/api/v1/people/{owner.id}?reveal=phone")
    assert r.status_code == 200
    assert r.json()["phones"] == ["13812345678"]
    log = AccessLog.objects.get()
    assert (log.user_id, log.object_type, log.object_id, log.field) == (
        receptionist.id,
        "person",
        str(owner.id),
        "phone",
    )
    r = api_client_for(engineer).get(f"/api/v1/people/{owner.id}?reveal=phone")
    assert r.status_code == 403
    assert AccessLog.objects.count() == 1


def test_reveal_on_a_list_logs_each_person_shown(api_client_for, receptionist, owner):
    r = api_client_for(receptionist).get("/api/v1/people?phone=13812345678&reveal=phone")
    assert r.json()["results"][0]["phones"] == ["13812345678"]
    assert list(AccessLog.objects.values_list("object_id", flat=True)) == [str(owner.id)]


def test_create_person_with_units_and_phones(api_client_for, receptionist, unit):
    other_unit = UnitFactory(building=unit.building, number="3-2-302")
    r = api_client_for(receptionist).post(
        "/api/v1/people",
        {
            "name": "陈静",
            "phones": ["139 1111 2222", "+8613933334444"],
            "birthday": "1975-03-08",
            "attitude": "favourable",
            "key_client": True,
            "special_needs": "独居老人",
            "units": [
                {"unit": unit.id, "relation": "owner"},
                {"unit": other_unit.id, "relation": "tenant"},
            ],
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["phones"] == ["139****2222", "139****4444"]
    assert {(u["number"], u["relation"]) for u in body["units"]} == {
        ("3-2-301", "owner"),
        ("3-2-302", "tenant"),
    }
    person = Person.objects.get(id=body["id"])
    assert person.name_initials == "cj"
    assert person.events.get().kind == PersonEvent.Kind.CREATED


def test_create_person_field_errors(api_client_for, receptionist, unit):
    client = api_client_for(receptionist)
    r = client.post(
        "/api/v1/people",
        {"name": "X", "phones": [], "units": [{"unit": unit.id, "relation": "boss"}]},
    )
    assert r.status_code == 400
    assert "units.0.relation" in r.json()["error"]["fields"]
    r = client.post(
        "/api/v1/people",
        {"name": "X", "phones": ["123"], "units": [{"unit": unit.id, "relation": "owner"}]},
    )
    assert r.status_code == 400
    assert "phones" in r.json()["error"]["fields"]
    r = client.post(
        "/api/v1/people", {"phones": [], "units": [{"unit": unit.id, "relation": "owner"}]}
    )
    assert r.status_code == 400 and "name" in r.json()["error"]["fields"]
    r = client.post(
        "/api/v1/people", {"name": "X", "phones": [], "birthday": "not a date", "units": []}
    )
    assert r.status_code == 400 and "birthday" in r.json()["error"]["fields"]


def test_create_person_requires_phones_units_and_relation(api_client_for, receptionist, unit):
    """API.md marks only birthday, attitude, key_client and special_needs optional."""
    client = api_client_for(receptionist)
    link = {"unit": unit.id, "relation": "owner"}
    r = client.post("/api/v1/people", {"name": "X", "units": [link]})
    assert r.status_code == 400 and set(r.json()["error"]["fields"]) == {"phones"}
    r = client.post("/api/v1/people", {"name": "X", "phones": ["13811112222"]})
    assert r.status_code == 400 and set(r.json()["error"]["fields"]) == {"units"}
    r = client.post("/api/v1/people", {"name": "X", "phones": [], "units": [{"unit": unit.id}]})
    assert r.status_code == 400 and set(r.json()["error"]["fields"]) == {"units.0.relation"}
    assert not Person.objects.filter(name="X").exists()
    # Empty lists are allowed: the keys must be sent, not filled.
    r = client.post("/api/v1/people", {"name": "X", "phones": [], "units": [link]})
    assert r.status_code == 201, r.content
    assert r.json()["phones"] == []
    r = client.post(
        "/api/v1/people",
        {"name": "Y", "phones": ["13811112222"], "units": [], "office": unit.community.office_id},
    )
    assert r.status_code == 201, r.content
    assert r.json()["units"] == []


def test_patch_person_stays_partial(api_client_for, receptionist, owner):
    client = api_client_for(receptionist)
    r = client.patch(f"/api/v1/people/{owner.id}", {"special_needs": "行动不便"})
    assert r.status_code == 200, r.content
    assert r.json()["phones"] == ["138****5678"]
    assert [u["relation"] for u in r.json()["units"]] == ["owner"]
    unit_id = r.json()["units"][0]["unit"]
    r = client.patch(f"/api/v1/people/{owner.id}", {"units": [{"unit": unit_id}]})
    assert r.status_code == 400 and "units.0.relation" in r.json()["error"]["fields"]


def test_create_person_on_invisible_unit_is_404(api_client_for, receptionist, person_in_office2):
    unit_id = person_in_office2.unit_links.get().unit_id
    r = api_client_for(receptionist).post(
        "/api/v1/people",
        {"name": "X", "phones": [], "units": [{"unit": unit_id, "relation": "owner"}]},
    )
    assert r.status_code == 404
    assert "units.0.unit" in r.json()["error"]["fields"]


def test_quality_role_may_not_create_people(api_client_for, quality, unit):
    r = api_client_for(quality).post(
        "/api/v1/people",
        {"name": "X", "phones": [], "units": [{"unit": unit.id, "relation": "owner"}]},
    )
    assert r.status_code == 403


def test_patch_person_records_timeline_and_attitude_history(api_client_for, receptionist, owner):
    r = api_client_for(receptionist).patch(
        f"/api/v1/people/{owner.id}",
        {
            "phones": ["13812345678", "13600001111"],
            "attitude": "adverse",
            "attitude_reason": "拒交物业费并在业主群发负面言论",
            "address_as": "张老师",
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["attitude"] == "adverse"
    assert r.json()["phones"] == ["138****5678", "136****1111"]
    change = AttitudeChange.objects.get(person=owner)
    assert (change.previous, change.attitude, change.actor_id) == (
        "neutral",
        "adverse",
        receptionist.id,
    )
    kinds = set(owner.events.values_list("kind", flat=True))
    assert kinds == {"updated", "phones_changed", "attitude_changed"}
    phones_event = owner.events.get(kind="phones_changed")
    assert "13600001111" not in str(phones_event.changes)  # masked in the timeline


def test_estate_structure_endpoints(api_client_for, office_manager, office):
    client = api_client_for(office_manager)
    c = client.post("/api/v1/communities", {"code": "bj1", "name": "滨江壹号", "office": office.id})
    assert c.status_code == 201, c.content
    b = client.post("/api/v1/buildings", {"community": c.json()["id"], "name": "A座"})
    assert b.status_code == 201
    u = client.post(
        "/api/v1/units",
        {
            "community": c.json()["id"],
            "building": b.json()["id"],
            "number": "A-1201",
            "area_m2": "128.50",
            "residency": "rented",
        },
    )
    assert u.status_code == 201, u.content
    assert u.json()["residency"] == "rented"
    dup = client.post("/api/v1/units", {"community": c.json()["id"], "number": "A-1201"})
    assert dup.status_code == 400 and "number" in dup.json()["error"]["fields"]
    listed = client.get(f"/api/v1/units?community={c.json()['id']}").json()["results"]
    assert [x["number"] for x in listed] == ["A-1201"]


def test_estate_structure_is_managers_only(api_client_for, receptionist, office, community):
    client = api_client_for(receptionist)
    assert (
        client.post(
            "/api/v1/communities", {"code": "z", "name": "z", "office": office.id}
        ).status_code
        == 403
    )
    assert (
        client.post("/api/v1/buildings", {"community": community.id, "name": "9号楼"}).status_code
        == 403
    )
    assert (
        client.post("/api/v1/units", {"community": community.id, "number": "9-1-1"}).status_code
        == 403
    )


def test_other_office_community_is_404_for_writes_and_reads(
    api_client_for, office_manager, community2
):
    client = api_client_for(office_manager)
    assert client.get(f"/api/v1/communities/{community2.id}").status_code == 404
    r = client.post("/api/v1/units", {"community": community2.id, "number": "1-1-1"})
    assert r.status_code == 404
    assert client.get(f"/api/v1/units?community={community2.id}").json()["results"] == []


def test_units_in_another_office_are_neither_shown_nor_dropped(
    api_client_for, receptionist, owner, community2
):
    from estate.models import UnitLink

    elsewhere = UnitFactory(
        building=BuildingFactory(community=community2, name="9号楼"), number="9-1-101"
    )
    UnitLink.objects.create(person=owner, unit=elsewhere, relation="owner")
    client = api_client_for(receptionist)
    body = client.get(f"/api/v1/people/{owner.id}").json()
    assert [u["number"] for u in body["units"]] == [
        "3-2-301"
    ]  # the other office's home stays private
    own_unit = body["units"][0]["unit"]
    r = client.patch(
        f"/api/v1/people/{owner.id}", {"units": [{"unit": own_unit, "relation": "family"}]}
    )
    assert r.status_code == 200
    assert set(UnitLink.objects.filter(person=owner).values_list("unit__number", "relation")) == {
        ("3-2-301", "family"),
        ("9-1-101", "owner"),
    }
    event = owner.events.get(kind="units_changed")
    assert "9-1-101" not in str(event.changes)


def test_estate_creates_refuse_a_caller_without_the_role_before_duplicate_checks(
    api_client_for, receptionist, office, community, building, unit
):
    """403, not 400: a refused caller must not learn that the code/name/number exists."""
    from estate.models import Building, Community, Unit

    client = api_client_for(receptionist)
    r = client.post(
        "/api/v1/communities", {"code": community.code, "name": "重复", "office": office.id}
    )
    assert r.status_code == 403 and r.json()["error"]["fields"] == {}
    r = client.post("/api/v1/buildings", {"community": community.id, "name": building.name})
    assert r.status_code == 403 and r.json()["error"]["fields"] == {}
    r = client.post("/api/v1/units", {"community": community.id, "number": unit.number})
    assert r.status_code == 403 and r.json()["error"]["fields"] == {}
    assert (Community.objects.count(), Building.objects.count(), Unit.objects.count()) == (1, 1, 1)


def test_estate_creates_refuse_without_the_role_before_looking_up_references(
    api_client_for, receptionist, office2, community2
):
    client = api_client_for(receptionist)
    assert (
        client.post(
            "/api/v1/communities", {"code": "z", "name": "z", "office": office2.id}
        ).status_code
        == 403
    )
    assert (
        client.post("/api/v1/buildings", {"community": community2.id, "name": "z"}).status_code
        == 403
    )
    assert client.post("/api/v1/units", {"community": 999999, "number": "z"}).status_code == 403


def test_estate_duplicates_are_400_naming_the_field_for_a_manager(
    api_client_for, office_manager, office, community, building
):
    client = api_client_for(office_manager)
    r = client.post(
        "/api/v1/communities", {"code": community.code, "name": "重复", "office": office.id}
    )
    assert r.status_code == 400 and list(r.json()["error"]["fields"]) == ["code"]
    r = client.post("/api/v1/buildings", {"community": community.id, "name": f" {building.name} "})
    assert r.status_code == 400 and list(r.json()["error"]["fields"]) == ["name"]
