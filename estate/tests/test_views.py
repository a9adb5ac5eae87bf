"""Staff pages of communities, units, people and the roster.

Each view has a positive test and its denials: anonymous → login, another office →
404 (never 403, never leaked), a missing role → 403.
"""

from urllib.parse import unquote

import pytest
from django.urls import reverse

from core.models import AccessLog
from estate import roster
from estate.models import AttitudeChange, Community, Person, Unit
from estate.tests.factories import BuildingFactory, PersonFactory, UnitFactory

pytestmark = pytest.mark.django_db

FULL = "13812345678"
MASKED = "138****5678"


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def html_of(response) -> str:
    return response.content.decode()


# Communities


def test_community_list_shows_visible_communities_with_unit_counts(
    client, receptionist, unit, community2
):
    client.force_login(receptionist)
    response = client.get(reverse("estate:community_list"))
    assert response.status_code == 200
    html = html_of(response)
    assert "翠湖花园" in html
    assert "锦绣苑" not in html
    assert response.context["communities"][0].unit_count == 1
    # Not a manager: no button to create or edit.
    assert reverse("estate:community_create") not in html


def test_community_list_needs_login(client):
    assert_login_redirect(client.get(reverse("estate:community_list")))


def test_community_detail_shows_buildings_with_unit_counts(client, receptionist, unit):
    client.force_login(receptionist)
    response = client.get(reverse("estate:community_detail", args=[unit.community_id]))
    assert response.status_code == 200
    assert "3号楼" in html_of(response)
    assert [b.unit_count for b in response.context["buildings"]] == [1]
    assert f"building={unit.building_id}" in html_of(response)


def test_community_detail_of_another_office_is_404(client, receptionist, community2):
    client.force_login(receptionist)
    response = client.get(reverse("estate:community_detail", args=[community2.pk]))
    assert response.status_code == 404
    assert "锦绣苑" not in html_of(response)


def test_community_detail_needs_login(client, community):
    assert_login_redirect(client.get(reverse("estate:community_detail", args=[community.pk])))


def test_manager_creates_a_community(client, office_manager, office):
    client.force_login(office_manager)
    assert reverse("estate:community_create") in html_of(
        client.get(reverse("estate:community_list"))
    )
    response = client.post(
        reverse("estate:community_create"),
        {"office": office.pk, "name": "翠湖二期", "code": "cuihu2", "address": "湖滨路2号"},
    )
    community = Community.objects.get(code="cuihu2")
    assert response.status_code == 302
    assert response.url == reverse("estate:community_detail", args=[community.pk])
    assert community.office == office


