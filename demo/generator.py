"""Demo data: a realistic property-management company, generated deterministically.

`generate()` runs the SEED_STEPS in order inside one transaction. Each step draws
from its own random.Random, derived from the seed and the step's name, so adding a
step later never changes what the earlier steps produce. Rows are written with
bulk_create: the company, its estate (about 2,000 units and 3,000 people) and six
months of history (demo.history: about 10,000 tickets with their timelines, return
visits, calls…) load in well under a minute on SQLite.

The history ends at `now` (the moment of seeding unless given): the same seed, scale
and `now` give the same data; seeded next month, the history is still recent.
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from graphlib import CycleError, TopologicalSorter
from random import Random

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from demo import history
from demo.names import Name, NameMaker, PhonePool
from estate.models import (
    Attitude,
    AttitudeChange,
    Building,
    Channel,
    Community,
    Person,
    PersonEvent,
    PersonPhone,
    Relation,
    Residency,
    Unit,
    UnitLink,
)
from estate.pinyin import name_keys
from org.models import Company, Department, Office, Role, User

DEFAULT_SEED = 20261125
DEMO_COMPANY_CODE = "heyue"
DEMO_COMPANY_NAME = "和悦物业服务有限公司"
DEMO_PASSWORD = "demo12345"
# Ages are drawn relative to this date, not today, so every run gives the same people.
REFERENCE_DATE = date(2026, 11, 25)

# ---------------------------------------------------------------------------
# The plan: offices, communities and their buildings
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A run of identical buildings: `count` of them named from `first`."""

    count: int
    floors: int
    per_floor: int  # homes per floor (per entrance when there are entrances)
    entrances: int = 0  # 0: a tower without 单元, numbered like A-1201
    area: tuple[int, int] = (80, 140)
    style: str = "号楼"  # 号楼 → 1号楼, 2号楼 …; 座 → A座, B座 …
    first: int = 1


@dataclass(frozen=True)
class CommunityPlan:
    code: str
    name: str
    address: str
    office_name: str
    # Share of units per residency: occupied, not moved in, rented, vacant.
    residency: tuple[float, float, float, float]
    blocks: tuple[Block, ...]
    unsold: float = 0.0  # share of not-moved-in units with no owner yet (developer stock)


COMMUNITIES: tuple[CommunityPlan, ...] = (
    CommunityPlan(
        code="cuihu",
        name="翠湖花园",
        address="浙江省杭州市西湖区翠柏路88号",
        office_name="翠湖花园物业服务处",
        residency=(0.80, 0.03, 0.12, 0.05),
        # A 2003 estate of six-storey walk-ups, three stairways each.
        blocks=(Block(count=14, floors=6, per_floor=2, entrances=3, area=(58, 126)),),
    ),
    CommunityPlan(
        code="jinxiu",
        name="锦绣华庭",
        address="浙江省杭州市拱墅区湖墅南路318号",
        office_name="锦绣华庭物业服务处",
        residency=(0.76, 0.06, 0.13, 0.05),
        blocks=(Block(count=10, floors=11, per_floor=2, entrances=2, area=(86, 143)),),
    ),
    CommunityPlan(
        code="binjiang",
        name="滨江壹号",
        address="浙江省杭州市滨江区江南大道1188号",
        office_name="滨江壹号物业服务处",
        residency=(0.58, 0.10, 0.25, 0.07),
        # Towers: A座 is serviced apartments, the rest river-view flats.
        blocks=(
            Block(count=1, floors=30, per_floor=4, area=(50, 92), style="座"),
            Block(count=3, floors=30, per_floor=4, area=(118, 180), style="座", first=2),
        ),
    ),
    CommunityPlan(
        code="guiyu",
        name="桂语兰庭",
        address="浙江省杭州市余杭区文一西路2299号",
        office_name="桂语兰庭物业服务处",
        residency=(0.62, 0.25, 0.08, 0.05),
        unsold=0.06,
        blocks=(Block(count=8, floors=18, per_floor=2, entrances=2, area=(89, 143)),),
    ),
)

HOTLINE_CENTRE = ("hotline", "400客服中心")

DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("客服中心", Department.Kind.CUSTOMER_SERVICE),
    ("工程部", Department.Kind.ENGINEERING),
    ("秩序部", Department.Kind.SECURITY),
    ("环境部", Department.Kind.CLEANING),
    ("会计室", Department.Kind.ACCOUNTING),
    ("办公室", Department.Kind.OFFICE),
)
HOTLINE_DEPARTMENT = ("坐席组", Department.Kind.CUSTOMER_SERVICE)

K = Department.Kind
# Per service office: username suffix, roles, department kind (None: no department).
OFFICE_STAFF: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("manager", (Role.OFFICE_MANAGER,), None),
    ("front", (Role.RECEPTIONIST,), K.CUSTOMER_SERVICE),
    ("cs_lead", (Role.SUPERVISOR,), K.CUSTOMER_SERVICE),
    ("eng_lead", (Role.SUPERVISOR,), K.ENGINEERING),
    ("eng1", (Role.STAFF,), K.ENGINEERING),
    ("eng2", (Role.STAFF,), K.ENGINEERING),
    ("guard_lead", (Role.SUPERVISOR,), K.SECURITY),
    ("guard1", (Role.STAFF,), K.SECURITY),
    ("clean1", (Role.STAFF,), K.CLEANING),
    ("acct", (Role.STAFF,), K.ACCOUNTING),
)
# The 400 centre and the company level.
COMPANY_STAFF: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("hy_hotline_lead", (Role.SUPERVISOR,), "hotline"),
    ("hy_hotline1", (Role.HOTLINE_AGENT,), "hotline"),
    ("hy_hotline2", (Role.HOTLINE_AGENT,), "hotline"),
    ("hy_hotline3", (Role.HOTLINE_AGENT,), "hotline"),
    ("hy_quality", (Role.QUALITY,), None),  # no office: 品训部, company-wide
    ("hy_admin", (Role.COMPANY_ADMIN,), None),
)


def demo_usernames() -> list[str]:
    names = [f"{p.code}_{suffix}" for p in COMMUNITIES for suffix, _r, _d in OFFICE_STAFF]
    return names + [u for u, _r, _d in COMPANY_STAFF]


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


@dataclass
class Seed:
    """What the steps share: the plan's scale, the rows made so far, helpers."""

    seed: int
    scale: float
    log: Callable[[str], None]
    phones_taken: set[str] = field(default_factory=set)
    password_hash: str = ""
    company: Company | None = None
    hotline_centre: Office | None = None
    offices: dict[str, Office] = field(default_factory=dict)  # community code → office
    departments: dict[tuple[str, str], Department] = field(default_factory=dict)
    staff: dict[str, User] = field(default_factory=dict)
    communities: list[Community] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    now: datetime | None = None  # where the history ends
    shared: dict = field(default_factory=dict)  # what the history steps hand on

    def rng(self, step: str) -> Random:
        return Random(f"{self.seed}:{step}")

    def phone_pool(self, rng: Random) -> PhonePool:
        return PhonePool(rng, taken=self.phones_taken)


def seed_organisation(s: Seed) -> None:
    """The company, one service office per community, the 400 centre, departments."""
    s.company = Company.objects.create(code=DEMO_COMPANY_CODE, name=DEMO_COMPANY_NAME)
    offices = [
        Office(company=s.company, code=p.code, name=p.office_name, kind=Office.Kind.SERVICE)
        for p in COMMUNITIES
    ]
    code, name = HOTLINE_CENTRE
    offices.append(Office(company=s.company, code=code, name=name, kind=Office.Kind.HOTLINE_CENTRE))
    Office.objects.bulk_create(offices)
    for office in offices:
        if office.kind == Office.Kind.HOTLINE_CENTRE:
            s.hotline_centre = office
        else:
            s.offices[office.code] = office
    departments = [
        Department(office=office, name=dname, kind=kind)
        for office in s.offices.values()
        for dname, kind in DEPARTMENTS
    ]
    departments.append(
        Department(office=s.hotline_centre, name=HOTLINE_DEPARTMENT[0], kind=HOTLINE_DEPARTMENT[1])
    )
    Department.objects.bulk_create(departments)
    for d in departments:
        s.departments[(d.office.code, d.kind)] = d
    s.counts["offices"] = len(offices)
    s.counts["departments"] = len(departments)


