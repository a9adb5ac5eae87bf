"""The roster import/export (estate.roster): API.md "Estate and people", DOMAIN.md §2."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from core.errors import BadInput, NotAllowed
from estate.models import (
    Building,
    Person,
    PersonEvent,
    PersonPhone,
    Unit,
    UnitLink,
)
from estate.roster import (
    RosterImportResult,
    RosterInvalid,
    RowError,
    roster_export,
    roster_import,
    roster_template,
    unit_number,
)
from estate.tests.factories import BuildingFactory, PersonFactory, UnitFactory
from estate.tests.roster_sheets import (
    HEADER,
    read_rows,
    roster,
    sheet_names,
    unit_row,
    with_dimension,
    xlsx,
)

pytestmark = pytest.mark.django_db

P1, P2, P3 = "13812345678", "13912345678", "13712345678"


def run(community, actor, data) -> RosterImportResult:
    return roster_import(community=community, file=data, actor=actor)


def invalid(community, actor, data) -> list[RowError]:
    with pytest.raises(RosterInvalid) as exc_info:
        run(community, actor, data)
    return exc_info.value.rows


def snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Building, Unit, Person, PersonPhone, UnitLink, PersonEvent)
    }


def phones_of(person: Person) -> list[str]:
    return list(person.phones.order_by("position", "id").values_list("number", flat=True))


def links_of(person: Person) -> dict[str, str]:
    return dict(person.unit_links.values_list("unit__number", "relation"))


# ---- a good import --------------------------------------------------------------------


def test_import_skips_title_rows_finds_shuffled_columns_and_ignores_others(
    community, office_manager
):
    header = ("序号", "姓名", "电话", "房号", "备注", "楼栋", "关系", "单元", "入住状态")
    header += ("生日", "建筑面积")
    data = roster(
        (1, "张三", P1, "604", "老业主", "7号楼", "业主", "1单元", "已入住", "1980-05-01", 89.5),
        (2, "李梅", P2, "604", None, "7号楼", "家属", "1单元", None, None, None),
        (3, "王五", P3, "1201", None, "A座", "租户", None, "出租", None, "120"),
        header=header,
        title_rows=[("翠湖花园 住户花名册",), (), ("导出：物业服务处", None, "2025年")],
    )

    result = run(community, office_manager, data)

    assert result == RosterImportResult(
        units_created=2,
        people_created=3,
        links_created=3,
        rows_unchanged=0,
        units_updated=0,
        phones_added=0,
        buildings_created=2,
    )
    assert result.as_dict()["units_created"] == 2
    u604 = Unit.objects.get(community=community, number="7-1-604")
    assert (u604.building.name, u604.entrance, u604.room) == ("7号楼", "1", "604")
    assert (u604.area_m2, u604.residency) == (Decimal("89.50"), "occupied")
    u1201 = Unit.objects.get(community=community, number="A-1201")
    assert (u1201.building.name, u1201.entrance, u1201.room) == ("A座", "", "1201")
    assert (u1201.area_m2, u1201.residency) == (Decimal("120.00"), "rented")

    zhang = Person.objects.get(name="张三")
    assert (zhang.company, zhang.office) == (community.company, community.office)
    assert (zhang.name_pinyin, zhang.name_initials) == ("zhangsan", "zs")
    assert zhang.birthday == date(1980, 5, 1)
    assert phones_of(zhang) == [P1]
    assert zhang.phones.get().preferred
    assert links_of(zhang) == {"7-1-604": "owner"}
    assert links_of(Person.objects.get(name="李梅")) == {"7-1-604": "family"}
    assert links_of(Person.objects.get(name="王五")) == {"A-1201": "tenant"}


def test_each_new_person_gets_an_imported_event_with_masked_phones(community, office_manager):
    run(
        community,
        office_manager,
        roster(
            unit_row("7号楼", "1", "604", name="张三", phones=f"{P1}/{P2}", birthday="1980-5-1")
        ),
    )

    event = PersonEvent.objects.get()
    assert event.person.name == "张三"
    assert (event.kind, event.actor) == ("imported", office_manager)
    assert event.changes["phones"] == [None, ["138****5678", "139****5678"]]
    assert event.changes["units"] == [None, ["7-1-604:owner"]]
    assert event.changes["birthday"] == [None, "1980-05-01"]
    assert P1 not in str(event.changes)


def test_a_row_without_a_name_is_a_unit_with_nobody(community, office_manager):
    result = run(community, office_manager, roster(unit_row("7号楼", "1", "605", 75, "空置")))

    assert (result.units_created, result.people_created, result.links_created) == (1, 0, 0)
    unit = Unit.objects.get(number="7-1-605")
    assert (unit.residency, unit.area_m2) == ("vacant", Decimal("75.00"))
    assert not unit.links.exists()


def test_blank_residency_is_occupied_and_blank_relation_is_owner(community, office_manager):
    run(community, office_manager, roster(unit_row("7号楼", "1", "604", name="张三", phones=P1)))

    link = UnitLink.objects.get()
    assert (link.unit.residency, link.relation) == ("occupied", "owner")


@pytest.mark.parametrize(
    ("building", "entrance", "room", "number"),
    [
        ("7号楼", "1单元", "604", "7-1-604"),
        ("3栋", "2", "301", "3-2-301"),
        ("5幢", "2单元", "101", "5-2-101"),
        ("A座", None, "1201", "A-1201"),
        ("B座", "", "0502", "B-0502"),
        ("12", "3", "1801", "12-3-1801"),
    ],
)
def test_unit_number_drops_suffixes(community, office_manager, building, entrance, room, number):
    assert unit_number(building, entrance or "", room) == number

    run(community, office_manager, roster(unit_row(building, entrance, room)))

    unit = Unit.objects.get(community=community)
    assert unit.number == number
    assert unit.building.name == building
    assert unit.entrance == (entrance or "").removesuffix("单元")
    assert unit.room == room


def test_rows_naming_a_unit_in_different_ways_are_one_unit(community, office_manager):
    result = run(
        community,
        office_manager,
        roster(
            unit_row("7号楼", "1单元", "604", name="张三", phones=P1),
            unit_row("7号楼", "1", 604, name="李梅", phones=P2),
        ),
    )

    assert result.units_created == 1
    assert Unit.objects.get().links.count() == 2


# ---- phones ---------------------------------------------------------------------------


@pytest.mark.parametrize("separator", ["/", "、", ",", "，", ";", "\n", " / "])
def test_every_phone_separator(community, office_manager, separator):
    cell = separator.join([P1, P2, P3])

    run(community, office_manager, roster(unit_row("7号楼", "1", "604", name="张三", phones=cell)))

    person = Person.objects.get()
    assert phones_of(person) == [P1, P2, P3]
    assert list(person.phones.order_by("position").values_list("preferred", flat=True)) == [
        True,
        False,
        False,
    ]


def test_phones_are_normalised(community, office_manager):
    cell = "+86 138-1234-5678\n１３９１２３４５６７８、0086 137 1234 5678，010-12345678"

    run(community, office_manager, roster(unit_row("7号楼", "1", "604", name="张三", phones=cell)))

    assert phones_of(Person.objects.get()) == [P1, P2, P3, "01012345678"]


def test_a_phone_typed_as_a_number_and_repeated_phones(community, office_manager):
    run(
        community,
        office_manager,
        roster(
            unit_row("7号楼", "1", "604", name="张三", phones=13812345678),  # a number cell
            unit_row("7号楼", "1", "605", name="李四", phones=f"{P2}/{P2}"),
            unit_row("7号楼", "1", "606", name="王五", phones=13712345678.0),
        ),
    )

    assert phones_of(Person.objects.get(name="张三")) == [P1]
    assert phones_of(Person.objects.get(name="李四")) == [P2]
    assert phones_of(Person.objects.get(name="王五")) == [P3]


def test_phones_separated_by_spaces(community, office_manager):
    run(
        community,
        office_manager,
        roster(unit_row("7号楼", "1", "604", name="张三", phones=f"{P1} {P2}")),
    )

    assert phones_of(Person.objects.get()) == [P1, P2]


# ---- who is who ----------------------------------------------------------------------


def test_one_owner_of_two_units_is_one_person(community, office_manager):
    result = run(
        community,
        office_manager,
        roster(
            unit_row("7号楼", "1", "604", name="张三", phones=P1),
            unit_row("7号楼", "1", "605", name="张三", phones=f"+86 {P1}"),
        ),
    )

    assert (result.people_created, result.links_created, result.units_created) == (1, 2, 2)
    person = Person.objects.get()
    assert links_of(person) == {"7-1-604": "owner", "7-1-605": "owner"}
    assert phones_of(person) == [P1]
    assert PersonEvent.objects.get().changes["units"] == [None, ["7-1-604:owner", "7-1-605:owner"]]


def test_rows_sharing_phones_in_any_order_are_one_person(community, office_manager):
    # Rows 2 and 3 share no phone; row 4 shows they are the same person.
    result = run(
        community,
        office_manager,
        roster(
            unit_row("7号楼", "1", "601", name="张三", phones=P1),
            unit_row("7号楼", "1", "602", name="张三", phones=P2),
            unit_row("7号楼", "1", "603", name="张三", phones=f"{P2}/{P1}"),
        ),
    )

    assert result.people_created == 1
    assert phones_of(Person.objects.get()) == [P1, P2]


def test_a_row_is_the_known_person_through_another_row_of_the_sheet(
    community, office_manager, owner
):
    # Row 2 matches 张三 by 138…; row 3 shares only the new 139… with row 2.
    result = run(
        community,
        office_manager,
        roster(
            unit_row("3号楼", "2", "301", name="张三", phones=f"{P1}/{P2}"),
            unit_row("3号楼", "2", "302", name="张三", phones=P2),
        ),
    )

    assert (result.people_created, result.phones_added, result.links_created) == (0, 1, 1)
    assert links_of(owner) == {"3-2-301": "owner", "3-2-302": "owner"}


def test_a_row_is_the_known_person_with_most_phones_in_common(community, office_manager, building):
    # Father and son, both 张三, share the landline; each has his own mobile.
    father_home = UnitFactory(building=building, entrance="2", room="301", number="3-2-301")
    son_home = UnitFactory(building=building, entrance="2", room="302", number="3-2-302")
    father = PersonFactory(
        office=community.office, name="张三", phones=["01012345678", P1], units=[father_home]
    )
    son = PersonFactory(
        office=community.office, name="张三", phones=["01012345678", P2], units=[son_home]
    )
    exported = roster_export(community=community, actor=office_manager, reveal=True)
    before = snapshot()

    result = run(community, office_manager, exported)

    assert result.rows_unchanged == 2
    assert snapshot() == before
    assert links_of(father) == {"3-2-301": "owner"}
    assert links_of(son) == {"3-2-302": "owner"}


def test_same_phone_different_name_is_another_person(community, office_manager):
    # A family landline: two people, one phone.
    result = run(
        community,
        office_manager,
        roster(
            unit_row("7号楼", "1", "604", name="张三", phones="010-12345678"),
            unit_row("7号楼", "1", "604", name="李梅", phones="010-12345678"),
        ),
    )

    assert result.people_created == 2
    assert PersonPhone.objects.filter(number="01012345678").count() == 2


def test_the_same_person_across_communities_of_the_company(
    community, community2, company_admin, office_manager
):
    run(community, office_manager, roster(unit_row("7号楼", "1", "604", name="张三", phones=P1)))
    person = Person.objects.get()

    result = run(
        community2,
        company_admin,
        roster(unit_row("1号楼", "2", "301", name="张三", phones=f"{P2}/{P1}", relation="业主")),
    )

    assert (result.people_created, result.links_created, result.phones_added) == (0, 1, 1)
    assert Person.objects.get() == person
    assert links_of(person) == {"7-1-604": "owner", "1-2-301": "owner"}
    assert phones_of(person) == [P1, P2]
    event = PersonEvent.objects.filter(person=person).order_by("id").last()
    assert event.kind == "imported"
    assert event.changes["phones"] == [["138****5678"], ["138****5678", "139****5678"]]
    assert event.changes["units"] == [["7-1-604:owner"], ["1-2-301:owner", "7-1-604:owner"]]


def test_a_person_of_another_company_is_never_matched(community, office_manager, other_office):
    stranger = PersonFactory(office=other_office, name="张三", phones=[P1])

    result = run(
        community, office_manager, roster(unit_row("7号楼", "1", "604", name="张三", phones=P1))
    )

    assert result.people_created == 1
    mine = Person.objects.get(company=community.company)
    assert mine != stranger
    assert phones_of(stranger) == [P1]
    assert not stranger.unit_links.exists()


def test_a_known_person_gets_new_phones_and_units(community, office_manager, owner, unit):
    # `owner` is 张三 (13812345678) at 3-2-301.
    result = run(
        community,
        office_manager,
        roster(
            unit_row("3号楼", "2", "301", name="张三", phones=f"{P1}/{P2}"),
            unit_row("3号楼", "2", "302", name="张三", phones=P1, relation="租户"),
        ),
    )

    assert (result.people_created, result.phones_added, result.links_created) == (0, 1, 1)
    assert result.rows_unchanged == 0
    assert phones_of(owner) == [P1, P2]
    assert links_of(owner) == {"3-2-301": "owner", "3-2-302": "tenant"}
    assert PersonPhone.objects.get(person=owner, number=P2).position == 1
    assert not PersonPhone.objects.get(person=owner, number=P2).preferred
    owner_before = owner.updated_at
    owner.refresh_from_db()
    assert owner.updated_at > owner_before


def test_a_row_without_phone_is_the_person_of_that_name_at_the_unit(
    community, office_manager, owner, unit
):
    result = run(
        community,
        office_manager,
        roster(
            unit_row("3号楼", "2", "301", name="张三"),  # the owner already there
            unit_row("3号楼", "2", "302", name="张三"),  # someone else: a new person
        ),
    )

    assert (result.people_created, result.links_created, result.rows_unchanged) == (1, 1, 1)
    assert links_of(owner) == {"3-2-301": "owner"}
    assert Person.objects.filter(name="张三").count() == 2


def test_namesakes_at_one_unit_one_with_a_phone_survive_export_and_import(
    community, office_manager, owner, unit
):
    # 张三 (with a phone, the `owner`) and his father 张三 (no phone) at 3-2-301.
    father = PersonFactory(office=community.office, name="张三", units=[unit])
    exported = roster_export(community=community, actor=office_manager, reveal=True)
    assert len(read_rows(exported)) == 3
    before = snapshot()

    result = run(community, office_manager, exported)

    assert result.rows_unchanged == 2
    assert snapshot() == before
    assert links_of(father) == {"3-2-301": "owner"}


def test_namesakes_without_phones_at_one_unit_survive_export_and_import(
    community, office_manager, unit
):
    father = PersonFactory(office=community.office, name="张伟", units=[unit])
    son = PersonFactory(office=community.office, name="张伟", units=[unit])
    exported = roster_export(community=community, actor=office_manager)
    before = snapshot()

    result = run(community, office_manager, exported)

    assert result.rows_unchanged == 2
    assert snapshot() == before
    assert links_of(father) == links_of(son) == {"3-2-301": "owner"}


def test_a_known_person_gets_a_birthday_only_when_none_is_known(
    community, office_manager, owner, unit
):
    run(
        community,
        office_manager,
        roster(unit_row("3号楼", "2", "301", name="张三", phones=P1, birthday="1970-01-02")),
    )
    owner.refresh_from_db()
    assert owner.birthday == date(1970, 1, 2)

    result = run(
        community,
        office_manager,
        roster(unit_row("3号楼", "2", "301", name="张三", phones=P1, birthday="1971-03-04")),
    )
    owner.refresh_from_db()
    assert owner.birthday == date(1970, 1, 2)  # what staff entered is kept
    assert result.rows_unchanged == 1


def test_an_existing_unit_is_updated_only_where_the_sheet_says_so(community, office_manager):
    building = BuildingFactory(community=community, name="3号楼")
    kept = UnitFactory(building=building, entrance="2", room="301", number="3-2-301", area_m2=89)
    changed = UnitFactory(building=building, entrance="2", room="302", number="3-2-302", area_m2=89)

    result = run(
        community,
        office_manager,
        roster(
            unit_row("3号楼", "2", "301"),  # blank area and residency: unchanged
            unit_row("3号楼", "2", "302", "95.5", "出租"),
        ),
    )

    assert (result.units_updated, result.units_created, result.rows_unchanged) == (1, 0, 1)
    assert result.buildings_created == 0
    kept.refresh_from_db()
    changed.refresh_from_db()
    assert (kept.area_m2, kept.residency) == (Decimal("89.00"), "occupied")
    assert (changed.area_m2, changed.residency) == (Decimal("95.50"), "rented")


def test_a_relation_in_the_sheet_replaces_the_one_on_record(community, office_manager, owner):
    result = run(
        community,
        office_manager,
        roster(unit_row("3号楼", "2", "301", name="张三", phones=P1, relation="家属")),
    )
    assert links_of(owner) == {"3-2-301": "family"}
    assert (result.links_created, result.rows_unchanged) == (0, 0)

    # A blank relation keeps it.
    result = run(
        community,
        office_manager,
        roster(unit_row("3号楼", "2", "301", name="张三", phones=P1)),
    )
    assert links_of(owner) == {"3-2-301": "family"}
    assert result.rows_unchanged == 1


# ---- all or nothing -------------------------------------------------------------------


def test_three_bad_rows_are_all_reported_and_nothing_is_written(community, office_manager):
    before = snapshot()
    data = roster(
        unit_row("7号楼", "1", "601", name="张三", phones=P1),  # row 3
        unit_row("7号楼", "1", "602", name="李四", phones="1381234"),  # row 4: bad phone
        unit_row("7号楼", "1", "603", name="王五", phones=P2),  # row 5
        unit_row("7号楼", "1", "604", None, "已售", name="赵六", phones=P3),  # row 6
        unit_row("7号楼", "1", None, name="孙七"),  # row 7: no room
        unit_row("8号楼", "1", "101"),  # row 8
        title_rows=[("住户花名册",)],
    )

    with pytest.raises(RosterInvalid) as exc_info:
        run(community, office_manager, data)

    rows = exc_info.value.rows
    assert [(e.row, e.column) for e in rows] == [(4, "电话"), (6, "入住状态"), (7, "房号")]
    assert "1381234" in rows[0].reason
    assert "已售" in rows[1].reason
    assert snapshot() == before
    body = exc_info.value.as_body()
    assert exc_info.value.status == 422
    assert body["error"]["code"] == "roster_invalid"
    assert body["error"]["rows"] == [
        {"row": e.row, "column": e.column, "reason": e.reason} for e in rows
    ]


def test_errors_are_listed_in_row_order(community, office_manager):
    # The duplicate (row 3) is found after the bad phone (row 4): listed first anyway.
    rows = invalid(
        community,
        office_manager,
        roster(
            unit_row("7号楼", "1", "604", name="张三", phones=P1),
            unit_row("7号楼", "1", "604", name="张三", phones=P1),
            unit_row("7号楼", "1", "605", name="李四", phones="12345"),
        ),
    )

    assert [(e.row, e.column) for e in rows] == [(3, ""), (4, "电话")]


def test_errors_in_one_row_are_all_listed(community, office_manager):
    rows = invalid(
        community,
        office_manager,
        roster(unit_row(None, "1", None, "-3", name="张三", phones="12", relation="朋友")),
    )

    assert [(e.row, e.column) for e in rows] == [
        (2, "楼栋"),
        (2, "房号"),
        (2, "建筑面积"),
        (2, "电话"),
        (2, "关系"),
    ]


@pytest.mark.parametrize(
    ("cells", "column", "shown"),
    [
        (unit_row("7号楼", "1", None, name="张三", phones=P1), "房号", None),
        (unit_row(None, "1", "604", name="张三", phones=P1), "楼栋", None),
        (unit_row("7号楼", "1", "604", name="张三", phones=f"{P1}/1381234"), "电话", "1381234"),
        (unit_row("7号楼", "1", "604", name="张三", phones="abc"), "电话", "abc"),
        (unit_row("7号楼", "1", "604", residency="已售"), "入住状态", "已售"),
        (unit_row("7号楼", "1", "604", name="张三", relation="朋友"), "关系", "朋友"),
        (unit_row("7号楼", "1", "604", area="-5"), "建筑面积", "-5"),
        (unit_row("7号楼", "1", "604", area=0), "建筑面积", "0"),
        (unit_row("7号楼", "1", "604", area="八十"), "建筑面积", "八十"),
        (unit_row("7号楼", "1", "604", area=12345678), "建筑面积", "12345678"),
        (unit_row("7号楼", "1", "604", name="张三", birthday="1980-13-01"), "生日", "1980-13-01"),
        (unit_row("7号楼", "1", "604", name="张三", birthday="去年"), "生日", "去年"),
        (unit_row("7号楼", "1", "604", name="张三", birthday="1880-01-01"), "生日", None),
        (unit_row("7号楼", "1", "604", phones=P1), "姓名", None),
        (unit_row("7号楼", "1", "604", birthday="1980-05-01"), "姓名", None),
        (unit_row("7号楼", "1", "604", name="张" * 51), "姓名", None),
        (unit_row("7号楼", "1", "6" * 21), "房号", None),
    ],
)
def test_each_kind_of_bad_row(community, office_manager, cells, column, shown):
    rows = invalid(community, office_manager, roster(cells))

    assert [(e.row, e.column) for e in rows] == [(2, column)]
    if shown:
        assert shown in rows[0].reason
    assert not Unit.objects.exists()


def test_a_birthday_in_the_future_is_bad(community, office_manager):
    tomorrow = date.today() + timedelta(days=2)
    rows = invalid(
        community,
        office_manager,
        roster(unit_row("7号楼", "1", "604", name="张三", birthday=tomorrow)),
    )

    assert [(e.row, e.column) for e in rows] == [(2, "生日")]


def test_the_same_person_twice_at_a_unit_is_a_duplicate_row(community, office_manager):
    rows = invalid(
        community,
        office_manager,
        roster(
            unit_row("7号楼", "1单元", "604", name="张三", phones=P1),
            unit_row("7号楼", "1", "605", name="张三", phones=P1),
            unit_row("7号楼", "1", "604", name="张三", phones=f"{P2}/{P1}", relation="家属"),
            unit_row("7号楼", "1", "606", name="李四"),
            unit_row("7号楼", "1", "606", name="李四"),
        ),
    )

    assert [(e.row, e.column) for e in rows] == [(4, ""), (6, "")]
    assert "2" in rows[0].reason
    assert "5" in rows[1].reason


def test_a_duplicate_found_through_a_known_person(community, office_manager):
    # In the sheet alone rows 2 and 3 look like two people; the company knows they
    # are one (张三 has both phones), so row 3 repeats row 2.
    PersonFactory(office=community.office, name="张三", phones=[P1, P2])
    rows = invalid(
        community,
        office_manager,
        roster(
            unit_row("7号楼", "1", "604", name="张三", phones=P1),
            unit_row("7号楼", "1", "604", name="张三", phones=P2),
        ),
    )

    assert [(e.row, e.column) for e in rows] == [(3, "")]


@pytest.mark.parametrize(
    ("first", "second", "column"),
    [
        ({"area": 89}, {"area": "90"}, "建筑面积"),
        ({"residency": "已入住"}, {"residency": "出租"}, "入住状态"),
    ],
)
def test_conflicting_unit_data(community, office_manager, first, second, column):
    rows = invalid(
        community,
        office_manager,
        roster(
            unit_row("7号楼", "1", "604", name="张三", phones=P1, **first),
            unit_row("7号楼", "1", "604", name="李梅", phones=P2),  # blank: no conflict
            unit_row("7号楼", "1", "604", name="王五", phones=P3, **second),
        ),
    )

    assert [(e.row, e.column) for e in rows] == [(4, column)]
    assert "2" in rows[0].reason


def test_the_same_unit_under_two_building_names_conflicts(community, office_manager):
    rows = invalid(
        community,
        office_manager,
        roster(unit_row("7号楼", "1", "604"), unit_row("7栋", "1", "604")),
    )

    assert [(e.row, e.column) for e in rows] == [(3, "楼栋")]


def test_one_person_with_two_birthdays(community, office_manager):
    rows = invalid(
        community,
        office_manager,
        roster(
            unit_row("7号楼", "1", "604", name="张三", phones=P1, birthday="1980-05-01"),
            unit_row("7号楼", "1", "605", name="张三", phones=P1, birthday="1981-05-01"),
        ),
    )

    assert [(e.row, e.column) for e in rows] == [(3, "生日")]


@pytest.mark.parametrize(
    "cell",
    [
        datetime(1980, 5, 1),
        date(1980, 5, 1),
        "1980-05-01",
        "1980/5/1",
        "1980年5月1日",
        "1980.5.1",
        "19800501",
    ],
)
def test_birthday_forms(community, office_manager, cell):
    run(
        community, office_manager, roster(unit_row("7号楼", "1", "604", name="张三", birthday=cell))
    )

    assert Person.objects.get().birthday == date(1980, 5, 1)


@pytest.mark.parametrize(
    ("cell", "area"),
    [
        (89.5, "89.50"),
        ("89.5", "89.50"),
        ("89.5㎡", "89.50"),
        (" 120 ", "120.00"),
        (88.888, "88.89"),
    ],
)
def test_area_forms(community, office_manager, cell, area):
    run(community, office_manager, roster(unit_row("7号楼", "1", "604", area=cell)))

    assert Unit.objects.get().area_m2 == Decimal(area)


# ---- the file itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a spreadsheet",
        "楼栋,房号,姓名\n7号楼,604,张三\n".encode(),
        b"PK\x03\x04 a broken zip",
    ],
)
def test_a_file_that_is_not_a_readable_xlsx(community, office_manager, data):
    with pytest.raises(BadInput) as exc_info:
        run(community, office_manager, data)

    assert "file" in exc_info.value.fields
    assert not Unit.objects.exists()


def test_a_workbook_with_nothing_in_it(community, office_manager):
    with pytest.raises(BadInput) as exc_info:
        run(community, office_manager, xlsx([]))

    message = exc_info.value.fields["file"][0]
    assert "房号" not in message  # "the sheet is empty", not "no header row"


def test_a_sheet_without_a_header_row(community, office_manager):
    data = xlsx([("住户名册",), ("楼号", "房间", "业主"), ("7号楼", "604", "张三")])

    with pytest.raises(BadInput) as exc_info:
        run(community, office_manager, data)

    assert "房号" in exc_info.value.fields["file"][0]


def test_a_header_without_the_building_column(community, office_manager):
    data = xlsx([("房号", "姓名", "电话"), ("604", "张三", P1)])

    with pytest.raises(BadInput) as exc_info:
        run(community, office_manager, data)

    assert "楼栋" in exc_info.value.fields["file"][0]


def test_only_the_first_sheet_is_read(community, office_manager):
    data = xlsx(
        [HEADER, unit_row("7号楼", "1", "604")],
        more_sheets={"旧数据": [HEADER, unit_row("9号楼", "1", "101", phones="bad")]},
    )

    result = run(community, office_manager, data)

    assert result.units_created == 1


def test_a_wrong_sheet_dimension_does_not_hide_rows(community, office_manager):
    data = with_dimension(
        roster(
            unit_row("7号楼", "1", "604"),
            unit_row("7号楼", "1", "605"),
            unit_row("7号楼", "1", "606"),
        ),
        "A1:C2",
    )

    result = run(community, office_manager, data)

    assert result.units_created == 3


def test_header_cells_with_notes_and_marks(community, office_manager):
    header = ("*楼栋", "单 元", "房号", "建筑面积（㎡）", "姓名", "电话(多个用/分隔)")
    data = roster(("7号楼", "1", "604", 90, "张三", P1), header=header)

    run(community, office_manager, data)

    unit = Unit.objects.get()
    assert (unit.number, unit.area_m2) == ("7-1-604", Decimal("90.00"))
    assert phones_of(Person.objects.get()) == [P1]


def test_an_uploaded_file_is_accepted(community, office_manager):
    upload = SimpleUploadedFile(
        "roster.xlsx", roster(unit_row("7号楼", "1", "604", name="张三", phones=P1))
    )
    upload.read(10)  # a view may have peeked at it

    result = run(community, office_manager, upload)

    assert result.people_created == 1


def test_a_header_with_no_rows_imports_nothing(community, office_manager):
    result = run(community, office_manager, roster())

    assert result == RosterImportResult(0, 0, 0, 0, 0, 0, 0)


# ---- importing again, export, template ------------------------------------------------


def _rich_sheet() -> bytes:
    return roster(
        unit_row(
            "7号楼", "1单元", "604", 89.5, "已入住", "张三", "业主", f"{P1}/{P2}", "1980-05-01"
        ),
        unit_row("7号楼", "1单元", "604", None, None, "李梅", "家属", P3),
        unit_row("7号楼", "1单元", "605", 75, "空置"),
        unit_row("A座", None, "1201", None, "出租", "王五", "租户", "0755-88886666"),
        unit_row("A座", None, "1202", None, "未入住", "张三", None, P1),
        unit_row("A座", None, "1203", None, None, "赵六"),
        title_rows=[("翠湖花园住户名册",)],
    )


def test_importing_the_same_file_again_changes_nothing(community, office_manager):
    data = _rich_sheet()
    first = run(community, office_manager, data)
    assert (first.units_created, first.people_created, first.links_created) == (5, 4, 5)
    before = snapshot()

    again = run(community, office_manager, data)

    assert again == RosterImportResult(
        units_created=0,
        people_created=0,
        links_created=0,
        rows_unchanged=6,
        units_updated=0,
        phones_added=0,
        buildings_created=0,
    )
    assert snapshot() == before


def test_export_then_import_changes_nothing(community, office_manager):
    run(community, office_manager, _rich_sheet())
    before = snapshot()

    exported = roster_export(community=community, actor=office_manager, reveal=True)
    result = run(community, office_manager, exported)

    rows = read_rows(exported)
    assert rows[0] == HEADER
    assert result.rows_unchanged == len(rows) - 1 == 6
    assert (result.units_created, result.people_created, result.links_created) == (0, 0, 0)
    assert (result.units_updated, result.phones_added, result.buildings_created) == (0, 0, 0)
    assert snapshot() == before


def test_export_writes_the_sheet_back(community, office_manager):
    run(community, office_manager, _rich_sheet())

    rows = read_rows(roster_export(community=community, actor=office_manager, reveal=True))

    assert rows == [
        HEADER,
        ("7号楼", "1", "604", 89.5, "已入住", "张三", "业主", f"{P1}/{P2}", datetime(1980, 5, 1)),
        ("7号楼", "1", "604", 89.5, "已入住", "李梅", "家属", P3, None),
        ("7号楼", "1", "605", 75, "空置", None, None, None, None),
        ("A座", None, "1201", None, "出租", "王五", "租户", "075588886666", None),
        ("A座", None, "1202", None, "未入住", "张三", "业主", f"{P1}/{P2}", datetime(1980, 5, 1)),
        ("A座", None, "1203", None, "已入住", "赵六", "业主", None, None),
    ]


def test_export_masks_phones_unless_revealed(community, office_manager):
    run(community, office_manager, roster(unit_row("7号楼", "1", "604", name="张三", phones=P1)))

    masked = read_rows(roster_export(community=community, actor=office_manager))
    revealed = read_rows(roster_export(community=community, actor=office_manager, reveal=True))

    assert masked[1][7] == "138****5678"
    assert P1 not in str(masked)
    assert revealed[1][7] == P1


def test_export_never_writes_a_formula(community, office_manager, unit):
    PersonFactory(office=community.office, name="=1+1", units=[unit])

    exported = roster_export(community=community, actor=office_manager)

    cell = load_workbook(BytesIO(exported)).worksheets[0]["F2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")
    # And it comes back as the same name.
    assert run(community, office_manager, exported).rows_unchanged == 1


def test_export_orders_units_naturally_and_keeps_other_communities_out(
    community, community2, office_manager, company_admin
):
    run(
        community,
        office_manager,
        roster(
            unit_row("10号楼", "1", "101"),
            unit_row("2号楼", "1", "1001"),
            unit_row("2号楼", "1", "201"),
        ),
    )
    run(community2, company_admin, roster(unit_row("1号楼", "1", "101", name="李四", phones=P2)))

    rows = read_rows(roster_export(community=community, actor=office_manager))

    assert [r[:3] for r in rows[1:]] == [
        ("2号楼", "1", "201"),
        ("2号楼", "1", "1001"),
        ("10号楼", "1", "101"),
    ]


def test_a_unit_entered_without_building_exports_from_its_number(community, office_manager):
    Unit.objects.create(community=community, number="9-1-101")

    rows = read_rows(roster_export(community=community, actor=office_manager))
    assert rows[1][:3] == ("9", "1", "101")

    # Importing that export gives the unit its building, entrance and room.
    result = run(
        community, office_manager, roster_export(community=community, actor=office_manager)
    )
    unit = Unit.objects.get()
    assert (result.units_updated, result.buildings_created) == (1, 1)
    assert (unit.building.name, unit.entrance, unit.room) == ("9", "1", "101")


def test_the_template_imports_cleanly(community, office_manager):
    template = roster_template()

    result = run(community, office_manager, template)

    assert sheet_names(template)[1] == "说明"
    assert read_rows(template)[0] == HEADER
    assert len(read_rows(template)) == 3
    assert (result.units_created, result.people_created, result.links_created) == (2, 2, 2)
    explained = " ".join(str(r[0]) for r in read_rows(template, "说明"))
    assert all(column in explained for column in HEADER)


# ---- who may ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "actor", ["receptionist", "hotline_agent", "office2_manager", "other_company_admin"]
)
def test_who_may_not_import_or_export(request, community, actor):
    user = request.getfixturevalue(actor)
    data = roster(unit_row("7号楼", "1", "604", name="张三", phones=P1))

    with pytest.raises(NotAllowed):
        run(community, user, data)
    with pytest.raises(NotAllowed):
        roster_export(community=community, actor=user, reveal=True)
    assert not Unit.objects.exists()


def test_the_company_admin_may_import_and_export(community, company_admin):
    result = run(community, company_admin, roster(unit_row("7号楼", "1", "604")))

    assert result.units_created == 1
    assert roster_export(community=community, actor=company_admin)


def test_permission_is_checked_before_the_file_is_read(community, receptionist):
    with pytest.raises(NotAllowed):
        run(community, receptionist, b"not a spreadsheet")


# ---- scale ----------------------------------------------------------------------------


def _many_rows(count: int, start: int = 0) -> list[list]:
    return [
        unit_row(
            f"{1 + i // 100}号楼",
            "1",
            str(100 + i % 100),
            80 + i % 7,
            "已入住",
            f"业主{i}",
            None,
            f"13{i:09d}",
        )
        for i in range(start, start + count)
    ]


def test_queries_do_not_grow_with_rows(community, office_manager, django_assert_max_num_queries):
    run(community, office_manager, roster(*_many_rows(5)))  # warm caches (content types…)
    rows = _many_rows(300, start=5)

    with django_assert_max_num_queries(25):
        result = run(community, office_manager, roster(*rows))

    assert (result.units_created, result.people_created) == (300, 300)


def test_rows_match_their_ids_across_many_statements(community, office_manager, monkeypatch):
    from estate.roster import bulk

    monkeypatch.setattr(bulk, "BATCH", 3)  # many small statements, many RETURNING lists

    run(community, office_manager, roster(*_many_rows(20)))

    for i in range(20):
        person = Person.objects.get(name=f"业主{i}")
        assert phones_of(person) == [f"13{i:09d}"]
        assert list(links_of(person)) == [f"{1 + i // 100}-1-{100 + i % 100}"]
    assert PersonEvent.objects.count() == 20