def test_community_create_shows_service_errors_next_to_the_inputs(
    client, office_manager, office, community
):
    client.force_login(office_manager)
    response = client.post(
        reverse("estate:community_create"),
        {"office": office.pk, "name": "重复", "code": community.code},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "已经存在" in html_of(response)
    assert Community.objects.filter(name="重复").count() == 0


def test_manager_cannot_create_a_community_for_another_office(client, office_manager, office2):
    client.force_login(office_manager)
    response = client.post(
        reverse("estate:community_create"), {"office": office2.pk, "name": "X", "code": "x"}
    )
    assert response.status_code == 200
    assert "office" in response.context["form"].errors
    assert not Community.objects.filter(code="x").exists()


def test_community_create_is_403_without_the_role(client, receptionist):
    client.force_login(receptionist)
    assert client.get(reverse("estate:community_create")).status_code == 403


def test_community_create_needs_login(client):
    assert_login_redirect(client.get(reverse("estate:community_create")))


def test_manager_edits_a_community(client, office_manager, community):
    client.force_login(office_manager)
    url = reverse("estate:community_edit", args=[community.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "翠湖花园（一期）", "code": "cuihu", "address": ""})
    assert response.status_code == 302
    community.refresh_from_db()
    assert community.name == "翠湖花园（一期）"


def test_community_edit_is_403_without_the_role(client, receptionist, community):
    client.force_login(receptionist)
    assert client.get(reverse("estate:community_edit", args=[community.pk])).status_code == 403


def test_community_edit_of_another_office_is_404(client, office2_manager, community):
    client.force_login(office2_manager)
    assert client.get(reverse("estate:community_edit", args=[community.pk])).status_code == 404


# Units


def test_unit_list_filters_by_community_building_and_number_prefix(
    client, receptionist, unit, person_in_office2
):
    other = UnitFactory(building=BuildingFactory(community=unit.community, name="5号楼"))
    client.force_login(receptionist)
    url = reverse("estate:unit_list")
    html = html_of(client.get(url))
    assert "3-2-301" in html and other.number in html
    assert "1-1-101" not in html  # another office's unit
    html = html_of(client.get(url, {"community": unit.community_id, "q": "3-2"}))
    assert "3-2-301" in html and other.number not in html
    html = html_of(client.get(url, {"community": unit.community_id, "building": other.building_id}))
    assert other.number in html and "3-2-301" not in html


def test_unit_list_ignores_a_community_of_another_office(
    client, receptionist, unit, person_in_office2
):
    client.force_login(receptionist)
    community2 = person_in_office2.unit_links.get().unit.community
    html = html_of(client.get(reverse("estate:unit_list"), {"community": community2.pk}))
    assert "1-1-101" not in html
    assert "锦绣苑" not in html


def test_unit_list_needs_login(client):
    assert_login_redirect(client.get(reverse("estate:unit_list")))


def test_unit_list_htmx_returns_only_the_results(client, receptionist, unit):
    client.force_login(receptionist)
    response = client.get(reverse("estate:unit_list"), {"q": "3-"}, HTTP_HX_REQUEST="true")
    html = html_of(response)
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html
    assert "3-2-301" in html


def test_unit_list_paginates_50_per_page(client, receptionist, building):
    UnitFactory.create_batch(51, building=building)
    client.force_login(receptionist)
    response = client.get(reverse("estate:unit_list"))
    assert len(response.context["page"]) == 50
    assert len(client.get(reverse("estate:unit_list"), {"page": 2}).context["page"]) == 1


@pytest.mark.parametrize("rows", [5, 30])
def test_unit_list_queries_do_not_grow_with_rows(
    client, receptionist, building, rows, django_assert_num_queries
):
    for unit in UnitFactory.create_batch(rows, building=building):
        PersonFactory(office=building.community.office, phones=[], units=[unit])
    client.force_login(receptionist)
    url = reverse("estate:unit_list")
    # session, user, the user's offices, the chosen community, count, page,
    # and the community and building choices of the filter form
    with django_assert_num_queries(8):
        response = client.get(url, {"community": building.community_id})
    assert len(response.context["page"]) == rows


def test_unit_detail_shows_people_with_relation_and_masked_phones(client, receptionist, owner):
    unit = owner.unit_links.get().unit
    client.force_login(receptionist)
    response = client.get(reverse("estate:unit_detail", args=[unit.pk]))
    assert response.status_code == 200
    html = html_of(response)
    assert "张三" in html and "业主" in html
    assert MASKED in html
    assert FULL not in html


def test_unit_detail_of_another_office_is_404(client, receptionist, person_in_office2):
    client.force_login(receptionist)
    unit = person_in_office2.unit_links.get().unit
    assert client.get(reverse("estate:unit_detail", args=[unit.pk])).status_code == 404


def test_unit_detail_needs_login(client, unit):
    assert_login_redirect(client.get(reverse("estate:unit_detail", args=[unit.pk])))


def test_manager_creates_a_unit_in_a_new_building(client, office_manager, community):
    client.force_login(office_manager)
    url = reverse("estate:unit_create", args=[community.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "building": "8号楼",
            "entrance": "1",
            "room": "1201",
            "number": "8-1-1201",
            "area_m2": "120.5",
            "residency": "rented",
        },
    )
    unit = Unit.objects.get(number="8-1-1201")
    assert response.status_code == 302
    assert unit.building.name == "8号楼"
    assert unit.residency == "rented"


def test_unit_create_duplicate_number_shows_the_error_and_leaves_no_building(
    client, office_manager, unit
):
    client.force_login(office_manager)
    response = client.post(
        reverse("estate:unit_create", args=[unit.community_id]),
        {"building": "9号楼", "number": unit.number, "residency": "occupied"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not unit.community.buildings.filter(name="9号楼").exists()


def test_unit_create_is_403_without_the_role(client, receptionist, community):
    client.force_login(receptionist)
    assert client.get(reverse("estate:unit_create", args=[community.pk])).status_code == 403


def test_unit_create_in_another_office_is_404(client, office2_manager, community):
    client.force_login(office2_manager)
    assert client.get(reverse("estate:unit_create", args=[community.pk])).status_code == 404


def test_manager_edits_a_unit(client, office_manager, unit):
    client.force_login(office_manager)
    url = reverse("estate:unit_edit", args=[unit.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"building": "3号楼", "number": unit.number, "residency": "vacant", "area_m2": "88"}
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.residency == "vacant"


def test_unit_edit_is_403_without_the_role(client, receptionist, unit):
    client.force_login(receptionist)
    assert client.get(reverse("estate:unit_edit", args=[unit.pk])).status_code == 403


def test_unit_edit_of_another_office_is_404(client, office2_manager, unit):
    client.force_login(office2_manager)
    assert client.get(reverse("estate:unit_edit", args=[unit.pk])).status_code == 404


# People: list and search


@pytest.mark.parametrize("q", ["张", "13812345678", "1381", "3-2-301", "3-2", "zs", "zhangs"])
def test_person_search(client, receptionist, owner, person_in_office2, q):
    PersonFactory(office=owner.office, name="王五", phones=["13700000000"])
    client.force_login(receptionist)
    response = client.get(reverse("estate:person_list"), {"q": q})
    assert [p.name for p in response.context["page"]] == ["张三"]


def test_person_list_rows_show_marks_masked_phones_and_units(client, receptionist, owner):
    owner.key_client = True
    owner.special_needs = "独居老人"
    owner.address_as = "张老师"
    owner.save()
    client.force_login(receptionist)
    html = html_of(client.get(reverse("estate:person_list")))
    for text in ("张三", "张老师", MASKED, "翠湖花园 3-2-301", "中立", "关键客户", "特殊需要"):
        assert text in html
    assert FULL not in html


def test_person_list_never_shows_other_offices(client, receptionist, owner, person_in_office2):
    client.force_login(receptionist)
    html = html_of(client.get(reverse("estate:person_list"), {"q": "李"}))
    assert "李四" not in html


def test_person_list_leaves_out_units_of_offices_the_user_cannot_see(
    client, receptionist, owner, community2
):
    elsewhere = UnitFactory(building=BuildingFactory(community=community2), number="9-9-909")
    owner.unit_links.create(unit=elsewhere, relation="owner")
    client.force_login(receptionist)
    html = html_of(client.get(reverse("estate:person_list")))
    assert "3-2-301" in html
    assert "9-9-909" not in html and "锦绣苑" not in html


def test_person_list_needs_login(client):
    assert_login_redirect(client.get(reverse("estate:person_list")))


def test_person_list_htmx_returns_only_the_results(client, receptionist, owner):
    client.force_login(receptionist)
    response = client.get(reverse("estate:person_list"), {"q": "zs"}, HTTP_HX_REQUEST="true")
    html = html_of(response)
    assert html.lstrip().startswith('<div id="results">')
    assert "<html" not in html and "topbar" not in html
    assert "张三" in html


def test_person_list_htmx_history_restore_gets_the_whole_page(client, receptionist, owner):
    client.force_login(receptionist)
    response = client.get(
        reverse("estate:person_list"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in html_of(response)


# session, user, the user's offices, the list's ids (up to the cap: the count), the
# page's rows, phones, unit links
@pytest.mark.parametrize("rows", [5, 30, 60])
def test_person_list_queries_do_not_grow_with_rows(
    client, receptionist, building, rows, django_assert_num_queries
):
    office = building.community.office
    for i, unit in enumerate(UnitFactory.create_batch(rows, building=building)):
        PersonFactory(office=office, name=f"业主{i}", phones=[f"1390000{i:04d}"], units=[unit])
    client.force_login(receptionist)
    with django_assert_num_queries(7):
        response = client.get(reverse("estate:person_list"))
    assert len(response.context["page"]) == min(rows, 50)
    assert response.context["page"].paginator.count == rows


# People: detail and the reveal of phones


def test_person_detail_shows_the_profile_with_phones_masked(client, receptionist, owner):
    owner.special_needs = "独居老人，行动不便"
    owner.key_client = True
    owner.preferred_channels = ["wechat", "phone"]
    owner.courtesy_notes = "上午不方便接电话"
    owner.save()
    client.force_login(receptionist)
    response = client.get(reverse("estate:person_detail", args=[owner.pk]))
    assert response.status_code == 200
    html = html_of(response)
    for text in (
        "张三",
        "独居老人，行动不便",
        "关键客户",
        "微信、电话",
        "上午不方便接电话",
        "翠湖花园",
        "3-2-301",
        "业主",
        MASKED,
        "联系记录",
    ):
        assert text in html, text
    assert FULL not in html
    assert reverse("estate:person_phones_reveal", args=[owner.pk]) in html


def test_person_detail_shows_timeline_and_attitude_history(client, receptionist, owner):
    from estate.services import person_update

    person_update(
        person=owner,
        actor=receptionist,
        attitude="adverse",
        attitude_reason="拒交物业费",
        phone_numbers=[FULL, "13987654321"],
    )
    client.force_login(receptionist)
    html = html_of(client.get(reverse("estate:person_detail", args=[owner.pk])))
    assert "拒交物业费" in html
    assert "逆意" in html
    assert "139****4321" in html  # the event's phones, stored masked
    assert "13987654321" not in html
    assert receptionist.name in html


def test_person_timeline_speaks_the_users_language(client, receptionist, owner, settings):
    from estate.services import person_update

    person_update(person=owner, actor=receptionist, phone_numbers=[FULL, "13987654321"])
    client.force_login(receptionist)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = html_of(client.get(reverse("estate:person_detail", args=[owner.pk])))
    assert "Phones changed" in html
    assert "Phones:</span> 138****5678 → 138****5678, 139****4321" in html


def test_person_detail_of_another_office_is_404(client, receptionist, person_in_office2):
    client.force_login(receptionist)
    response = client.get(reverse("estate:person_detail", args=[person_in_office2.pk]))
    assert response.status_code == 404
    assert "李四" not in html_of(response)


def test_person_detail_needs_login(client, owner):
    assert_login_redirect(client.get(reverse("estate:person_detail", args=[owner.pk])))


def test_reveal_returns_the_phones_partial_and_logs_it(client, receptionist, owner):
    client.force_login(receptionist)
    response = client.post(
        reverse("estate:person_phones_reveal", args=[owner.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = html_of(response)
    assert html.lstrip().startswith('<div id="phones"')
    assert FULL in html
    assert "<html" not in html
    log = AccessLog.objects.get()
    assert (log.user, log.object_type, log.object_id, log.field) == (
        receptionist,
        "person",
        str(owner.pk),
        "phone",
    )


def test_reveal_without_htmx_renders_the_whole_page(client, hotline_agent, owner):
    client.force_login(hotline_agent)
    response = client.post(reverse("estate:person_phones_reveal", args=[owner.pk]))
    assert "<html" in html_of(response) and FULL in html_of(response)
    assert AccessLog.objects.count() == 1


def test_reveal_is_refused_for_a_role_that_may_not_see_phones(client, engineer, owner):
    client.force_login(engineer)
    detail = html_of(client.get(reverse("estate:person_detail", args=[owner.pk])))
    assert reverse("estate:person_phones_reveal", args=[owner.pk]) not in detail
    response = client.post(
        reverse("estate:person_phones_reveal", args=[owner.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert FULL not in html_of(response)
    assert AccessLog.objects.count() == 0


def test_reveal_of_another_office_is_404_and_not_logged(client, office2_manager, owner):
    client.force_login(office2_manager)
    response = client.post(reverse("estate:person_phones_reveal", args=[owner.pk]))
    assert response.status_code == 404
    assert AccessLog.objects.count() == 0


def test_reveal_is_post_only(client, receptionist, owner):
    client.force_login(receptionist)
    response = client.get(reverse("estate:person_phones_reveal", args=[owner.pk]))
    assert response.status_code == 405
    assert AccessLog.objects.count() == 0


def test_reveal_needs_login(client, owner):
    assert_login_redirect(client.post(reverse("estate:person_phones_reveal", args=[owner.pk])))


# People: create and edit


def _person_post(**overrides):
    data = {
        "name": "陈静",
        "address_as": "陈阿姨",
        "phones": "139 1111 2222\n021-66668888",
        "birthday": "1960-05-01",
        "attitude": "favourable",
        "key_client": "on",
        "special_needs": "",
        "courtesy_notes": "",
        "preferred_channels": ["sms"],
        "units-TOTAL_FORMS": "2",
        "units-INITIAL_FORMS": "0",
        "units-0-community": "",
        "units-0-number": "",
        "units-0-relation": "owner",
        "units-1-community": "",
        "units-1-number": "",
        "units-1-relation": "owner",
    }
    data.update(overrides)
    return data


def test_receptionist_registers_a_person_with_a_unit(client, receptionist, unit):
    client.force_login(receptionist)
    url = reverse("estate:person_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        _person_post(
            **{
                "units-0-community": unit.community_id,
                "units-0-number": "3-2-301",
                "units-0-relation": "tenant",
            }
        ),
    )
    person = Person.objects.get(name="陈静")
    assert response.status_code == 302
    assert response.url == reverse("estate:person_detail", args=[person.pk])
    assert list(person.phones.values_list("number", flat=True)) == ["13911112222", "02166668888"]
    link = person.unit_links.get()
    assert (link.unit, link.relation) == (unit, "tenant")
    assert person.key_client and person.attitude == "favourable"
    assert person.preferred_channels == ["sms"]
    assert person.name_initials == "cj"


def test_person_create_shows_bad_phones_next_to_the_field(client, receptionist, unit):
    client.force_login(receptionist)
    response = client.post(
        reverse("estate:person_create"),
        _person_post(
            phones="12345",
            **{"units-0-community": unit.community_id, "units-0-number": "3-2-301"},
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phones"]
    assert "12345" in html_of(response)
    assert not Person.objects.filter(name="陈静").exists()


def test_person_create_with_an_unknown_unit_number_is_a_row_error(client, receptionist, unit):
    client.force_login(receptionist)
    response = client.post(
        reverse("estate:person_create"),
        _person_post(**{"units-0-community": unit.community_id, "units-0-number": "9-9-999"}),
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["number"]
    assert not Person.objects.filter(name="陈静").exists()


def test_person_create_cannot_use_a_unit_of_another_office(
    client, receptionist, unit, person_in_office2
):
    unit2 = person_in_office2.unit_links.get().unit
    client.force_login(receptionist)
    response = client.post(
        reverse("estate:person_create"),
        _person_post(**{"units-0-community": unit2.community_id, "units-0-number": unit2.number}),
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["community"]
    assert not Person.objects.filter(name="陈静").exists()


def test_person_create_is_403_without_the_role(client, quality):
    client.force_login(quality)
    assert client.get(reverse("estate:person_create")).status_code == 403


def test_person_create_needs_login(client):
    assert_login_redirect(client.get(reverse("estate:person_create")))


def _edit_post(person, **overrides):
    link = person.unit_links.get()
    data = _person_post(
        name=person.name,
        phones="",
        attitude=person.attitude,
        key_client="",
        preferred_channels=[],
        **{
            "units-TOTAL_FORMS": "3",
            "units-INITIAL_FORMS": "1",
            "units-0-community": link.unit.community_id,
            "units-0-number": link.unit.number,
            "units-0-relation": link.relation,
            "units-2-community": "",
            "units-2-number": "",
            "units-2-relation": "owner",
        },
    )
    data.update(overrides)
    return data


def test_edit_form_does_not_reveal_phones(client, engineer, owner):
    client.force_login(engineer)
    response = client.get(reverse("estate:person_edit", args=[owner.pk]))
    assert response.status_code == 200
    assert MASKED in html_of(response)
    assert FULL not in html_of(response)


def test_person_edit_changes_attitude_with_reason_and_phones(client, receptionist, owner):
    client.force_login(receptionist)
    old_phone = owner.phones.get()
    response = client.post(
        reverse("estate:person_edit", args=[owner.pk]),
        _edit_post(
            owner,
            attitude="adverse",
            attitude_reason="长期拒交物业费",
            phones="13900001111",
            remove_phones=[str(old_phone.pk)],
        ),
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.attitude == "adverse"
    assert AttitudeChange.objects.get(person=owner).reason == "长期拒交物业费"
    assert list(owner.phones.values_list("number", flat=True)) == ["13900001111"]
    assert owner.unit_links.count() == 1


def test_person_edit_keeps_units_of_offices_the_user_cannot_see(
    client, receptionist, owner, community2
):
    elsewhere = UnitFactory(building=BuildingFactory(community=community2), number="9-9-909")
    owner.unit_links.create(unit=elsewhere, relation="owner")
    client.force_login(receptionist)
    url = reverse("estate:person_edit", args=[owner.pk])
    response = client.get(url)
    assert [f.initial["number"] for f in response.context["formset"].forms[:1]] == ["3-2-301"]
    assert "9-9-909" not in html_of(response)
    data = _person_post(
        name="张三丰",
        phones="",
        attitude="neutral",
        **{
            # as the page sends it: the existing link is an initial form
            "units-INITIAL_FORMS": "1",
            "units-0-community": str(
                owner.unit_links.get(unit__number="3-2-301").unit.community_id
            ),
            "units-0-number": "3-2-301",
        },
    )
    assert client.post(url, data).status_code == 302
    owner.refresh_from_db()
    assert owner.name == "张三丰"
    assert owner.unit_links.count() == 2


def test_person_edit_is_403_without_the_role(client, quality, owner):
    client.force_login(quality)
    assert client.get(reverse("estate:person_edit", args=[owner.pk])).status_code == 403


def test_person_edit_of_another_office_is_404(client, office2_manager, owner):
    client.force_login(office2_manager)
    assert client.get(reverse("estate:person_edit", args=[owner.pk])).status_code == 404


def test_person_edit_needs_login(client, owner):
    assert_login_redirect(client.get(reverse("estate:person_edit", args=[owner.pk])))


# Roster import and export. These test the pages against estate.roster's interface;
# the roster's own behaviour is tested with it.

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def fake_roster(monkeypatch):
    calls = {}

    def roster_import(*, community, file, actor):
        calls["import"] = (community, file.read(), actor)
        return roster.RosterImportResult(
            units_created=3,
            people_created=2,
            links_created=4,
            rows_unchanged=1,
            units_updated=0,
            phones_added=2,
            buildings_created=1,
        )

    def roster_export(*, community, actor, reveal=False):
        calls["export"] = (community, actor, reveal)
        return b"PK-export"

    monkeypatch.setattr(roster, "roster_import", roster_import, raising=False)
    monkeypatch.setattr(roster, "roster_export", roster_export, raising=False)
    monkeypatch.setattr(roster, "roster_template", lambda: b"PK-template", raising=False)
    return calls


def _upload(name="名册.xlsx", content=b"PK-sheet"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=XLSX)


def test_roster_index_lists_managed_communities(client, office_manager, community, community2):
    client.force_login(office_manager)
    response = client.get(reverse("estate:roster_index"))
    assert response.status_code == 200
    assert "翠湖花园" in html_of(response) and "锦绣苑" not in html_of(response)


def test_roster_index_is_403_without_the_role(client, receptionist):
    client.force_login(receptionist)
    assert client.get(reverse("estate:roster_index")).status_code == 403


def test_roster_index_needs_login(client):
    assert_login_redirect(client.get(reverse("estate:roster_index")))


def test_roster_template_is_an_xlsx_with_a_chinese_name(client, office_manager, fake_roster):
    client.force_login(office_manager)
    response = client.get(reverse("estate:roster_template"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response.content == b"PK-template"
    disposition = response["Content-Disposition"]
    assert disposition.lower().startswith("attachment; filename*=utf-8''")
    assert unquote(disposition.split("''", 1)[1]) == "业主名册模板.xlsx"


def test_roster_template_is_403_without_the_role(client, receptionist, fake_roster):
    client.force_login(receptionist)
    assert client.get(reverse("estate:roster_template")).status_code == 403


def test_roster_import_shows_the_counts(client, office_manager, community, fake_roster):
    client.force_login(office_manager)
    url = reverse("estate:roster_import", args=[community.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": _upload()})
    assert response.status_code == 200
    assert fake_roster["import"] == (community, b"PK-sheet", office_manager)
    html = html_of(response)
    assert "已导入" in html and "新建房屋" in html
    assert response.context["result"].units_created == 3


def test_roster_import_lists_every_bad_row_and_says_nothing_was_imported(
    client, office_manager, community, monkeypatch
):
    rows = [
        roster.RowError(row=3, column="电话", reason="不是有效的电话号码"),
        roster.RowError(row=7, column="房号", reason="房号为空"),
    ]

    def roster_import(**kwargs):
        raise roster.RosterInvalid(rows)

    monkeypatch.setattr(roster, "roster_import", roster_import, raising=False)
    client.force_login(office_manager)
    response = client.post(
        reverse("estate:roster_import", args=[community.pk]), {"file": _upload()}
    )
    html = html_of(response)
    assert "未导入任何数据" in html
    for text in ("不是有效的电话号码", "房号为空", ">3<", ">7<"):
        assert text in html


def test_roster_import_shows_a_bad_file_on_the_form(client, office_manager, community, monkeypatch):
    from core.errors import BadInput

    def roster_import(**kwargs):
        raise BadInput("这不是 Excel 文件", fields={"file": ["这不是 Excel 文件"]})

    monkeypatch.setattr(roster, "roster_import", roster_import, raising=False)
    client.force_login(office_manager)
    response = client.post(
        reverse("estate:roster_import", args=[community.pk]), {"file": _upload()}
    )
    assert response.context["form"].errors["file"] == ["这不是 Excel 文件"]


def test_roster_import_refuses_other_file_types(client, office_manager, community, fake_roster):
    client.force_login(office_manager)
    response = client.post(
        reverse("estate:roster_import", args=[community.pk]), {"file": _upload("名册.csv")}
    )
    assert response.context["form"].errors["file"]
    assert "import" not in fake_roster


def test_roster_import_is_403_without_the_role(client, receptionist, community, fake_roster):
    client.force_login(receptionist)
    url = reverse("estate:roster_import", args=[community.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"file": _upload()}).status_code == 403
    assert "import" not in fake_roster


def test_roster_import_of_another_office_is_404(client, office2_manager, community, fake_roster):
    client.force_login(office2_manager)
    url = reverse("estate:roster_import", args=[community.pk])
    assert client.post(url, {"file": _upload()}).status_code == 404
    assert "import" not in fake_roster


def test_roster_import_needs_login(client, community):
    assert_login_redirect(client.get(reverse("estate:roster_import", args=[community.pk])))


def test_roster_export_is_masked_by_default(client, office_manager, community, fake_roster):
    client.force_login(office_manager)
    response = client.get(reverse("estate:roster_export", args=[community.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert fake_roster["export"] == (community, office_manager, False)
    assert "翠湖花园" in unquote(response["Content-Disposition"])
    assert AccessLog.objects.count() == 0


def test_roster_export_with_full_numbers_is_logged(client, office_manager, community, fake_roster):
    client.force_login(office_manager)
    response = client.post(reverse("estate:roster_export", args=[community.pk]))
    assert response.status_code == 200
    assert fake_roster["export"] == (community, office_manager, True)
    log = AccessLog.objects.get()
    assert (log.object_type, log.object_id, log.field) == (
        "community_roster",
        str(community.pk),
        "phone",
    )


def test_roster_export_with_full_numbers_needs_a_reveal_role(
    client, office_manager, community, fake_roster, settings
):
    settings.OWNERDESK = {**settings.OWNERDESK, "REVEAL_ROLES": {"receptionist"}}
    client.force_login(office_manager)
    page = html_of(client.get(reverse("estate:roster_import", args=[community.pk])))
    assert "完整号码" not in page
    response = client.post(reverse("estate:roster_export", args=[community.pk]))
    assert response.status_code == 403
    assert "export" not in fake_roster
    assert AccessLog.objects.count() == 0


def test_roster_export_is_403_without_the_role(client, receptionist, community, fake_roster):
    client.force_login(receptionist)
    assert client.get(reverse("estate:roster_export", args=[community.pk])).status_code == 403


def test_roster_export_of_another_office_is_404(client, office2_manager, community, fake_roster):
    client.force_login(office2_manager)
    response = client.get(reverse("estate:roster_export", args=[community.pk]))
    assert response.status_code == 404
    assert "export" not in fake_roster


def _sheet(*rows) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(roster.COLUMNS))
    for row in rows:
        sheet.append(list(row))
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _phones_in(content: bytes) -> list[str]:
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(content)).worksheets[0]
    column = list(roster.COLUMNS).index("电话")
    return [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_roster_round_trip_with_the_real_roster(client, office_manager, community):
    client.force_login(office_manager)
    sheet = _sheet(["7号楼", "1", "604", 95, "已入住", "陈静", "业主", "139 1111 2222", None])
    response = client.post(
        reverse("estate:roster_import", args=[community.pk]),
        {"file": _upload(content=sheet)},
    )
    assert response.context["result"].units_created == 1
    assert response.context["result"].people_created == 1
    assert community.units.get().number == "7-1-604"
    person = Person.objects.get(name="陈静")
    timeline = html_of(client.get(reverse("estate:person_detail", args=[person.pk])))
    assert "已导入" in timeline and "139****2222" in timeline

    masked = client.get(reverse("estate:roster_export", args=[community.pk]))
    assert _phones_in(masked.content) == ["139****2222"]
    full = client.post(reverse("estate:roster_export", args=[community.pk]))
    assert _phones_in(full.content) == ["13911112222"]
    assert AccessLog.objects.filter(object_type="community_roster").count() == 1


def test_roster_import_with_the_real_roster_lists_bad_rows(client, office_manager, community):
    client.force_login(office_manager)
    sheet = _sheet(["7号楼", "1", "604", 95, "已入住", "陈静", "业主", "12345", None])
    response = client.post(
        reverse("estate:roster_import", args=[community.pk]),
        {"file": _upload(content=sheet)},
    )
    assert [(e.row, e.column) for e in response.context["bad_rows"]] == [(2, "电话")]
    assert "未导入任何数据" in html_of(response)
    assert not community.units.exists()


def test_broad_search_counts_at_most_a_thousand(client, receptionist, monkeypatch, office, unit):
    from core.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for i in range(5):
        PersonFactory(office=office, name=f"张{i}", units=[unit])
    client.force_login(receptionist)
    response = client.get(reverse("estate:person_list"), {"q": "z"})
    assert response.context["page"].paginator.capped
    assert "3" in html_of(response) and len(response.context["page"].object_list) == 4