def seed_staff(s: Seed) -> None:
    """Staff in every role. All share DEMO_PASSWORD, hashed once."""
    rng = s.rng("staff")
    names = NameMaker(rng)
    phones = s.phone_pool(rng)
    s.password_hash = s.password_hash or make_password(DEMO_PASSWORD)
    plan: list[tuple[str, tuple[str, ...], Office | None, Department | None]] = []
    for p in COMMUNITIES:
        office = s.offices[p.code]
        for suffix, roles, kind in OFFICE_STAFF:
            dept = s.departments[(office.code, kind)] if kind else None
            plan.append((f"{p.code}_{suffix}", roles, office, dept))
    for username, roles, office_code in COMPANY_STAFF:
        office = s.hotline_centre if office_code == "hotline" else None
        dept = s.departments[(office.code, HOTLINE_DEPARTMENT[1])] if office else None
        plan.append((username, roles, office, dept))
    users = []
    for username, roles, _office, _dept in plan:
        person = names.make(birth_year=rng.randint(1968, 1999))
        users.append(
            User(
                company=s.company,
                username=username,
                name=person.full,
                phone=phones.mobile(),
                roles=list(roles),
                is_staff=Role.COMPANY_ADMIN in roles,
                password=s.password_hash,
                extension=history.EXTENSIONS.get(username, ""),
            )
        )
    User.objects.bulk_create(users)
    office_links, dept_links = [], []
    for user, (_u, _r, office, dept) in zip(users, plan, strict=True):
        s.staff[user.username] = user
        if office:
            office_links.append(User.offices.through(user_id=user.id, office_id=office.id))
        if dept:
            dept_links.append(User.departments.through(user_id=user.id, department_id=dept.id))
    User.offices.through.objects.bulk_create(office_links)
    User.departments.through.objects.bulk_create(dept_links)
    s.counts["staff"] = len(users)


def _building_names(block: Block, count: int) -> list[str]:
    if block.style == "座":
        return [f"{chr(ord('A') + block.first - 1 + i)}座" for i in range(count)]
    return [f"{block.first + i}号楼" for i in range(count)]


def _scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale))


def seed_estate(s: Seed) -> None:
    """Communities, buildings and units; unit numbers follow the roster rule:
    building without 号楼/座 - entrance - room (3-2-301, A-1201)."""
    rng = s.rng("estate")
    s.communities = Community.objects.bulk_create(
        [
            Community(
                company=s.company,
                office=s.offices[p.code],
                code=p.code,
                name=p.name,
                address=p.address,
            )
            for p in COMMUNITIES
        ]
    )
    buildings: list[tuple[Building, Block]] = []
    for community, p in zip(s.communities, COMMUNITIES, strict=True):
        for block in p.blocks:
            for bname in _building_names(block, _scaled(block.count, s.scale)):
                buildings.append((Building(community=community, name=bname), block))
    Building.objects.bulk_create([b for b, _ in buildings])
    plans = {c.id: p for c, p in zip(s.communities, COMMUNITIES, strict=True)}
    residencies = [
        Residency.OCCUPIED,
        Residency.NOT_MOVED_IN,
        Residency.RENTED,
        Residency.VACANT,
    ]
    units: list[Unit] = []
    for building, block in buildings:
        plan = plans[building.community_id]
        prefix = building.name.removesuffix("号楼").removesuffix("座")
        entrances = [str(e) for e in range(1, block.entrances + 1)] or [""]
        for entrance in entrances:
            # Homes in the same position share a floor plan, so the same area.
            areas = [Decimal(f"{rng.uniform(*block.area):.2f}") for _ in range(block.per_floor)]
            for floor in range(1, block.floors + 1):
                for pos in range(block.per_floor):
                    room = f"{floor}{pos + 1:02d}"
                    number = f"{prefix}-{entrance}-{room}" if entrance else f"{prefix}-{room}"
                    units.append(
                        Unit(
                            community_id=building.community_id,
                            building=building,
                            entrance=entrance,
                            room=room,
                            number=number,
                            area_m2=areas[pos],
                            residency=rng.choices(residencies, weights=plan.residency)[0],
                        )
                    )
    s.units = Unit.objects.bulk_create(units, batch_size=1000)
    s.counts["communities"] = len(s.communities)
    s.counts["buildings"] = len(buildings)
    s.counts["units"] = len(s.units)


# --- people -----------------------------------------------------------------


@dataclass
class Draft:
    """A person before it becomes a row: who they are and how they are tied."""

    name: Name
    birth_year: int
    kind: str  # owner, co_owner, tenant, parent, child, sibling
    office: Office
    links: list[tuple[Unit, str]] = field(default_factory=list)
    phones: int = 1
    resident: bool = True
    lives_alone: bool = False
    person: Person | None = None


_SPECIAL_NEEDS = (
    "行动不便，出入需轮椅；停水停电请提前上门告知。",
    "困难户（低保家庭），可协助申请物业费减免。",
    "听力较弱，电话沟通请放慢语速，重要事项上门说明。",
    "视力障碍，通知请电话告知，勿只张贴公告。",
    "家中有重病康复人员，施工噪音请提前协调。",
    "困难户：家中主要劳动力失业，已联系居委会帮扶。",
)
_KEY_NOTES = (
    "小区业主微信群群主，意见在业主中影响较大。",
    "区人大代表，关注小区安全和消防通道。",
    "执业律师，对物业服务合同条款较为关注。",
    "民营企业负责人，持有本小区多套房产，常驻外地。",
    "退休教师，热心社区活动，多次协助组织业主座谈会。",
    "媒体从业者，关注小区环境和公共收益公开。",
)
_ADVERSE_NOTES = (
    "对物业费调价有异议，2025年起拒缴物业费。",
    "因地下车库漏水未及时处理，多次在业主群发表负面意见。",
    "认为公共收益未公开，要求查看账目。",
    "与楼上邻居噪音纠纷未解决，对调解结果不满。",
)
_COURTESY = (
    "上午10点前请勿来电（夜班）。",
    "习惯说杭州话，普通话交流稍慢。",
    "请勿在业主群里@，私信联系即可。",
    "上门前请先电话预约。",
    "家有婴儿，上门请勿按门铃，先发微信。",
    "家里养狗，上门前请告知。",
    "喜欢当面沟通，对电话通知不太信任。",
)


def _age(draft: Draft) -> int:
    return REFERENCE_DATE.year - draft.birth_year


def _address_as(rng: Random, d: Draft) -> str:
    surname, age, female = d.name.surname, _age(d), d.name.female
    if age >= 68:
        options = ["奶奶", "阿姨"] if female else ["大爷", "师傅", "老师"]
    elif age >= 45:
        options = ["阿姨", "老师", "女士", "姐"] if female else ["总", "老师", "师傅", "叔", "经理"]
    else:
        options = ["女士", "老师", "小姐"] if female else ["先生", "总", "老师", "医生"]
    return surname + rng.choice(options)


def _channels(rng: Random, d: Draft) -> list[str]:
    age = _age(d)
    if age >= 68:
        choice = rng.choice([[Channel.PHONE], [Channel.PHONE, Channel.VISIT]])
    elif age < 40:
        choice = rng.choice([[Channel.WECHAT], [Channel.WECHAT, Channel.PHONE]])
    else:
        choice = rng.choice([[Channel.PHONE, Channel.WECHAT], [Channel.PHONE], [Channel.WECHAT]])
    if not d.resident and d.kind in ("owner", "co_owner"):
        # Owners who do not live here: hotline follow-up, SMS, now and then a letter.
        choice = [Channel.PHONE, Channel.SMS] + ([Channel.LETTER] if rng.random() < 0.2 else [])
    elif rng.random() < 0.04:
        choice = [*choice, Channel.EMAIL]
    return [str(c) for c in choice]


def _birthday(rng: Random, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _drafts(s: Seed, rng: Random) -> list[Draft]:
    names = NameMaker(rng)
    drafts: list[Draft] = []
    owners_by_community: dict[int, list[Draft]] = {}
    units_by_community: dict[int, list[Unit]] = {}
    for unit in s.units:
        units_by_community.setdefault(unit.community_id, []).append(unit)
    office_of = {c.id: s.offices[c.code] for c in s.communities}
    plan_of = {c.id: p for c, p in zip(s.communities, COMMUNITIES, strict=True)}

    def new(kind: str, unit: Unit, relation: str, birth_year: int, **kw) -> Draft:
        d = Draft(
            name=names.make(birth_year=birth_year, **kw),
            birth_year=birth_year,
            kind=kind,
            office=office_of[unit.community_id],
            links=[(unit, relation)],
        )
        drafts.append(d)
        return d

    for community in s.communities:
        plan = plan_of[community.id]
        # Owners already placed in the communities before this one.
        other = [o for lst in owners_by_community.values() for o in lst]
        owners: list[Draft] = owners_by_community.setdefault(community.id, [])
        for unit in units_by_community.get(community.id, []):
            residency = unit.residency
            if residency == Residency.NOT_MOVED_IN and rng.random() < plan.unsold:
                continue  # developer stock: nobody yet
            resident = residency == Residency.OCCUPIED
            # Some owners hold a second home, now and then in another community.
            pool = other if other and rng.random() < 0.3 else owners
            if pool and rng.random() < 0.05:
                owner = rng.choice(pool)
                if all(u.id != unit.id for u, _ in owner.links):
                    owner.links.append((unit, Relation.OWNER))
                    owner.resident = owner.resident or resident
                    continue
            owner_year = round(rng.triangular(1946, 1997, 1977))
            owner = new("owner", unit, Relation.OWNER, owner_year)
            owner.phones = 2 if rng.random() < 0.3 else 1
            owner.resident = resident
            owners.append(owner)
            household = 1
            if rng.random() < 0.18:  # spouse on the title deed
                year = min(2000, owner_year + rng.randint(-5, 5))
                spouse = new("co_owner", unit, Relation.OWNER, year, female=not owner.name.female)
                spouse.resident = resident
                household += 1
            if residency == Residency.RENTED:
                for _ in range(2 if rng.random() < 0.2 else 1):
                    new("tenant", unit, Relation.TENANT, rng.randint(1978, 2003))
            elif resident and rng.random() < 0.35:
                for _ in range(2 if rng.random() < 0.3 else 1):
                    roll = rng.random()
                    if roll < 0.45 and owner_year > 1962:
                        member = new(
                            "parent",
                            unit,
                            Relation.FAMILY,
                            max(1930, owner_year - rng.randint(24, 32)),
                            surname=owner.name.surname if rng.random() < 0.6 else None,
                        )
                    elif roll < 0.85 and owner_year < 1980:
                        member = new(
                            "child",
                            unit,
                            Relation.FAMILY,
                            min(2006, owner_year + rng.randint(24, 32)),
                            surname=owner.name.surname if rng.random() < 0.85 else None,
                        )
                    else:
                        member = new(
                            "sibling",
                            unit,
                            Relation.FAMILY,
                            owner_year + rng.randint(-6, 6),
                            surname=owner.name.surname,
                        )
                    member.phones = 1 if rng.random() < 0.7 else 0
                    household += 1
            owner.lives_alone = resident and household == 1
    return drafts


def _profile(rng: Random, d: Draft) -> dict:
    owner = d.kind in ("owner", "co_owner")
    age = _age(d)
    attitude = rng.choices(
        [Attitude.FAVOURABLE, Attitude.NEUTRAL, Attitude.ADVERSE],
        weights=[18, 76, 6] if owner else [12, 86, 2],
    )[0]
    special = ""
    if d.lives_alone and age >= 70 and rng.random() < 0.3:
        special = "独居老人，子女在外地，每周电话问候一次；极端天气请上门看望。"
    elif rng.random() < (0.04 if age >= 60 else 0.01):
        special = rng.choice(_SPECIAL_NEEDS)
    notes = ""
    if attitude == Attitude.ADVERSE and rng.random() < 0.6:
        notes = rng.choice(_ADVERSE_NOTES)
    return {
        "birthday": _birthday(rng, d.birth_year) if rng.random() < 0.85 else None,
        "attitude": str(attitude),
        "special_needs": special,
        "address_as": _address_as(rng, d)
        if rng.random() < (0.3 if owner else 0.08) and age >= 25
        else "",
        "courtesy_notes": rng.choice(_COURTESY) if rng.random() < 0.07 else "",
        "preferred_channels": _channels(rng, d),
        "language": rng.choice(["粤语", "English", "温州话"]) if rng.random() < 0.02 else "",
        "notes": notes,
    }


def _pick_key_clients(s: Seed, rng: Random, drafts: list[Draft], people: list[Person]) -> int:
    """Per community: the owners' committee chair and two members, plus a few others."""
    by_community: dict[int, list[int]] = {}
    for i, d in enumerate(drafts):
        if d.kind == "owner" and _age(d) >= 30:
            by_community.setdefault(d.links[0][0].community_id, []).append(i)
    count = 0
    for community in s.communities:
        candidates = by_community.get(community.id, [])
        n_other = max(1, round(len(candidates) * 0.01))
        chosen = rng.sample(candidates, min(len(candidates), 3 + n_other))
        for j, i in enumerate(chosen):
            person = people[i]
            if j == 0:
                note = f"{community.name}业主委员会主任，每月工作例会参会人。"
            elif j < 3:
                note = f"{community.name}业主委员会委员。"
            else:
                note = rng.choice(_KEY_NOTES)
            person.key_client = True
            person.notes = (note + " " + person.notes).strip()
            person.attitude = (
                Attitude.FAVOURABLE if j == 0 or rng.random() < 0.5 else person.attitude
            )
            count += 1
    return count


def seed_people(s: Seed) -> None:
    """Owners (some holding two homes), co-owners, tenants and family members."""
    rng = s.rng("people")
    drafts = _drafts(s, rng)
    phones = s.phone_pool(rng)
    keys_cache: dict[str, tuple[str, str]] = {}
    people: list[Person] = []
    for d in drafts:
        keys = keys_cache.get(d.name.full)
        if keys is None:
            keys = keys_cache[d.name.full] = name_keys(d.name.full)
        people.append(
            Person(
                company=s.company,
                office=d.office,
                name=d.name.full,
                name_pinyin=keys[0],
                name_initials=keys[1],
                **_profile(rng, d),
            )
        )
    s.counts["key clients"] = _pick_key_clients(s, rng, drafts, people)
    s.people = Person.objects.bulk_create(people, batch_size=1000)
    phone_rows, link_rows, events = [], [], []
    for d, person in zip(drafts, s.people, strict=True):
        for i in range(d.phones):
            phone_rows.append(
                PersonPhone(
                    person=person,
                    company=s.company,
                    number=phones.mobile(),
                    preferred=(i == 0),
                    position=i,
                )
            )
        for unit, relation in d.links:
            link_rows.append(UnitLink(person=person, unit=unit, relation=str(relation)))
        events.append(
            PersonEvent(
                person=person,
                kind=PersonEvent.Kind.CREATED,
                changes={"name": [None, person.name]},
                note="演示数据",
            )
        )
    PersonPhone.objects.bulk_create(phone_rows, batch_size=1000)
    UnitLink.objects.bulk_create(link_rows, batch_size=1000)
    PersonEvent.objects.bulk_create(events, batch_size=1000)
    s.counts["people"] = len(s.people)
    s.counts["phones"] = len(phone_rows)
    s.counts["unit links"] = len(link_rows)


# Steps run in this order, each inside the one transaction of `generate`; each draws
# from `seed.rng("<its name>")` and only adds rows. The history (demo.history) follows
# the company and its estate.
ESTATE_STEPS = ("organisation", "staff", "estate", "people")
SEED_STEPS: list[tuple[str, Callable[[Seed], None]]] = [
    ("organisation", seed_organisation),
    ("staff", seed_staff),
    ("estate", seed_estate),
    ("people", seed_people),
    ("tickets", history.seed_tickets),
    ("visits", history.seed_visits),
    ("desk", history.seed_desk),
    ("hotline", history.seed_hotline),
    ("knowledge", history.seed_knowledge),
    ("incidents", history.seed_incidents),
    ("relations", history.seed_relations),
]


class DemoConflict(Exception):
    """The database holds rows that would collide with the demo (e.g. a username)."""


def demo_company() -> Company | None:
    return Company.objects.filter(code=DEMO_COMPANY_CODE).first()


def generate(
    *,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    log: Callable[[str], None] | None = None,
    now: datetime | None = None,
    steps: tuple[str, ...] | None = None,
) -> Seed:
    """Create the demo company and everything in it. Fails if it already exists.

    `now`: where the history ends (default: this moment). `steps`: run only these
    (e.g. ESTATE_STEPS for the company without history)."""
    s = Seed(seed=seed, scale=scale, log=log or (lambda _m: None), now=now or timezone.now())
    with transaction.atomic():
        if demo_company() is not None:
            raise DemoConflict(f"company {DEMO_COMPANY_CODE!r} already exists")
        taken = list(User.objects.filter(username__in=demo_usernames()).values_list("username"))
        if taken:
            raise DemoConflict(
                "usernames already in use: " + ", ".join(sorted(u for (u,) in taken))
            )
        for label, step in SEED_STEPS:
            if steps is not None and label not in steps:
                continue
            started = time.perf_counter()
            step(s)
            s.log(f"  {label:<14} {time.perf_counter() - started:6.2f} s")
    return s


def train_category_models(log: Callable[[str], None] | None = None) -> dict[str, float | None]:
    """Train each service office's category suggestion on the seeded history and return
    its hold-out accuracy by office code (hotline.suggest: a fifth held out)."""
    from hotline.suggest import category_model_train

    company = demo_company()
    result: dict[str, float | None] = {}
    if company is None:
        return result
    for office in Office.objects.filter(company=company, kind=Office.Kind.SERVICE):
        started = time.perf_counter()
        model = category_model_train(office=office)
        result[office.code] = model.holdout_accuracy if model else None
        if log:
            samples = model.samples if model else 0
            log(
                f"  {office.code:<14} {time.perf_counter() - started:6.2f} s"
                f"  {samples} tickets, hold-out accuracy {result[office.code]}"
            )
    return result


# ---------------------------------------------------------------------------
# Removing the demo company (for --reset)
# ---------------------------------------------------------------------------


def _paths_to_company(model: type[models.Model], depth: int = 4) -> list[str]:
    """Every chain of foreign keys from `model` to Company, up to `depth` hops."""
    found: list[str] = []

    def walk(m: type[models.Model], path: str, seen: tuple, left: int) -> None:
        for f in m._meta.concrete_fields:
            if not (f.many_to_one or f.one_to_one):
                continue
            target = f.related_model
            p = f"{path}__{f.name}" if path else f.name
            if target is Company:
                found.append(p)
            elif left > 1 and target not in seen:
                walk(target, p, (*seen, target), left - 1)

    walk(model, "", (model,), depth)
    return found


def delete_demo() -> dict[str, int]:
    """Delete the demo company and every row that hangs off it, in an order that
    never trips a PROTECT: a model's rows go before the rows they point to.

    Models are found by their foreign-key chains to Company, so models added later
    (tickets, visits …) are covered without changes here.
    """
    company = demo_company()
    if company is None:
        return {}
    targets: dict[type[models.Model], Q] = {}
    for model in apps.get_models(include_auto_created=True):
        if model is Company:
            continue
        paths = _paths_to_company(model)
        if paths:
            q = Q()
            for p in paths:
                q |= Q(**{p: company.id})
            targets[model] = q
    graph: dict[type[models.Model], set[type[models.Model]]] = {m: set() for m in targets}
    for model in targets:
        for f in model._meta.concrete_fields:
            target = f.related_model if (f.many_to_one or f.one_to_one) else None
            if target in targets and target is not model:
                graph[target].add(model)  # `model` points at `target`: delete it first
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError:
        order = list(targets)
    deleted: dict[str, int] = {}
    with transaction.atomic():
        # Collect the ids first: once a parent is gone, a child's chain no longer matches.
        ids = {
            m: list(m._base_manager.filter(targets[m]).values_list("pk", flat=True).distinct())
            for m in order
        }
        for model in order:
            pks = ids[model]
            for i in range(0, len(pks), 500):
                _n, per_model = model._base_manager.filter(pk__in=pks[i : i + 500]).delete()
                for label, n in per_model.items():
                    deleted[label] = deleted.get(label, 0) + n
        company.delete()
    return deleted


# ---------------------------------------------------------------------------
# A fingerprint of the demo, to show that two runs give the same data
# ---------------------------------------------------------------------------


def demo_digest() -> str:
    company = demo_company()
    if company is None:
        return ""
    h = hashlib.sha256()

    def feed(rows) -> None:
        for row in rows:
            h.update(repr(row).encode())
            h.update(b"\n")

    feed(
        Office.objects.filter(company=company).order_by("code").values_list("code", "name", "kind")
    )
    feed(
        User.objects.filter(company=company)
        .order_by("username")
        .values_list("username", "name", "phone", "roles", "is_staff")
    )
    feed(
        User.offices.through.objects.filter(user__company=company)
        .order_by("user__username", "office__code")
        .values_list("user__username", "office__code")
    )
    feed(
        Community.objects.filter(company=company)
        .order_by("code")
        .values_list("code", "name", "address", "office__code")
    )
    feed(
        Unit.objects.filter(community__company=company)
        .order_by("community__code", "number")
        .values_list(
            "community__code",
            "building__name",
            "entrance",
            "room",
            "number",
            "area_m2",
            "residency",
        )
    )
    feed(
        Person.objects.filter(company=company)
        .order_by("id")
        .values_list(
            "name",
            "name_pinyin",
            "office__code",
            "birthday",
            "attitude",
            "key_client",
            "special_needs",
            "address_as",
            "courtesy_notes",
            "preferred_channels",
            "language",
            "notes",
        )
    )
    feed(
        PersonPhone.objects.filter(company=company)
        .order_by("number")
        .values_list("number", "person__name", "preferred", "position")
    )
    feed(
        UnitLink.objects.filter(person__company=company)
        .order_by("unit__community__code", "unit__number", "person__name", "relation")
        .values_list("unit__community__code", "unit__number", "person__name", "relation")
    )
    _digest_history(company, feed)
    return h.hexdigest()


def _digest_history(company: Company, feed: Callable) -> None:
    """The history by natural keys (ticket numbers, usernames, names), never by ids."""
    from hotline.models import Article, Call, CallBack, Script
    from incidents.models import Incident
    from relations.models import Survey, SurveyResponse
    from tickets.models import Supervision, Ticket, TicketCounter, TicketEvent
    from visits.models import ReturnVisit, SamplingDecision, VisitRecord

    feed(
        Ticket.objects.filter(company=company)
        .order_by("number")
        .values_list(
            "number",
            "kind",
            "channel",
            "category",
            "title",
            "description",
            "status",
            "severity",
            "area",
            "emergency",
            "received_at",
            "due_at",
            "resolved_at",
            "closed_at",
            "assignee__username",
            "person__name",
            "unit__number",
            "resolution",
            "rating",
            "external_ref",
            "complaint_valid",
            "responsibility",
        )
    )
    feed(
        TicketEvent.objects.filter(ticket__company=company)
        .order_by("ticket__number", "at", "id")
        .values_list("ticket__number", "action", "at", "actor__username", "to_status", "text")
    )
    feed(
        Supervision.objects.filter(ticket__company=company)
        .order_by("ticket__number", "level")
        .values_list("ticket__number", "level", "due_at", "at")
    )
    feed(
        TicketCounter.objects.filter(office__company=company)
        .order_by("office__code", "day")
        .values_list("office__code", "day", "last")
    )
    feed(
        ReturnVisit.objects.filter(company=company)
        .order_by("due_by", "id")
        .values_list(
            "ticket__number",
            "rule__code",
            "purpose",
            "assignee__username",
            "due_from",
            "due_by",
            "done_at",
            "qualified",
        )
    )
    feed(
        VisitRecord.objects.filter(visit__company=company)
        .order_by("visited_at", "id")
        .values_list("visit__ticket__number", "method", "visited_at", "satisfaction", "qualified")
    )
    feed(
        SamplingDecision.objects.filter(ticket__company=company)
        .order_by("id")
        .values_list("ticket__number", "rule__code", "month", "resolved_in_month", "selected")
    )
    feed(
        Call.objects.filter(company=company)
        .order_by("started_at", "id")
        .values_list("number", "direction", "outcome", "agent__username", "duration_s")
    )
    feed(
        CallBack.objects.filter(company=company)
        .order_by("due_at", "id")
        .values_list("number", "reason", "due_at", "done_at", "agent__username")
    )
    feed(
        Article.objects.filter(company=company)
        .order_by("id")
        .values_list("title", "category", "helped", "source_ticket__number")
    )
    feed(Script.objects.filter(company=company).order_by("position").values_list("title", "text"))
    feed(
        Incident.objects.filter(company=company)
        .order_by("started_at")
        .values_list("title", "kind", "started_at", "ended_at")
    )
    feed(
        AttitudeChange.objects.filter(person__company=company)
        .order_by("at", "id")
        .values_list("person__name", "previous", "attitude", "reason")
    )
    # Survey samples are drawn by survey id (as the service does): only their size here.
    feed(Survey.objects.filter(company=company).order_by("round").values_list("round", "status"))
    feed([SurveyResponse.objects.filter(invitation__survey__company=company).count()])
