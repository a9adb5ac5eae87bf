"""Six months of the desk's work for the demo company, ending at the moment of seeding.

Steps (appended to generator.SEED_STEPS, each with its own random generator):

- `tickets`: every contact of the last `DAYS` days in all communities — what was said
  (demo.phrases), when, through which channel, by whom it was logged — and each
  ticket's life: routing, promise (tickets.deadlines), start, resolution, closing,
  owner rating, complaint findings, engineering liaison forms, escalations,
  cancellations; whatever lies after `now` is not there yet, so recent tickets are
  still open. Planned in memory.
- `visits`: the return visits the default rules ask for (visits.rules), chosen exactly
  as visits.planning.visit_plan_for_resolved_ticket does (a counter per office, rule
  and month; chosen while fewer than ceil(share × resolved)); most are recorded, some
  unqualified — which reopens the ticket, and the re-resolved ticket is visited again.
- `desk`: writes all of it with bulk_create — tickets numbered per office and day,
  their timelines, supervisions (督办) of the time they were overdue, the ticket
  counters, visits, records and sampling decisions.
- `hotline`: the 400 centre's phone system, calls for hotline tickets, missed calls
  and call-backs, progress-chasing calls, phone return visits.
- `knowledge`: knowledge-base articles and scripts.
- `incidents`: one open incident and a few ended ones (their calls are in `tickets`).
- `relations`: attitude changes, satisfaction surveys, routine and festival visits.

Rows are written directly, but with what the services would have written: the same
event actions and data, the same numbering, the same sampling arithmetic.
"""

import bisect
import heapq
import math
import struct
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db import models

from core import phones
from demo import phrases
from demo.phrases import (
    COMPLAINT,
    DISPUTE,
    ENGINEERING,
    INQUIRY,
    PRAISE,
    PROBLEMS,
    REPAIR,
    SUGGESTION,
    Problem,
    Voice,
)
from estate.models import (
    Attitude,
    AttitudeChange,
    Building,
    Person,
    PersonEvent,
    PersonPhone,
    Relation,
    Residency,
    Unit,
    UnitLink,
)
from hotline.kb import search_text_of
from hotline.models import Article, Call, CallBack, Script
from hotline.services import phone_system_create
from incidents.models import Incident
from org.models import Department, Office, User
from relations.models import ServiceLine, Survey, SurveyInvitation, SurveyResponse
from tickets import deadlines
from tickets.categories import DEFAULTS as DEFAULT_CATEGORIES
from tickets.models import (
    LiaisonForm,
    Responsibility,
    Severity,
    Status,
    Supervision,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketParty,
)
from tickets.transitions import TRANSITIONS, allowed_from, target_of
from visits.models import (
    ReturnVisit,
    SamplingCounter,
    SamplingDecision,
    VisitEvent,
    Visitor,
    VisitRecord,
)
from visits.planning import sampling_decision
from visits.rules import rule_for, rules_ensure_defaults
from visits.services import _content_hash

if TYPE_CHECKING:
    from demo.generator import Seed

DAYS = 183  # about six months, ending now
# Contacts a day per community at full scale (the old walk-ups call about more repairs
# per home; the new towers about more of everything).
DAILY = {"cuihu": 13.0, "jinxiu": 14.0, "binjiang": 15.0, "guiyu": 17.0}
KIND_SHARE = {
    "cuihu": {REPAIR: 50, INQUIRY: 26, COMPLAINT: 10, ENGINEERING: 0, DISPUTE: 5},
    "jinxiu": {REPAIR: 45, INQUIRY: 28, COMPLAINT: 10, ENGINEERING: 0.6, DISPUTE: 4.5},
    "binjiang": {REPAIR: 43, INQUIRY: 29, COMPLAINT: 11, ENGINEERING: 1.6, DISPUTE: 3.5},
    "guiyu": {REPAIR: 38, INQUIRY: 28, COMPLAINT: 10, ENGINEERING: 8, DISPUTE: 3.5},
}
for _shares in KIND_SHARE.values():
    _shares.update({SUGGESTION: 2.4, PRAISE: 2.4})

CHANNELS: dict[str, tuple[tuple[str, float], ...]] = {
    REPAIR: (
        ("hotline", 52),
        ("wechat", 20),
        ("walk_in", 12),
        ("online", 9),
        ("visit", 5),
        ("email", 0.5),
        ("gov_hotline", 0.25),
        ("letter", 0.2),
    ),
    INQUIRY: (
        ("hotline", 45),
        ("walk_in", 26),
        ("wechat", 19),
        ("online", 8),
        ("email", 1),
        ("gov_hotline", 0.15),
    ),
    COMPLAINT: (
        ("hotline", 44),
        ("walk_in", 15),
        ("wechat", 16),
        ("online", 6),
        ("letter", 2),
        ("email", 2.5),
        ("gov_hotline", 3),
        ("suggestion_box", 3),
        ("meeting", 2),
        ("visit", 2),
    ),
    ENGINEERING: (
        ("walk_in", 30),
        ("hotline", 28),
        ("wechat", 20),
        ("visit", 15),
        ("online", 5),
        ("letter", 1),
        ("gov_hotline", 0.8),
    ),
    SUGGESTION: (
        ("suggestion_box", 25),
        ("meeting", 15),
        ("online", 14),
        ("wechat", 15),
        ("hotline", 13),
        ("letter", 5),
        ("email", 6),
        ("walk_in", 7),
    ),
    PRAISE: (
        ("hotline", 30),
        ("wechat", 25),
        ("walk_in", 22),
        ("letter", 10),
        ("online", 10),
        ("suggestion_box", 3),
    ),
    DISPUTE: (
        ("hotline", 40),
        ("walk_in", 36),
        ("wechat", 14),
        ("visit", 6),
        ("gov_hotline", 1.5),
        ("online", 2),
    ),
}
# Calls by hour of the day (0–23), per kind of matter.
HOURS = {
    "day": (0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 1, 3, 8, 10, 10, 8, 5, 6, 8, 8, 8, 7, 6, 6, 5, 4, 2, 1),
    "evening": (0.6, 0.3, 0.1, 0.1, 0.1, 0.2, 0.5, 2, 4, 5, 5, 4, 4, 4, 5, 5, 6, 8, 10, 10, 10, 9, 6, 3),
    "night": (5, 3, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 4, 5, 6, 8, 9, 8),
    "any": (2, 1.5, 1, 1, 1, 1, 2, 4, 6, 7, 7, 6, 5, 5, 6, 6, 6, 6, 6, 6, 5, 5, 4, 3),
    "office": (0, 0, 0, 0, 0, 0, 0, 0, 6, 10, 10, 8, 3, 5, 9, 9, 8, 4, 0, 0, 0, 0, 0, 0),
}  # fmt: skip
OFFICE_CHANNELS = {"walk_in", "gov_hotline", "letter", "visit"}
LATE_SHARE = {
    REPAIR: 0.09,
    COMPLAINT: 0.12,
    ENGINEERING: 0.25,
    DISPUTE: 0.14,
    SUGGESTION: 0.08,
    PRAISE: 0.02,
    INQUIRY: 0.05,
}
DEPARTMENT_OF = {c.code: c.department_kind for c in DEFAULT_CATEGORIES}
K = Department.Kind
SUPERVISION_TEXT = {1: "经办人", 2: "部门主管", 3: "服务处经理", 4: "公司"}
CONTRACTORS = (
    ("浙江恒远建设集团有限公司", "项目部 周工"),
    ("杭州中诚建筑工程有限公司", "售后 陈经理"),
    ("浙江华景门窗有限公司", "售后 刘师傅"),
    ("杭州安固防水工程有限公司", "施工队 张队长"),
)
CANCEL_REASONS = (
    "业主来电表示问题已自行解决,撤销。",
    "重复登记,与同一业主当日另一工单为同一事项。",
    "业主取消报修,另行约定时间后重新报修。",
    "经核实非本小区住户,已告知联系所在小区物业。",
)
ESCALATE_REASONS = (
    "经核实涉及开发商保修范围,非本部门职责,报经理协调。",
    "涉及多个部门,请经理指定责任部门。",
    "业主要求赔偿,超出部门权限,上报经理。",
)
PROMISE_TEXTS = (
    "需更换配件,配件到货后上门更换",
    "需与楼上住户约定时间共同查看",
    "需待天晴后施工",
    "需联系维保单位到场检修",
)
NOTES = (
    "已电话联系业主,约今天下午三点上门。",
    "业主白天上班,约定晚上六点半后上门。",
    "已与业主微信联系,发送了现场照片。",
    "业主不在家,钥匙放门岗,已与门岗确认。",
    "联系业主未接,已发短信告知维修人员电话。",
)
RATING_COMMENTS = {
    5: ("师傅很专业,态度好", "处理得很及时,谢谢", "满意", "很满意,点赞", ""),
    4: ("还可以,就是等的时间长了点", "基本满意", "修好了,下次早点来就好", ""),
    3: ("一般吧,来了两次才修好", "态度可以,效率一般", "问题解决了,但过程太慢"),
    2: ("拖了三天才来", "修完地上一塌糊涂也没收拾", "回复太慢"),
    1: ("根本没解决,敷衍", "态度很差", "说好的时间没来,打电话也不接"),
}
RATING_REPLIES = (
    "非常抱歉给您带来不便,已对相关人员进行批评教育,后续会加强跟进。",
    "感谢您的反馈,我们会改进响应时效,如有问题请随时联系管家。",
    "已安排主管再次上门查看,给您带来不便深表歉意。",
)
STUCK_NOTES = {
    REPAIR: (
        "配件缺货,厂家预计下周到货。",
        "需业委会同意动用专项维修资金,等待表决结果。",
        "楼上住户长期不在家,无法入户查看漏点。",
    ),
    ENGINEERING: ("施工单位未按约定时间到场,已再次催促。", "开发商尚未确认维修费用,已发函催办。"),
    COMPLAINT: ("已多次联系责任方,等待对方答复。", "涉及外部单位(城管/供电),已发函,等待回复。"),
    DISPUTE: ("对方业主长期不在家,暂无法调解。", "双方分歧较大,拟请社区居委会共同调解。"),
}
VISIT_TEXTS = {
    "quality": (
        "维修质量良好,使用正常",
        "已修复,现场整洁",
        "处理到位",
        "问题已解决,业主认可",
        "质量合格",
    ),
    "result": ("问题已解决", "业主满意", "基本解决", "已处理完毕", "效果良好"),
    "opinions": (
        "",
        "",
        "希望以后响应再快一点",
        "师傅态度很好",
        "建议维修前先电话预约",
        "希望物业多关注老旧设施",
        "感谢物业",
        "",
    ),
    "shortcomings": (
        "维修后仍有渗水,问题未彻底解决",
        "修好两天又坏了",
        "业主反映问题依旧,要求重新处理",
        "处理结果业主不认可,要求经理出面",
        "现场未清理,业主不满意",
    ),
}
INCIDENT_PLAN = (
    # key, office code, building index, kind, days ago, hours, title, resident text
    (
        "flood",
        "guiyu",
        0,
        Incident.Kind.FLOOD,
        150,
        9,
        "地下车库进水(强降雨)",
        "因连续强降雨,地下车库B区出现积水,已启用排水泵抽排,请业主暂勿驶入B区,"
        "已停放车辆请配合挪至地面临时车位,秩序部现场引导。",
    ),
    (
        "typhoon",
        "cuihu",
        2,
        Incident.Kind.POWER,
        110,
        6,
        "台风致部分楼栋停电",
        "受台风影响,供电线路故障,部分楼栋停电,供电公司正在抢修,预计今晚恢复。"
        "请关闭大功率电器,注意用火安全,独居老人如需帮助请联系管家。",
    ),
    (
        "lift",
        "binjiang",
        1,
        Incident.Kind.LIFT,
        62,
        3,
        "电梯困人(已救援)",
        "该楼栋一部电梯发生困人故障,被困人员已安全救出,电梯停用检修,"
        "请使用另一部电梯,给您带来不便敬请谅解。",
    ),
    (
        "pipe",
        "jinxiu",
        3,
        Incident.Kind.WATER,
        35,
        8,
        "供水主管爆裂抢修",
        "小区供水主管爆裂,正在抢修,相关楼栋临时停水,预计下午四点恢复供水,请提前储水。",
    ),
)
# The open one: today, in one building.
OPEN_INCIDENT = (
    "outage",
    "jinxiu",
    4,
    Incident.Kind.WATER,
    0,
    10,
    "二次供水水泵更换停水",
    "因二次供水水泵更换,该楼栋今日8:00至18:00停水,请提前储水。恢复供水初期可能水质发黄,"
    "请放水片刻后再使用。如有老人或行动不便住户需要送水,请致电管家,我们安排送桶装水上门。",
)


def _pick(rng: Random, options: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([o for o, _w in options], weights=[w for _o, w in options])[0]


# ---------------------------------------------------------------------------
# In-memory tickets
# ---------------------------------------------------------------------------


@dataclass
class Ev:
    at: datetime
    actor: User | None
    action: str
    text: str = ""
    internal: bool = False
    data: dict = field(default_factory=dict)
    from_status: str = ""
    to_status: str = ""


@dataclass
class Plan:
    office: Office
    community_code: str
    community_id: int
    unit: Unit | None
    person: Person | None
    problem: Problem
    kind: str
    channel: str
    category: str
    title: str
    description: str
    received: datetime
    creator: User
    severity: str = Severity.GENERAL
    area: str = ""
    emergency: bool = False
    due: datetime | None = None
    external_ref: str = ""
    external_due: datetime | None = None
    core: str = ""
    slots: dict = field(default_factory=dict)
    events: list[Ev] = field(default_factory=list)
    parties: list[tuple[str, Person | None, Unit | None, str]] = field(default_factory=list)
    liaison: dict | None = None
    consent: bool = False
    number: str = ""
    ticket: Ticket | None = None
    index: int = 0
    visits: list["VisitPlan"] = field(default_factory=list)

    @property
    def company_id(self) -> int:
        return self.office.company_id


@dataclass
class VisitPlan:
    plan: Plan
    rule: object
    reason: str
    month: str
    due_from: datetime
    due_by: datetime
    assignee: User | None
    planned_at: datetime
    record: dict | None = None
    visit: ReturnVisit | None = None


class Desk:
    """Who is who in each office: the staff a ticket's steps are done by."""

    def __init__(self, s: "Seed"):
        self.s = s
        st = s.staff
        self.agents = [st["hy_hotline1"], st["hy_hotline2"], st["hy_hotline3"]]
        self.hotline_lead = st["hy_hotline_lead"]
        self.by_id = {u.id: u for u in st.values()}
        self.by_office: dict[str, dict[str, User]] = {}
        for code in s.offices:
            self.by_office[code] = {
                suffix: st[f"{code}_{suffix}"]
                for suffix in (
                    "manager",
                    "front",
                    "cs_lead",
                    "eng_lead",
                    "eng1",
                    "eng2",
                    "guard_lead",
                    "guard1",
                    "clean1",
                    "acct",
                )
            }

    def who(self, code: str, suffix: str) -> User:
        return self.by_office[code][suffix]

    def supervisor(self, code: str, dept_kind: str | None) -> User | None:
        """The supervisor of a department (None: cleaning and accounting have none)."""
        return {
            K.ENGINEERING: self.who(code, "eng_lead"),
            K.SECURITY: self.who(code, "guard_lead"),
            K.CUSTOMER_SERVICE: self.who(code, "cs_lead"),
        }.get(dept_kind)

    def assigner(self, code: str, dept_kind: str) -> User:
        # Any supervisor may act on a new ticket; cleaning and accounting have none,
        # so customer service hands theirs out.
        return self.supervisor(code, dept_kind) or self.who(code, "cs_lead")

    def closer(self, code: str, dept_kind: str | None) -> User:
        return self.supervisor(code, dept_kind) or self.who(code, "manager")

    def worker(self, rng: Random, code: str, dept_kind: str) -> User:
        roll = rng.random()
        if dept_kind == K.ENGINEERING:
            return self.who(code, "eng1" if roll < 0.46 else "eng2" if roll < 0.92 else "eng_lead")
        if dept_kind == K.SECURITY:
            return self.who(code, "guard1" if roll < 0.75 else "guard_lead")
        if dept_kind == K.CLEANING:
            return self.who(code, "clean1")
        if dept_kind == K.ACCOUNTING:
            return self.who(code, "acct")
        return self.who(code, "front" if roll < 0.6 else "cs_lead")

    def hotline_agent(self, rng: Random, hour: int) -> User:
        if hour < 8:
            return self.agents[2]
        if hour < 16:
            return self.agents[0] if rng.random() < 0.75 else self.agents[1]
        return self.agents[1] if rng.random() < 0.75 else self.agents[2]


class Clock:
    def __init__(self, tz: ZoneInfo, now: datetime):
        self.tz = tz
        self.now = now
        self.today = now.astimezone(tz).date()

    def at(self, day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute, second), self.tz)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def daytime(self, rng: Random, moment: datetime, start: int = 8, end: int = 20) -> datetime:
        """`moment`, or the next morning when it falls outside working hours."""
        local = self.local(moment)
        if start <= local.hour < end:
            return moment
        day = local.date() if local.hour < start else local.date() + timedelta(days=1)
        return self.at(day, start) + timedelta(minutes=rng.randint(5, 75))

    def month(self, moment: datetime) -> str:
        return self.local(moment).strftime("%Y-%m")


def _surname(name: str) -> str:
    return name[:2] if name[:2] in ("欧阳", "司马") else name[:1]


def _honorific(rng: Random, person: Person | None) -> str:
    if person is not None and person.address_as:
        return person.address_as[len(_surname(person.name)) :] or "先生"
    return rng.choice(phrases.HONORIFICS)


# ---------------------------------------------------------------------------
# Step: tickets
# ---------------------------------------------------------------------------


class TicketMaker:
    def __init__(self, s: "Seed", rng: Random, clock: Clock):
        self.s = s
        self.rng = rng
        self.clock = clock
        self.voice = Voice(rng)
        self.desk = Desk(s)
        self.tables: dict[tuple, tuple[list[Problem], list[float]]] = {}
        self.by_key = {p.key: p for p in PROBLEMS}
        people = {p.id: p for p in s.people}
        self.people = people
        links = UnitLink.objects.filter(unit__community__company=s.company).values_list(
            "unit_id", "person_id", "relation"
        )
        self.unit_people: dict[int, list[tuple[Person, str]]] = defaultdict(list)
        for unit_id, person_id, relation in links.order_by("unit_id", "id"):
            self.unit_people[unit_id].append((people[person_id], relation))
        self.units_by_community: dict[int, list[Unit]] = defaultdict(list)
        self.weights: dict[int, list[float]] = defaultdict(list)
        for unit in s.units:
            if not self.unit_people.get(unit.id):
                continue
            base = {
                Residency.OCCUPIED: 1.0,
                Residency.RENTED: 0.8,
                Residency.NOT_MOVED_IN: 0.3,
                Residency.VACANT: 0.05,
            }[unit.residency]
            self.units_by_community[unit.community_id].append(unit)
            self.weights[unit.community_id].append(base * rng.lognormvariate(0, 0.7))
        self.by_position = {(u.building_id, u.entrance, u.room): u for u in s.units}
        self.gov_refs: set[str] = set()

    # --- what is said ----------------------------------------------------------------

    def problem(self, kind: str, code: str, month: int) -> Problem | None:
        key = (kind, code, month)
        if key not in self.tables:
            chosen = [
                (p, p.weight * p.where.get(code, 1.0) * p.months.get(month, 1.0))
                for p in PROBLEMS
                if p.kind == kind
            ]
            chosen = [(p, w) for p, w in chosen if w > 0]
            self.tables[key] = ([p for p, _w in chosen], [w for _p, w in chosen])
        problems, weights = self.tables[key]
        if not problems:
            return None
        return self.rng.choices(problems, weights=weights)[0]

    def unit_for(self, community_id: int) -> Unit:
        return self.rng.choices(
            self.units_by_community[community_id], weights=self.weights[community_id]
        )[0]

    def person_for(self, unit: Unit) -> Person:
        linked = self.unit_people[unit.id]
        owners = [p for p, r in linked if r == Relation.OWNER]
        others = [p for p, r in linked if r != Relation.OWNER]
        if others and (unit.residency == Residency.RENTED or self.rng.random() < 0.25):
            return self.rng.choice(others)
        return self.rng.choice(owners or others)

    def received_at(self, day: date, problem: Problem, channel: str, emergency: bool) -> datetime:
        rng = self.rng
        if channel == "suggestion_box":  # opened on Mondays at ten by the service centre
            monday = day - timedelta(days=day.weekday())
            return self.clock.at(monday, 10, rng.randint(0, 40), rng.randint(0, 59))
        if channel == "meeting":  # owners' meetings on Thursday evenings
            thursday = day - timedelta(days=(day.weekday() - 3) % 7)
            return self.clock.at(thursday, 19, rng.randint(0, 90) % 60, 0) + timedelta(
                minutes=rng.randint(0, 60)
            )
        profile = "any" if emergency else problem.hours
        if channel in OFFICE_CHANNELS:
            profile = "office"
        hour = rng.choices(range(24), weights=HOURS[profile])[0]
        return self.clock.at(day, hour, rng.randint(0, 59), rng.randint(0, 59))

    def creator(self, code: str, channel: str, received: datetime) -> User:
        rng, desk = self.rng, self.desk
        hour = self.clock.local(received).hour
        if channel == "hotline":
            if 8 <= hour < 17 and rng.random() < 0.3:
                return desk.who(code, "front")
            return desk.hotline_agent(rng, hour)
        if channel == "walk_in":
            return desk.who(code, "front" if rng.random() < 0.8 else "cs_lead")
        if channel == "visit":
            return desk.who(code, rng.choice(("cs_lead", "front", "manager")))
        if channel in ("suggestion_box", "gov_hotline"):
            return desk.who(code, "cs_lead")
        if channel == "meeting":
            return desk.who(code, "manager" if rng.random() < 0.6 else "cs_lead")
        return desk.who(code, "front" if rng.random() < 0.7 else "cs_lead")

    def make(
        self,
        community,
        day: date,
        *,
        kind: str | None = None,
        problem: Problem | None = None,
        unit: Unit | None = None,
        received: datetime | None = None,
        channel: str | None = None,
        repeat: bool = False,
        angry: bool | None = None,
        extra: str = "",
    ) -> Plan | None:
        rng = self.rng
        code = community.code
        if problem is None:
            for _try in range(5):
                kind = kind or rng.choices(*zip(*KIND_SHARE[code].items(), strict=True))[0]
                problem = self.problem(kind, code, day.month)
                if problem is not None:
                    break
                kind = None
            if problem is None:
                return None
        kind = problem.kind
        channel = channel or _pick(rng, CHANNELS[kind])
        emergency = rng.random() < problem.emergency
        if emergency and channel not in ("hotline", "wechat"):
            channel = "hotline"
        received = received or self.received_at(day, problem, channel, emergency)
        unit = unit or self.unit_for(community.id)
        person = self.person_for(unit)
        if kind in (SUGGESTION, PRAISE) and channel == "suggestion_box" and rng.random() < 0.5:
            person = None  # an unsigned note
        narrative = kind in (REPAIR, COMPLAINT, DISPUTE, ENGINEERING)
        spoken = channel in ("hotline", "walk_in", "visit", "wechat", "online")
        second = None
        if narrative and spoken and rng.random() < 0.15:
            other = self.problem(rng.choice((REPAIR, REPAIR, COMPLAINT)), code, day.month)
            if other is not None and other.category != problem.category and other.brief:
                second = other
        if angry is None:
            angry = rng.random() < {COMPLAINT: 0.35, DISPUTE: 0.3, ENGINEERING: 0.15}.get(
                kind, 0.06
            )
        context = {
            "unit": unit.number,
            "bldg": unit.building.name if unit.building else "",
            "community": community.name,
            "surname": _surname(person.name) if person else rng.choice(phrases.SURNAMES),
            "honorific": _honorific(rng, person),
        }
        text = self.voice.compose(
            problem,
            channel=channel,
            context=context,
            second=second,
            angry=angry or (repeat and rng.random() < 0.5),
            repeat=repeat,
            vague=kind == REPAIR and spoken and rng.random() < 0.045,
            dialect=rng.random() < 0.25,
            extra=extra,
        )
        creator = self.creator(code, channel, received)
        severity = (
            Severity.MAJOR
            if kind == COMPLAINT and rng.random() < problem.major
            else Severity.GENERAL
        )
        plan = Plan(
            office=self.s.offices[code],
            community_code=code,
            community_id=community.id,
            unit=unit,
            person=person,
            problem=problem,
            kind=kind,
            channel=channel,
            category=text.category,
            title=text.title,
            description=text.description,
            received=received,
            creator=creator,
            severity=severity,
            area=problem.area or ("household" if kind == REPAIR else ""),
            emergency=emergency,
            core=text.core,
            slots=text.slots,
            consent=rng.random() < 0.3,
        )
        hours = deadlines.promise_hours(
            kind=kind, area=plan.area, emergency=emergency, category_hours=None
        )
        plan.due = received + timedelta(hours=hours)  # calendar time: no office settings
        if channel == "gov_hotline":
            while True:
                ref = f"12345-{received:%Y}-{self.clock.local(received):%m%d}-{rng.randint(1, 2999):04d}"
                if ref not in self.gov_refs:
                    break
            self.gov_refs.add(ref)
            plan.external_ref = ref
            plan.external_due = received + timedelta(hours=rng.choice((24, 48, 72)))
            plan.due = min(plan.due, plan.external_due)
        if kind == DISPUTE:
            plan.parties = self.parties(plan)
        return plan

    def parties(self, plan: Plan) -> list:
        """The complainant and the other side: the home above, else a neighbour."""
        rng, unit = self.rng, plan.unit
        floor, pos = int(unit.room[:-2]), unit.room[-2:]
        candidates = [
            self.by_position.get((unit.building_id, unit.entrance, f"{floor + 1}{pos}")),
            self.by_position.get(
                (unit.building_id, unit.entrance, f"{floor}{'02' if pos == '01' else '01'}")
            ),
            self.by_position.get((unit.building_id, unit.entrance, f"{floor - 1}{pos}")),
        ]
        other = next((u for u in candidates if u is not None and self.unit_people.get(u.id)), None)
        respondent = self.person_for(other) if other is not None else None
        said = rng.choice(plan.problem.respondent) if plan.problem.respondent else ""
        return [
            ("complainant", plan.person, unit, plan.core),
            ("respondent", respondent, other, said),
        ]

    # --- what happens to it ----------------------------------------------------------

    def lifecycle(self, p: Plan) -> None:
        rng, clock, desk = self.rng, self.clock, self.desk
        code = p.community_code
        dept_kind = DEPARTMENT_OF.get(p.category, K.CUSTOMER_SERVICE)
        major = p.kind == COMPLAINT and p.severity == Severity.MAJOR
        department = None if major else self.s.departments[(code, dept_kind)]
        events = p.events
        t = p.received

        def add(at, actor, action, text="", internal=False, **data):
            events.append(Ev(at, actor, action, text, internal, data))

        add(
            t,
            p.creator,
            "create",
            p.description[:500],
            kind=p.kind,
            channel=p.channel,
            category=p.category,
            department=department.id if department else None,
            due_at=p.due.isoformat(),
        )
        resolution = self.voice.resolution(p.problem, p.core, p.slots)
        outcome = p.problem.outcome
        rule = p.problem.rule if outcome == "refused" else ""
        if p.kind not in (PRAISE, SUGGESTION) and rng.random() < 0.015:
            at = clock.daytime(rng, t + timedelta(minutes=rng.randint(15, 900)))
            add(
                at,
                desk.who(code, rng.choice(("cs_lead", "manager"))),
                "cancel",
                rng.choice(CANCEL_REASONS),
            )
            return
        if (
            p.kind == INQUIRY
            and p.channel not in ("gov_hotline", "letter", "email")
            and (rng.random() < 0.68 or outcome != "resolved")
        ):
            # Answered on the spot by whoever took it.
            at = t + timedelta(minutes=rng.randint(1, 12), seconds=rng.randint(0, 59))
            add(at, p.creator, "resolve", resolution, **self._resolved(at, outcome, rule))
            self._after(p, at, dept_kind, p.creator, resolution)
            return
        if p.kind in (PRAISE, SUGGESTION):
            actor = desk.supervisor(code, dept_kind) or desk.who(code, "manager")
            if p.kind == SUGGESTION and rng.random() < 0.5:
                actor = desk.who(code, "manager")
            delay = timedelta(hours=rng.uniform(2, 30 if p.kind == PRAISE else 120))
            at = clock.daytime(rng, t + delay)
            if rng.random() < LATE_SHARE[p.kind]:
                at = clock.daytime(rng, p.due + timedelta(hours=rng.uniform(2, 48)))
            add(at, actor, "resolve", resolution, **self._resolved(at, outcome, rule))
            self._after(p, at, dept_kind, actor, resolution)
            return
        # Routed: assign (the office manager first for a major complaint), start, resolve.
        if p.emergency:
            t_assign = t + timedelta(minutes=rng.randint(3, 12))
        else:
            t_assign = clock.daytime(rng, t + timedelta(minutes=rng.randint(5, 100)), 8, 21)
        worker = desk.worker(rng, code, dept_kind)
        dept = self.s.departments[(code, dept_kind)]
        assign_data = {"department": dept.id, "department_name": dept.name, "assignee": worker.id}
        if major:
            add(t_assign, desk.who(code, "manager"), "assign", worker.name, **assign_data)
        elif not p.emergency and rng.random() < (
            0.02 if t < clock.now - timedelta(days=3) else 0.07
        ):
            add(t_assign, desk.assigner(code, dept_kind), "escalate", rng.choice(ESCALATE_REASONS))
            wait = rng.randint(30, 300) if rng.random() < 0.7 else rng.randint(1500, 4000)
            t_assign = clock.daytime(rng, t_assign + timedelta(minutes=wait))
            add(t_assign, desk.who(code, "manager"), "assign", worker.name, **assign_data)
        else:
            add(t_assign, desk.assigner(code, dept_kind), "assign", worker.name, **assign_data)
        if p.kind == ENGINEERING:
            contractor, contact = rng.choice(CONTRACTORS)
            issued = clock.daytime(rng, t_assign + timedelta(hours=rng.uniform(1, 20)))
            committed = clock.local(issued).date() + timedelta(days=rng.randint(3, 10))
            number = "LX-{number}"  # filled once the ticket has its number
            p.liaison = {
                "contractor": contractor,
                "contact": contact,
                "committed": committed,
                "issued": issued,
                "issued_by": desk.who(code, "eng_lead"),
            }
            add(
                issued,
                desk.who(code, "eng_lead"),
                "liaison_issue",
                f"{number} {contractor}",
                number=number,
                contractor=contractor,
                contractor_contact=contact,
                committed_date=committed.isoformat(),
            )
            progress = issued + timedelta(hours=rng.uniform(20, 60))
            add(
                clock.daytime(rng, progress),
                desk.who(code, "eng_lead"),
                "liaison_progress",
                rng.choice(
                    ("已联系施工单位,约定上门查看。", "施工单位已到现场查看,制定维修方案。")
                ),
                number=number,
            )
            t_start = clock.at(committed, 9, rng.randint(0, 50))
            if clock.at(committed, 18) > p.due:
                # The contractor's committed date becomes the promise to the owner.
                old, p.due = p.due, clock.at(committed, 18)
                method = f"施工单位承诺{committed:%m月%d日}前完成维修"
                add(
                    issued + timedelta(minutes=rng.randint(5, 30)),
                    desk.who(code, "eng_lead"),
                    "promise",
                    method,
                    old={"method": deadlines.PROMISED_METHOD[p.kind], "due_at": old.isoformat()},
                    due_at=p.due.isoformat(),
                )
                p.slots["method"] = method
        elif p.emergency:
            t_start = t_assign + timedelta(minutes=rng.randint(2, 15))
        else:
            t_start = clock.daytime(rng, t_assign + timedelta(minutes=rng.randint(10, 240)), 8, 20)
        if rng.random() < 0.15:
            add(
                max(
                    t_start - timedelta(minutes=rng.randint(1, 8)), t_assign + timedelta(seconds=30)
                ),
                worker,
                "comment",
                rng.choice(NOTES),
                True,
            )
        add(t_start, worker, "start")
        if p.kind == REPAIR and not p.emergency and rng.random() < 0.08:
            old = p.due
            p.due = old + timedelta(days=rng.randint(2, 4))
            method = rng.choice(PROMISE_TEXTS)
            add(
                t_start + timedelta(minutes=rng.randint(20, 90)),
                worker,
                "promise",
                method,
                old={"method": deadlines.PROMISED_METHOD[p.kind], "due_at": old.isoformat()},
                due_at=p.due.isoformat(),
            )
            p.slots["method"] = method
        if (
            p.received < clock.now - timedelta(days=8)
            and p.kind in (REPAIR, COMPLAINT, ENGINEERING, DISPUTE)
            and rng.random() < 0.008
        ):
            # Stuck: still open today, long past its deadline.
            add(
                clock.daytime(rng, t_start + timedelta(days=1)),
                worker,
                "comment",
                rng.choice(STUCK_NOTES[p.kind]),
                True,
            )
            return
        if p.emergency:
            t_res = t_start + timedelta(minutes=rng.randint(15, 100))
            if rng.random() < 0.08:
                t_res = p.due + timedelta(minutes=rng.randint(10, 180))
        elif rng.random() < LATE_SHARE[p.kind]:
            t_res = clock.daytime(rng, p.due + timedelta(hours=rng.expovariate(1 / 16) + 0.5))
        else:
            span = max((p.due - t_start).total_seconds(), 1800)
            t_res = t_start + timedelta(seconds=max(1200, span * rng.betavariate(1.3, 3.2)))
            if not (8 <= clock.local(t_res).hour < 21):
                t_res = clock.daytime(rng, t_res)
        t_res = max(t_res, max(e.at for e in events) + timedelta(minutes=rng.randint(10, 40)))
        add(t_res, worker, "resolve", resolution, **self._resolved(t_res, outcome, rule))
        self._after(p, t_res, dept_kind, worker, resolution)

    @staticmethod
    def _resolved(at: datetime, outcome: str, rule: str) -> dict:
        return {"outcome": outcome, "rule_cited": rule, "resolved_at": at.isoformat()}

    def _after(
        self, p: Plan, t_res: datetime, dept_kind: str, resolver: User, resolution: str
    ) -> None:
        """Acceptance of an engineering repair, the owner's rating, closing."""
        rng, clock, desk = self.rng, self.clock, self.desk
        code = p.community_code
        events = p.events
        t_close_from = t_res
        if p.kind == ENGINEERING and p.liaison:
            accepted = clock.daytime(rng, t_res + timedelta(hours=rng.uniform(1, 70)))
            name = p.person.name if p.person else "业主"
            p.liaison.update(accepted=accepted, accepted_by=name)
            events.append(
                Ev(
                    accepted,
                    desk.who(code, "cs_lead"),
                    "liaison_accept",
                    "业主现场验收,确认维修合格。",
                    data={
                        "number": "LX-{number}",
                        "accepted_by_name": name,
                        "accepted_at": accepted.isoformat(),
                    },
                )
            )
            t_close_from = accepted
        rate_share = {REPAIR: 0.35, COMPLAINT: 0.3, DISPUTE: 0.3, ENGINEERING: 0.35}.get(
            p.kind, 0.08
        )
        if p.person is not None and rng.random() < rate_share:
            rating = rng.choices((5, 4, 3, 2, 1), weights=(58, 26, 9, 4, 3))[0]
            if p.kind == COMPLAINT:
                rating = max(1, rating - rng.choice((0, 0, 1)))
            at = clock.daytime(rng, t_res + timedelta(hours=rng.uniform(0.5, 40)), 8, 21)
            taker = (
                desk.who(code, "front")
                if rng.random() < 0.6
                else desk.hotline_agent(rng, clock.local(at).hour)
            )
            comment = rng.choice(RATING_COMMENTS[rating])
            events.append(Ev(at, taker, "rate", comment, data={"rating": rating}))
            p.slots["rating"] = (rating, comment)
            if rating <= 2:
                reply_at = at + timedelta(hours=rng.uniform(1, 8))
                reply = rng.choice(RATING_REPLIES)
                events.append(Ev(reply_at, resolver, "reply_rating", reply))
                p.slots["rating_reply"] = reply
        if rng.random() < 0.85:
            delay = timedelta(hours=rng.uniform(2, 96 if p.kind != INQUIRY else 30))
            at = clock.daytime(rng, t_close_from + delay, 9, 18)
            data = {"closed_at": at.isoformat(), "complaint_valid": None, "responsibility": ""}
            if p.kind == COMPLAINT:
                valid, who = self.finding(p)
                data.update(complaint_valid=valid, responsibility=who)
            events.append(Ev(at, desk.closer(code, dept_kind), "close", data=data))

    def finding(self, p: Plan) -> tuple[bool, str]:
        """Whether a complaint was valid and where responsibility lay (有效投诉)."""
        rng = self.rng
        category = p.category
        if category in ("noise", "pets", "decoration") and rng.random() < 0.6:
            return rng.random() < 0.4, rng.choice(
                (Responsibility.OWNER, Responsibility.THIRD_PARTY)
            )
        if category == "heating" and rng.random() < 0.3:
            return True, Responsibility.DEVELOPER
        if category == "security" and "偷" in p.core:
            return rng.random() < 0.5, Responsibility.THIRD_PARTY
        if rng.random() < 0.72:
            return True, Responsibility.PROPERTY
        return False, rng.choice(
            (Responsibility.NONE, Responsibility.OWNER, Responsibility.CONTRACTOR)
        )


def _cut(p: Plan, now: datetime) -> None:
    """Keep what has happened by `now`, in order; give every event its statuses."""
    p.events = sorted((e for e in p.events if e.at <= now), key=lambda e: e.at)
    status = ""
    for e in p.events:
        if e.action == "create":
            e.from_status, e.to_status = "", Status.NEW
            status = Status.NEW
            continue
        if e.action in TRANSITIONS:
            if not allowed_from(e.action, status):
                raise AssertionError(f"{p.number or p.title}: {e.action} from {status}")
            e.from_status, e.to_status = status, target_of(e.action, status)
        else:
            e.from_status = e.to_status = status
        status = e.to_status


def seed_tickets(s: "Seed") -> None:
    """Every contact of the last six months (in memory; the `desk` step writes them)."""
    rng = s.rng("tickets")
    clock = Clock(ZoneInfo(s.company.timezone), s.now)
    maker = TicketMaker(s, rng, clock)
    plans: list[Plan] = []
    for community in s.communities:
        daily = DAILY[community.code] * s.scale
        for back in range(DAYS, -1, -1):
            day = clock.today - timedelta(days=back)
            factor = 0.85 if day.weekday() >= 5 else 1.0
            if date(day.year, 10, 1) <= day <= date(day.year, 10, 7):
                factor *= 0.75  # National Day week: many owners away
            mean = daily * factor
            count = max(0, round(rng.gauss(mean, math.sqrt(mean) * 0.9)))
            for _ in range(count):
                plan = maker.make(community, day)
                if plan is not None:
                    plans.append(plan)
    plans += _repeats(s, maker, clock)
    plans += _incident_calls(s, maker, clock)
    plans = [p for p in plans if p.received <= clock.now]
    plans.sort(key=lambda p: (p.received, p.office.id))
    for i, p in enumerate(plans):
        p.index = i
        maker.lifecycle(p)
        _cut(p, clock.now)
    s.shared["clock"] = clock
    s.shared["plans"] = plans
    s.shared["desk"] = maker.desk
    s.counts["tickets"] = len(plans)


def _repeats(s: "Seed", maker: TicketMaker, clock: Clock) -> list[Plan]:
    """The same repair three times at one home, and the same complaint twice from one
    owner, within the current month: what the monthly analysis must find."""
    rng = maker.rng
    plans = []
    first = clock.today.replace(day=1)
    span = max((clock.today - first).days, 1)
    for community in s.communities:
        for key in ("drain", "pipe_leak", "toilet", "trip"):
            if rng.random() < 0.5:
                continue
            unit = maker.unit_for(community.id)
            for i in range(3 if rng.random() < 0.7 else 4):
                day = first + timedelta(days=min(span, round(span * (i + rng.random()) / 4)))
                plan = maker.make(
                    community, day, problem=maker.by_key[key], unit=unit, repeat=i > 0
                )
                if plan is not None:
                    plan.category = maker.by_key[key].category
                    plans.append(plan)
        for key in ("garbage", "parking_taken", "noise_reno", "service_complaint"):
            if rng.random() < 0.5:
                continue
            unit = maker.unit_for(community.id)
            for i in range(2 if rng.random() < 0.7 else 3):
                day = first + timedelta(days=min(span, round(span * (i + rng.random()) / 3)))
                plan = maker.make(
                    community, day, problem=maker.by_key[key], unit=unit, repeat=i > 0, angry=i > 0
                )
                if plan is not None:
                    plan.category = maker.by_key[key].category
                    plans.append(plan)
    return plans


def _incident_buildings(s: "Seed") -> dict[str, list[Building]]:
    by_code: dict[str, list[Building]] = {}
    for community in s.communities:
        by_code[community.code] = list(Building.objects.filter(community=community).order_by("id"))
    return by_code


def _incident_calls(s: "Seed", maker: TicketMaker, clock: Clock) -> list[Plan]:
    """Owners of the affected building ring about each incident."""
    rng = maker.rng
    buildings = _incident_buildings(s)
    s.shared["incident_buildings"] = buildings
    communities = {c.code: c for c in s.communities}
    plans = []
    key_of = {
        Incident.Kind.WATER: "water_outage_q",
        Incident.Kind.POWER: "power_cut",
        Incident.Kind.FLOOD: "burst_main",
        Incident.Kind.LIFT: "lift_broken",
    }
    for _key, code, index, kind, days_ago, hour, _title, _text in (*INCIDENT_PLAN, OPEN_INCIDENT):
        community = communities[code]
        building = buildings[code][index % len(buildings[code])]
        units = [u for u in maker.units_by_community[community.id] if u.building_id == building.id]
        if not units:
            continue
        day = clock.today - timedelta(days=days_ago)
        start = clock.at(day, 8 if days_ago == 0 else hour)
        count = max(2, round(8 * s.scale + 2))
        for _ in range(count):
            received = start + timedelta(minutes=rng.randint(5, 150))
            plan = maker.make(
                community,
                day,
                problem=maker.by_key[key_of[kind]],
                unit=rng.choice(units),
                received=received,
                channel="hotline",
            )
            if plan is not None:
                plans.append(plan)
    return plans


# ---------------------------------------------------------------------------
# Step: visits
# ---------------------------------------------------------------------------


def seed_visits(s: "Seed") -> None:
    """Plan return visits in the order tickets were resolved, as the service does."""
    rng = s.rng("visits")
    clock: Clock = s.shared["clock"]
    desk: Desk = s.shared["desk"]
    plans: list[Plan] = s.shared["plans"]
    rules = rules_ensure_defaults(company=s.company)
    counters: dict[tuple, list[int]] = {}  # (office, rule, month) → [resolved, selected]
    decisions: list[tuple] = []
    decided: set[tuple] = set()
    visits: list[VisitPlan] = []
    latest_visit: dict[int, int] = {}  # user id → number of their latest visit
    # Resolutions in time order (a re-resolution after an unqualified visit joins later).
    heap = [(e.at, p.index, 0, p) for p in plans for e in p.events if e.action == "resolve"]
    heapq.heapify(heap)
    while heap:
        at, _i, _round, p = heapq.heappop(heap)
        rule = rule_for(p, rules)
        if rule is None:
            continue
        month = clock.month(at)
        forced = any(v.record and not v.record["qualified"] for v in p.visits)
        if not forced and (p.index, rule.id, month) in decided:
            continue
        decided.add((p.index, rule.id, month))
        counter = counters.setdefault((p.office.id, rule.id, month), [0, 0])
        counter[0] += 1
        n, k = counter
        selected, required, reason = sampling_decision(
            share_percent=rule.share_percent, resolved=n, chosen=k, forced=forced
        )
        counter[1] += int(selected)
        decisions.append((p, rule, month, n, k, required, selected, reason, at))
        if not selected:
            continue
        if rule.visitor == Visitor.OFFICE_MANAGER:
            visitor = desk.who(p.community_code, "manager")
        else:
            # In turn, as the service does: whose latest visit is oldest goes next.
            staff = [desk.who(p.community_code, "front"), desk.who(p.community_code, "cs_lead")]
            visitor = min(staff, key=lambda u: (latest_visit.get(u.id, 0), u.id))
        latest_visit[visitor.id] = len(visits) + 1
        v = VisitPlan(
            plan=p,
            rule=rule,
            reason=reason,
            month=month,
            due_from=at + timedelta(days=rule.window_start_days),
            due_by=at + timedelta(days=rule.window_end_days),
            assignee=visitor,
            planned_at=at,
        )
        p.visits.append(v)
        visits.append(v)
        _record(rng, clock, v)
        if v.record and not v.record["qualified"]:
            again = _reopen(rng, clock, desk, v)
            if again is not None:
                heapq.heappush(heap, (again, p.index, len(p.visits), p))
    s.shared["visits"] = visits
    s.shared["decisions"] = decisions
    s.shared["counters"] = counters
    s.counts["return visits"] = len(visits)


def _record(rng: Random, clock: Clock, v: VisitPlan) -> None:
    """Whether (and how) the visit was made by now."""
    now = clock.now
    if v.due_from > now:
        return
    window = (v.due_by - v.due_from).total_seconds()
    if v.due_by < now:
        if rng.random() < 0.06:
            return  # overdue, never made
    elif rng.random() > 0.85 * (now - v.due_from).total_seconds() / window:
        return  # still to do
    if rng.random() < 0.07 and v.due_by < now:
        visited = v.due_by + timedelta(hours=rng.uniform(2, 72))  # late
    else:
        end = min(v.due_by, now)
        visited = v.due_from + timedelta(
            seconds=rng.uniform(0.05, 1) * max((end - v.due_from).total_seconds(), 600)
        )
        visited = clock.daytime(rng, visited, 9, 20)
    if visited > now:
        return
    p = v.plan
    major = p.severity == Severity.MAJOR
    method = (
        VisitRecord.Method.FACE_TO_FACE
        if major
        else rng.choices(
            (VisitRecord.Method.PHONE, VisitRecord.Method.ON_SITE, VisitRecord.Method.FACE_TO_FACE),
            weights=(62, 23, 15),
        )[0]
    )
    unqualified = rng.random() < (0.05 if p.kind in (REPAIR, COMPLAINT) else 0.03)
    if any(x.record and not x.record["qualified"] for x in p.visits if x is not v):
        unqualified = rng.random() < 0.15  # a second visit is rarely unqualified again
    if unqualified:
        satisfaction = rng.choice((1, 2, 2))
        shortcomings = rng.choice(VISIT_TEXTS["shortcomings"])
        quality, result = "问题未解决", "不满意"
    else:
        satisfaction = rng.choices((5, 4, 3), weights=(58, 34, 8))[0]
        shortcomings = "" if satisfaction >= 4 else rng.choice(("响应偏慢", "上门时间比约定晚", ""))
        quality, result = rng.choice(VISIT_TEXTS["quality"]), rng.choice(VISIT_TEXTS["result"])
    v.record = {
        "method": method,
        "visited_at": visited,
        "recorded_at": min(now, visited + timedelta(minutes=rng.randint(2, 90))),
        "quality": quality,
        "result": result,
        "satisfaction": satisfaction,
        "shortcomings": shortcomings,
        "opinions": rng.choice(VISIT_TEXTS["opinions"]) if not unqualified else "要求重新处理",
        "qualified": not unqualified,
    }


def _reopen(rng: Random, clock: Clock, desk: Desk, v: VisitPlan) -> datetime | None:
    """An unqualified visit reopens the ticket (as the recording service does); the work
    is done again and resolved again — returns when, if by now."""
    p = v.plan
    rec = v.record
    at = rec["recorded_at"]
    p.events = [e for e in p.events if e.at <= at]
    p.events.append(
        Ev(at, v.assignee, "reopen", f"回访不合格:{rec['shortcomings']}", data={"visit": v})
    )
    code = p.community_code
    dept_kind = DEPARTMENT_OF.get(p.category, K.CUSTOMER_SERVICE)
    assigned = next((e for e in reversed(p.events) if e.action == "assign"), None)
    resolved = next(e for e in reversed(p.events) if e.action == "resolve")
    worker = desk.by_id[assigned.data["assignee"]] if assigned else resolved.actor
    again = clock.daytime(rng, at + timedelta(hours=rng.uniform(3, 40)))
    if again <= clock.now:
        text = "已重新上门处理," + rng.choice(
            ("更换配件后复查无异常。", "彻底处理完毕,业主现场确认。", "经理陪同上门,问题已解决。")
        )
        p.events.append(
            Ev(again, worker, "resolve", text, data=TicketMaker._resolved(again, "resolved", ""))
        )
        close = clock.daytime(rng, again + timedelta(hours=rng.uniform(4, 48)), 9, 18)
        if close <= clock.now:
            data = {"closed_at": close.isoformat(), "complaint_valid": None, "responsibility": ""}
            if p.kind == COMPLAINT:
                data.update(complaint_valid=True, responsibility=Responsibility.PROPERTY)
            p.events.append(Ev(close, desk.closer(code, dept_kind), "close", data=data))
    _cut(p, clock.now)
    return again if again <= clock.now else None


# ---------------------------------------------------------------------------
# Step: desk (writing it all)
# ---------------------------------------------------------------------------


def _supervisions(
    p: Plan, desk: Desk, now: datetime
) -> list[tuple[int, datetime, datetime, list[int], str]]:
    """The supervision levels the periodic sweep recorded while the ticket was open past
    its deadline: (level, due_at, when, notified, status then)."""
    if p.due is None:
        return []
    thresholds = (0, 4, 24, 72)  # OfficeSettings defaults, hours past the deadline
    intervals: list[tuple[datetime, datetime, str]] = []
    start, status = None, ""
    for e in p.events:
        if e.to_status in (Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.ESCALATED):
            if start is None:
                start = e.at
            status = e.to_status
        elif start is not None:
            intervals.append((start, e.at, status))
            start = None
    if start is not None:
        intervals.append((start, now, status))
    recorded, out = set(), []
    times = [e.at for e in p.events]
    code = p.community_code
    dept_kind = DEPARTMENT_OF.get(p.category, K.CUSTOMER_SERVICE)
    for begin, end, _status in intervals:
        for level, hours in enumerate(thresholds, start=1):
            at = max(p.due + timedelta(hours=hours), begin) + timedelta(minutes=(p.index % 9) + 1)
            if at >= end or level in recorded:
                continue
            recorded.add(level)
            before = p.events[: bisect.bisect_right(times, at)]
            status = before[-1].to_status
            # Who the ticket was with then (tickets.services._level_recipients).
            assignee, department = None, before[0].data.get("department")
            for e in before:
                if e.action == "assign":
                    assignee, department = e.data["assignee"], e.data["department"]
                elif e.action == "escalate":
                    assignee = None
            supervisor = desk.supervisor(code, dept_kind) if department else None
            if level == 1 and assignee:
                notified = [assignee]
            elif level <= 2 and supervisor:
                notified = [supervisor.id]
            elif level <= 3:
                notified = [desk.who(code, "manager").id]
            else:
                notified = [desk.s.staff["hy_admin"].id]
            out.append((level, p.due, at, notified, status))
    return out


def seed_desk(s: "Seed") -> None:
    """Write the tickets, their timelines and return visits."""
    clock: Clock = s.shared["clock"]
    desk: Desk = s.shared["desk"]
    plans: list[Plan] = s.shared["plans"]
    visits: list[VisitPlan] = s.shared["visits"]
    now = clock.now
    # Numbers: <OFFICE CODE>-YYYYMMDD-NNNN, per office and day received.
    last: dict[tuple[int, date], int] = defaultdict(int)
    for p in plans:
        day = clock.local(p.received).date()
        last[(p.office.id, day)] += 1
        p.number = f"{p.office.code.upper()}-{day:%Y%m%d}-{last[(p.office.id, day)]:04d}"
    tickets = []
    for p in plans:
        state = _final(p)
        tickets.append(
            Ticket(
                company_id=p.company_id,
                office=p.office,
                community_id=p.community_id,
                unit=p.unit,
                person=p.person,
                number=p.number,
                kind=p.kind,
                channel=p.channel,
                category=p.category,
                title=p.title,
                description=p.description,
                severity=p.severity,
                area=p.area,
                emergency=p.emergency,
                promised_method=(p.slots.get("method") or deadlines.PROMISED_METHOD[p.kind]),
                due_at=p.due,
                received_at=p.received,
                external_ref=p.external_ref,
                external_due_at=p.external_due,
                complainant_consent=p.consent if p.kind in (COMPLAINT, DISPUTE) else False,
                created_by=p.creator,
                created_at=p.received + timedelta(seconds=30),
                updated_at=p.events[-1].at,
                **state,
            )
        )
    with _keep_times(
        Ticket, TicketEvent, Supervision, ReturnVisit, VisitRecord, VisitEvent, SamplingDecision
    ):
        Ticket.objects.bulk_create(tickets, batch_size=1000)
        for p, t in zip(plans, tickets, strict=True):
            p.ticket = t
        TicketParty.objects.bulk_create(
            [
                TicketParty(ticket=p.ticket, side=side, person=person, unit=unit, statement=said)
                for p in plans
                for side, person, unit, said in p.parties
            ],
            batch_size=1000,
        )
        LiaisonForm.objects.bulk_create(
            [
                LiaisonForm(
                    ticket=p.ticket,
                    number=f"LX-{p.number}",
                    contractor=p.liaison["contractor"],
                    contractor_contact=p.liaison["contact"],
                    committed_date=p.liaison["committed"],
                    issued_at=p.liaison["issued"],
                    issued_by=p.liaison["issued_by"],
                    accepted_at=p.liaison.get("accepted")
                    if any(e.action == "liaison_accept" for e in p.events)
                    else None,
                    accepted_by_name=p.liaison.get("accepted_by", "")
                    if any(e.action == "liaison_accept" for e in p.events)
                    else "",
                    acceptance_note="业主现场验收,确认维修合格。"
                    if any(e.action == "liaison_accept" for e in p.events)
                    else "",
                )
                for p in plans
                if p.liaison and any(e.action == "liaison_issue" for e in p.events)
            ]
        )
        TicketCounter.objects.bulk_create(
            [TicketCounter(office_id=o, day=d, last=n) for (o, d), n in sorted(last.items())],
            batch_size=1000,
        )
        _write_visits(s, visits)
        events, supervisions = [], []
        for p in plans:
            for level, due, at, notified, status in _supervisions(p, desk, now):
                supervisions.append(
                    Supervision(ticket=p.ticket, level=level, due_at=due, at=at, notified=notified)
                )
                p.events.append(
                    Ev(
                        at,
                        None,
                        "supervise",
                        SUPERVISION_TEXT[level],
                        True,
                        {"level": level, "due_at": due.isoformat(), "notified": notified},
                        status,
                        status,
                    )
                )
            for e in sorted(p.events, key=lambda e: e.at):
                data = dict(e.data)
                if "visit" in data:
                    data["visit"] = data["visit"].visit.id
                if "number" in data:
                    data["number"] = f"LX-{p.number}"
                text = e.text.replace("LX-{number}", f"LX-{p.number}")
                events.append(
                    TicketEvent(
                        ticket=p.ticket,
                        actor=e.actor,
                        at=e.at,
                        action=e.action,
                        from_status=e.from_status,
                        to_status=e.to_status,
                        text=text,
                        internal=e.internal,
                        data=data,
                    )
                )
        TicketEvent.objects.bulk_create(events, batch_size=2000)
        Supervision.objects.bulk_create(supervisions, batch_size=1000)
    s.counts["ticket events"] = len(events)
    s.counts["supervisions"] = len(supervisions)


def _final(p: Plan) -> dict:
    """The ticket's fields as its timeline left them."""
    state = {
        "status": p.events[-1].to_status,
        "department_id": p.events[0].data.get("department"),
        "assignee_id": None,
        "resolved_at": None,
        "closed_at": None,
        "resolution": "",
        "outcome": "",
        "rule_cited": "",
        "rating": None,
        "rating_comment": "",
        "rating_reply": "",
        "complaint_valid": None,
        "responsibility": "",
        "agreement": "",
    }
    for e in p.events:
        if e.action == "assign":
            state.update(department_id=e.data["department"], assignee_id=e.data["assignee"])
        elif e.action == "escalate":
            state["assignee_id"] = None
        elif e.action == "resolve":
            state.update(
                resolution=e.text,
                resolved_at=e.at,
                outcome=e.data["outcome"],
                rule_cited=e.data["rule_cited"],
            )
            if p.kind == DISPUTE:
                state["agreement"] = e.text
        elif e.action == "reopen":
            state.update(resolved_at=None, closed_at=None, outcome="")
        elif e.action == "close":
            state["closed_at"] = e.at
            if p.kind == COMPLAINT:
                state.update(
                    complaint_valid=e.data["complaint_valid"],
                    responsibility=e.data["responsibility"],
                )
        elif e.action == "rate":
            state.update(rating=e.data["rating"], rating_comment=e.text)
        elif e.action == "reply_rating":
            state["rating_reply"] = e.text
    return state


class _keep_times:
    """While writing history, let auto_now/auto_now_add fields keep the times given
    (they would all read "now" otherwise)."""

    def __init__(self, *models_: type[models.Model]):
        self.fields = [
            f
            for m in models_
            for f in m._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self.saved: list[tuple] = []

    def __enter__(self):
        for f in self.fields:
            self.saved.append((f, f.auto_now, f.auto_now_add))
            f.auto_now = f.auto_now_add = False

    def __exit__(self, *exc):
        for f, now, add in self.saved:
            f.auto_now, f.auto_now_add = now, add
        self.saved.clear()


def _signature_png(rng: Random, width: int = 160, height: int = 48) -> bytes:
    """A scribble drawn on the signature canvas (a small greyscale PNG)."""
    pixels = [bytearray(b"\xff" * width) for _ in range(height)]
    x, y = rng.uniform(10, 30), rng.uniform(15, 33)
    for _ in range(220):
        x = min(width - 3, max(2, x + rng.uniform(-1.5, 3.0)))
        y = min(height - 3, max(2, y + rng.uniform(-3, 3)))
        for dx in (0, 1):
            for dy in (0, 1):
                pixels[int(y) + dy][int(x) + dx] = 0x20
        if x > width - 8:
            x = rng.uniform(10, 40)
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


def _write_visits(s: "Seed", visits: list[VisitPlan]) -> None:
    rng = s.rng("visit records")
    phones_of: dict[int, str] = {}
    for person_id, number in PersonPhone.objects.filter(company=s.company, position=0).values_list(
        "person_id", "number"
    ):
        phones_of[person_id] = number
    rows = []
    for v in visits:
        p = v.plan
        v.visit = ReturnVisit(
            company_id=p.company_id,
            office=p.office,
            ticket=p.ticket,
            rule=v.rule,
            purpose=ReturnVisit.Purpose.TICKET,
            person=p.person,
            unit=p.unit,
            assignee=v.assignee,
            due_from=v.due_from,
            due_by=v.due_by,
            period=v.month,
            done_at=v.record["visited_at"] if v.record else None,
            qualified=v.record["qualified"] if v.record else None,
            created_at=v.planned_at,
        )
        rows.append(v.visit)
    ReturnVisit.objects.bulk_create(rows, batch_size=1000)
    records, events = [], []
    for v in visits:
        events.append(
            VisitEvent(
                visit=v.visit,
                actor=None,
                action="plan",
                text=v.reason,
                data={"rule": v.rule.code},
                at=v.planned_at,
            )
        )
        rec = v.record
        if rec is None:
            continue
        phone = phones_of.get(v.plan.person.id) if v.plan.person else None
        if rec["method"] == VisitRecord.Method.PHONE and phone:
            kind, image = VisitRecord.SignatureKind.SMS_CODE, None
            events.append(
                VisitEvent(
                    visit=v.visit,
                    actor=v.assignee,
                    action="code_sent",
                    data={"phone": phones.mask(phone)},
                    at=rec["recorded_at"] - timedelta(minutes=1),
                )
            )
        else:
            kind, image, phone = VisitRecord.SignatureKind.DRAWN, _signature_png(rng), ""
        fields = {
            "visit": v.visit.id,
            "method": rec["method"],
            # In UTC, as it reads back from the database (and as the API records it).
            "visited_at": rec["visited_at"].astimezone(UTC).isoformat(),
            "quality": rec["quality"],
            "result": rec["result"],
            "satisfaction": rec["satisfaction"],
            "shortcomings": rec["shortcomings"],
            "opinions": rec["opinions"],
            "qualified": rec["qualified"],
            "signature_kind": kind,
            "signature_phone": phone,
        }
        records.append(
            VisitRecord(
                visit=v.visit,
                version=1,
                method=rec["method"],
                visited_at=rec["visited_at"],
                quality=rec["quality"],
                result=rec["result"],
                satisfaction=rec["satisfaction"],
                shortcomings=rec["shortcomings"],
                opinions=rec["opinions"],
                qualified=rec["qualified"],
                signature_kind=kind,
                signature_image=image,
                signature_phone=phone,
                signed_at=rec["recorded_at"],
                content_hash=_content_hash(fields, image),
                recorded_by=v.assignee,
                recorded_at=rec["recorded_at"],
            )
        )
        events.append(
            VisitEvent(
                visit=v.visit,
                actor=v.assignee,
                action="record",
                data={"version": 1, "qualified": rec["qualified"], "signed": True},
                at=rec["recorded_at"],
            )
        )
    VisitRecord.objects.bulk_create(records, batch_size=500)
    VisitEvent.objects.bulk_create(events, batch_size=2000)
    SamplingDecision.objects.bulk_create(
        [
            SamplingDecision(
                ticket=p.ticket,
                rule=rule,
                month=month,
                resolved_in_month=n,
                selected_before=k,
                required=required,
                selected=selected,
                reason=reason,
                at=at,
            )
            for p, rule, month, n, k, required, selected, reason, at in s.shared["decisions"]
        ],
        batch_size=2000,
    )
    SamplingCounter.objects.bulk_create(
        [
            SamplingCounter(office_id=office, rule_id=rule, month=month, resolved=n, selected=k)
            for (office, rule, month), (n, k) in sorted(s.shared["counters"].items())
        ]
    )
    s.counts["visit records"] = len(records)


# ---------------------------------------------------------------------------
# Step: hotline (the 400 centre's phone system, calls, call-backs)
# ---------------------------------------------------------------------------

DEMO_PHONE_KEY = "heyue-400"
# Like the demo password: printed by demo_logins so a tester can push a call with curl.
DEMO_PHONE_SECRET = "demo-400-push-secret"
EXTENSIONS = {"hy_hotline1": "8001", "hy_hotline2": "8002", "hy_hotline3": "8003"}


def _preferred_phones(s: "Seed") -> dict[int, str]:
    return dict(
        PersonPhone.objects.filter(company=s.company, position=0).values_list("person_id", "number")
    )


def seed_hotline(s: "Seed") -> None:
    rng = s.rng("hotline")
    clock: Clock = s.shared["clock"]
    desk: Desk = s.shared["desk"]
    plans: list[Plan] = s.shared["plans"]
    now = clock.now
    centre = s.hotline_centre
    system, _secret = phone_system_create(
        office=centre, name="400呼叫中心交换机", key=DEMO_PHONE_KEY, secret=DEMO_PHONE_SECRET
    )
    phones_of = _preferred_phones(s)
    pool = s.phone_pool(rng)
    agents = {u.id for u in desk.agents}
    calls: list[Call] = []
    callbacks: list[CallBack] = []
    serial = Counter()

    def call(
        office, direction, number, person, agent, started, duration, outcome, ticket=None, note=""
    ):
        on_400 = office.id == centre.id
        day = clock.local(started)
        serial[day.date()] += 1
        c = Call(
            company_id=s.company.id,
            office=office,
            direction=direction,
            number=number,
            person=person,
            agent=agent,
            extension=agent.extension if agent and on_400 else "",
            started_at=started,
            duration_s=duration,
            outcome=outcome,
            ticket=ticket,
            note=note,
            phone_system=system if on_400 else None,
            external_id=f"cdr-{day:%Y%m%d}-{serial[day.date()]:05d}" if on_400 else "",
        )
        calls.append(c)
        return c

    def number_of(person: Person | None) -> tuple[str, Person | None]:
        if person is not None and person.id in phones_of:
            return phones_of[person.id], person
        return pool.mobile(), None

    # Every hotline ticket came with a call.
    for p in plans:
        if p.channel != "hotline":
            continue
        office = centre if p.creator.id in agents else p.office
        number, person = number_of(p.person)
        seconds = rng.lognormvariate(math.log(150), 0.5)
        if p.kind in (COMPLAINT, DISPUTE):
            seconds *= 1.6
        started = p.received - timedelta(seconds=rng.randint(30, 200))
        note = ""
        if p.kind == COMPLAINT and rng.random() < 0.3:
            note = rng.choice(("业主情绪激动,已安抚。", "业主要求经理回电。", "已告知处理时限。"))
        call(
            office,
            Call.Direction.IN,
            number,
            person,
            p.creator,
            started,
            int(min(1500, max(25, seconds))),
            Call.Outcome.ANSWERED,
            p.ticket,
            note,
        )
        # Now and then the owner rings again to ask how it is going.
        resolved = next((e.at for e in p.events if e.action == "resolve"), now)
        if p.kind in (REPAIR, COMPLAINT) and rng.random() < 0.08:
            again = p.received + timedelta(hours=rng.uniform(2, 30))
            again = clock.daytime(rng, again, 8, 22)
            if again < min(resolved, now):
                agent = desk.hotline_agent(rng, clock.local(again).hour)
                call(
                    centre,
                    Call.Direction.IN,
                    number,
                    person,
                    agent,
                    again,
                    rng.randint(40, 200),
                    Call.Outcome.ANSWERED,
                    p.ticket,
                    "业主来电催问处理进度,已联系责任部门并告知业主。",
                )
        # An inquiry not answered on the spot: a promised call-back.
        if (
            p.kind == INQUIRY
            and p.creator.id in agents
            and not any(e.action == "resolve" and e.actor == p.creator for e in p.events)
        ):
            due = clock.daytime(rng, p.received + timedelta(hours=rng.uniform(1, 20)), 9, 20)
            done_at = due + timedelta(minutes=rng.randint(0, 40))
            cb = CallBack(
                company_id=s.company.id,
                office=centre,
                number=number,
                person=person,
                agent=p.creator,
                due_at=due,
                reason=f"回复业主:{p.title}"[:200],
                ticket=p.ticket,
                created_by=p.creator,
                created_at=p.received,
            )
            if done_at <= now:
                cb.done_at = done_at
                cb.reminded_at = due - timedelta(minutes=15)
                cb.done_call = call(
                    centre,
                    Call.Direction.OUT,
                    number,
                    person,
                    p.creator,
                    done_at,
                    rng.randint(40, 240),
                    Call.Outcome.ANSWERED,
                    p.ticket,
                    "已回电答复。",
                )
            callbacks.append(cb)
    # Missed calls at the 400 centre, each leaving a call-back.
    people = [p for p in s.people if p.id in phones_of]
    for back in range(DAYS, -1, -1):
        day = clock.today - timedelta(days=back)
        # About one call in sixteen is missed (peaks, nights).
        for _ in range(max(0, round(rng.gauss(1.7 * s.scale * len(s.offices) / 4, 1.0)))):
            hour = rng.choices(range(24), weights=HOURS["any"])[0]
            started = clock.at(day, hour, rng.randint(0, 59), rng.randint(0, 59))
            if started > now:
                continue
            person = rng.choice(people)
            number = phones_of[person.id]
            missed = call(
                centre, Call.Direction.IN, number, person, None, started, 0, Call.Outcome.MISSED
            )
            cb = CallBack(
                company_id=s.company.id,
                office=centre,
                number=number,
                person=person,
                due_at=started,
                reason="未接来电",
                source_call=missed,
                created_at=started,
            )
            back_at = clock.daytime(rng, started + timedelta(minutes=rng.randint(4, 80)), 8, 22)
            if back_at <= now and (now - started > timedelta(hours=3) or rng.random() < 0.4):
                agent = desk.hotline_agent(rng, clock.local(back_at).hour)
                answered = rng.random() < 0.8
                cb.agent = agent
                cb.done_at = back_at
                cb.reminded_at = started
                cb.done_call = call(
                    centre,
                    Call.Direction.OUT,
                    number,
                    person,
                    agent,
                    back_at,
                    rng.randint(30, 180) if answered else 0,
                    Call.Outcome.ANSWERED if answered else Call.Outcome.NO_ANSWER,
                    None,
                    "回拨未接来电。" if answered else "回拨无人接听。",
                )
            callbacks.append(cb)
    # Call-backs promised for today (so every agent's list has work on it).
    open_plans = [
        p
        for p in plans
        if p.ticket and p.ticket.status in (Status.ASSIGNED, Status.IN_PROGRESS) and p.person
    ]
    local_now = clock.local(now)
    for agent in desk.agents:
        for _ in range(rng.randint(2, 3)):
            if not open_plans:
                break
            p = rng.choice(open_plans)
            hour = rng.randint(min(local_now.hour + 1, 21), 21)
            due = clock.at(clock.today, hour, rng.choice((0, 15, 30, 45)))
            if due <= now:
                due = now + timedelta(minutes=rng.randint(20, 90))
            number, person = number_of(p.person)
            callbacks.append(
                CallBack(
                    company_id=s.company.id,
                    office=centre,
                    number=number,
                    person=person,
                    agent=agent,
                    due_at=due,
                    reason=rng.choice(
                        ("约定今天回电告知维修时间", "回复业主处理进展", "确认师傅上门时间")
                    ),
                    ticket=p.ticket,
                    created_by=agent,
                    created_at=now - timedelta(hours=rng.uniform(2, 20)),
                )
            )
    # Return visits made by phone.
    for v in s.shared["visits"]:
        rec = v.record
        if (
            rec
            and rec["method"] == VisitRecord.Method.PHONE
            and v.plan.person
            and v.plan.person.id in phones_of
        ):
            call(
                v.plan.office,
                Call.Direction.OUT,
                phones_of[v.plan.person.id],
                v.plan.person,
                v.assignee,
                rec["visited_at"],
                rng.randint(60, 300),
                Call.Outcome.ANSWERED,
                v.plan.ticket,
                "电话回访",
            )
    with _keep_times(CallBack):
        Call.objects.bulk_create(calls, batch_size=2000)
        CallBack.objects.bulk_create(callbacks, batch_size=1000)
    s.counts["calls"] = len(calls)
    s.counts["call-backs"] = len(callbacks)


# ---------------------------------------------------------------------------
# Step: knowledge (articles and scripts)
# ---------------------------------------------------------------------------

ARTICLES = (
    (
        "fees",
        "物业费收费标准及缴纳方式",
        "业主咨询物业费多少钱一平方、怎么交、能否开发票。",
        "住宅物业费2.80元/㎡·月(滨江壹号3.50元),按季度缴纳;可通过微信公众号、前台刷卡、银行转账缴纳;"
        "缴费后可开具电子发票,发送至业主预留邮箱。一次性缴纳全年无折扣,不得承诺优惠。",
    ),
    (
        "fees",
        "空置房物业费是否减免",
        "房屋空置、长期不住,业主要求减免物业费。",
        "按物业服务合同约定,空置房物业费照常收取,无减免政策。应耐心解释物业服务(公共区域保洁、秩序、设备运行)"
        "与是否入住无关;业主有异议可记录并转服务处经理。",
    ),
    (
        "decoration",
        "装修手续办理流程",
        "业主询问装修需要办理什么手续、押金多少、装修时间。",
        "1.提交装修申请表、平面图及施工单位资质;2.签订装修管理协议;3.缴纳装修押金3000元、装修垃圾清运费;"
        "4.办理工人出入证。施工时间:工作日8:00-12:00、14:00-18:00,法定节假日禁止产生噪音的施工。"
        "完工验收合格三个月后无违规可退押金。",
    ),
    (
        "decoration",
        "承重墙、外立面不得改动",
        "业主想拆墙、封阳台、外墙打孔、装防盗窗。",
        "承重墙、剪力墙、梁柱不得拆改;阳台封闭需按小区统一样式;空调外机须装在预留位置;防盗窗须为隐形防盗网。"
        "非承重墙改动需提交图纸经工程部审核。发现违规立即制止并报服务处经理。",
    ),
    (
        "parking",
        "停车收费与车位租赁",
        "业主咨询月卡费用、临停收费、车位租赁和充电桩安装。",
        "地库月卡300元/月(地面250元/月);临停首小时免费,之后3元/小时,每日封顶30元;"
        "充电桩安装需车位产权证或租赁合同,物业出具同意书后向供电公司报装。",
    ),
    (
        "water",
        "停水时如何答复业主",
        "业主来电问为什么停水、什么时候来水。",
        "先查看事件栏是否有停水事件,按事件通知内容答复(原因、恢复时间、储水提醒);"
        "无事件时询问楼栋、楼层,判断是否户内问题(总阀、水表),必要时派工程部上门;对老人、行动不便住户可安排送水。",
    ),
    (
        "water",
        "楼上漏水到楼下的处理流程",
        "业主反映天花板渗水,怀疑楼上漏水。",
        "1.立即派工程部查看,判断渗漏点;2.联系楼上住户开门检查,楼上无人时联系其家属或紧急联系人关闭总阀;"
        "3.属楼上户内问题的,协调楼上维修并商议楼下修复费用,必要时按邻里纠纷登记调解;4.属公共管道的,由物业维修。",
    ),
    (
        "lift",
        "电梯困人应急处置",
        "业主来电电梯困人。",
        "1.安抚被困人员,告知不要扒门、不要乱按;2.立即通知秩序部5分钟内到场、通知电梯维保单位;"
        "3.记录楼栋、电梯编号、被困人数;4.维保30分钟内未到,由持证电工盘车放人;5.事后登记事件并回访被困业主。",
    ),
    (
        "electricity",
        "户内跳闸、无电的排查",
        "业主反映家里跳闸、推不上闸、没电。",
        "先问是全户没电还是部分回路;询问是否使用大功率电器、是否有电器进水;电卡是否有余额;"
        "指导业主拔掉全部插头后逐一合闸;仍无法恢复则派电工上门。属业主自有电器故障的,告知联系厂家。",
    ),
    (
        "security",
        "门禁卡补办与人脸录入",
        "业主门禁卡丢失、失效或要录入人脸。",
        "携带身份证(租户带租赁合同)到服务中心办理,补卡工本费20元;人脸录入在服务中心或小程序完成,"
        "租户的门禁权限有效期与租赁合同一致。",
    ),
    (
        "noise",
        "装修噪音投诉的处理",
        "业主投诉邻居装修噪音、违规时段施工。",
        "核实施工时间是否违反装修管理规定;违规的立即派秩序部制止并记录;多次违规扣装修押金;"
        "在规定时间内的施工噪音,向投诉业主解释规定并请装修户尽量把噪音大的工序安排在上午。",
    ),
    (
        "other",
        "开具居住证明",
        "业主或租户需要物业开具居住证明。",
        "业主携带房产证、身份证;租户携带租赁合同、身份证和业主同意书,到服务中心办理,当场出具。",
    ),
    (
        "heating",
        "地暖不热的排查",
        "业主反映地暖不热、部分房间不热。",
        "询问温控面板设定、分水器各回路阀门是否打开;指导排气;新房第一年首次开启升温慢属正常(需24-48小时);"
        "仍不热则派工程部上门,属保修期内施工问题的开工作联系单。",
    ),
    (
        "hygiene",
        "垃圾分类投放时间和大件垃圾",
        "业主问垃圾几点投放、大件垃圾和装修垃圾怎么处理。",
        "定时投放时间7:00-9:00、18:00-20:00;大件垃圾周六统一清运,放至北门大件垃圾点;"
        "装修垃圾袋装后放至指定堆放点,清运费按次收取。",
    ),
)
SCRIPTS = (
    (
        "",
        "general",
        "接听开场",
        "您好,和悦物业400客服,工号{工号},请问有什么可以帮您?请问您是哪个小区、几号楼几单元?",
    ),
    (
        "",
        "general",
        "结束通话",
        "好的,已为您登记,工单号稍后短信发给您,师傅会在承诺时间内联系您。请问还有其他需要帮助的吗?感谢来电,再见。",
    ),
    (
        "",
        "general",
        "暂时无法答复",
        "这个问题我需要和相关部门确认一下,我会在今天下午五点前给您回电答复,您看可以吗?",
    ),
    (
        "",
        "emergency",
        "紧急情况先问清位置",
        "请您先注意安全!请告诉我具体楼栋、楼层和现在的情况,我马上通知值班人员到场,请保持电话畅通。",
    ),
    (
        "water",
        "emergency",
        "爆管漏水",
        "请您先关闭家里的进户总阀(一般在厨房水槽下或水表旁),把电器移开、断开附近插座电源,工程部师傅15分钟内到场。",
    ),
    (
        "lift",
        "emergency",
        "电梯困人",
        "请您不要惊慌,不要扒门,电梯里空气是流通的。救援人员已经出发,5分钟内到达,请按住警铃保持和我们通话。",
    ),
    (
        "electricity",
        "emergency",
        "停电",
        "请先关闭大功率电器,注意不要使用明火照明。电工马上过来查看,如果是整栋停电,我们会第一时间通知恢复时间。",
    ),
    (
        "",
        "angry",
        "安抚情绪",
        "非常理解您的心情,给您添麻烦了,真的很抱歉。您慢慢说,我都记下来,今天一定给您一个明确的答复。",
    ),
    (
        "",
        "angry",
        "要求找经理",
        "您的意见很重要,我已经记录并马上转给服务处经理,经理会在两小时内亲自给您回电。",
    ),
    (
        "other",
        "angry",
        "投诉服务态度",
        "对于我们同事的态度问题,我代表公司向您道歉。我们会核实情况并严肃处理,处理结果会回复您。",
    ),
    (
        "fees",
        "fees",
        "询问物业费",
        "物业费按建筑面积计算,您的房屋面积是___平方米,每月___元,可以通过公众号或前台缴纳,需要发票我们可以开电子发票。",
    ),
    (
        "fees",
        "fees",
        "对收费有异议",
        "收费依据是物业服务合同和备案的收费标准,明细我可以发给您。如果您有异议,我登记后请会计室在三个工作日内给您详细说明。",
    ),
    (
        "",
        "outage",
        "已知停水停电",
        "您好,目前您所在楼栋正在{事件},预计{时间}恢复,给您带来不便非常抱歉。需要帮助的老人我们可以安排送水上门。",
    ),
    (
        "water",
        "outage",
        "停水后水发黄",
        "恢复供水初期管道里可能有少量锈水,请先放水两三分钟再使用,如果一直发黄请告诉我们,我们安排检测。",
    ),
    (
        "noise",
        "general",
        "邻里噪音",
        "我们会先上门了解情况,和对方友好沟通。为了保护您,我们不会透露是您反映的,除非您同意。",
    ),
    (
        "decoration",
        "general",
        "装修咨询",
        "装修前需要到服务中心办理装修手续,带上图纸和施工单位资质,具体材料我短信发给您。",
    ),
)


# Neutral words for a problem's slots when it is written up as an article.
ARTICLE_SLOTS = defaultdict(
    str,
    thing="家电",
    room="卫生间",
    bldg="某楼栋",
    spot="公共区域",
    fl="某层",
    side="其中一部",
    gate="出入口",
    src="娱乐活动",
    time="休息时间",
    month="上个月",
    n="几",
    up="楼上",
    my="家里",
    night="半夜",
    plate="外来",
    unit="某户",
)


def seed_knowledge(s: "Seed") -> None:
    rng = s.rng("knowledge")
    clock: Clock = s.shared["clock"]
    plans: list[Plan] = s.shared["plans"]
    authors = [s.staff["hy_hotline_lead"], s.staff["hy_quality"]] + [
        s.staff[f"{code}_cs_lead"] for code in s.offices
    ]
    articles = []

    def add(category, title, problem, solution, office=None, source=None, author=None):
        created = clock.now - timedelta(days=rng.uniform(3, DAYS), hours=rng.uniform(0, 8))
        articles.append(
            Article(
                company=s.company,
                office=office,
                category=category,
                title=title[:200],
                problem=problem,
                solution=solution,
                search_text=search_text_of(title, problem, solution),
                helped=int(rng.expovariate(1 / 12)),
                source_ticket=source,
                created_by=author or rng.choice(authors),
                created_at=created,
                updated_at=created + timedelta(days=rng.uniform(0, 20))
                if rng.random() < 0.3
                else created,
            )
        )

    for category, title, problem, solution in ARTICLES:
        add(category, title, problem, solution)
    # From the bank: the usual matters, how owners put them, and how they are settled.
    voice = Voice(rng)
    chosen = [p for p in PROBLEMS if p.kind in (REPAIR, INQUIRY, ENGINEERING, DISPUTE)]
    for p in rng.sample(chosen, min(len(chosen), 18)):
        said, done = [], []
        for core in rng.sample(p.cores, min(3, len(p.cores))):
            text = phrases.split_core(core, p.category)[0].format_map(ARTICLE_SLOTS)
            said.append(f"「{text}」")
            fix = voice.resolution(p, text, ARTICLE_SLOTS)
            if fix not in done:
                done.append(fix)
        hours = deadlines.promise_hours(
            kind=p.kind, area=p.area, emergency=False, category_hours=None
        )
        solution = "\n".join(f"{n}. {fix}" for n, fix in enumerate(done, start=1))
        solution += f"\n承诺:{deadlines.PROMISED_METHOD[p.kind]},时限{hours}小时。"
        title = p.titles[0].format_map(ARTICLE_SLOTS)
        add(p.category, f"{title}怎么处理", "业主常见说法:" + "".join(said), solution)
    # One click from resolved tickets (article_from_ticket): the good examples.
    generic = {t for titles in phrases.GENERIC_TITLES.values() for t in titles}
    plain = {f for fixes in phrases.GENERIC_FIXES.values() for f in fixes}
    resolved = [
        p
        for p in plans
        if p.ticket
        and p.ticket.status == Status.CLOSED
        and p.kind in (REPAIR, COMPLAINT)
        and p.ticket.resolution not in plain
        and p.title not in generic
        and "{unit}" not in p.title
        and not p.title.startswith(p.unit.number if p.unit else "-")
        and len(p.title) >= 5
        and len(phrases.bigrams(p.title) & phrases.bigrams(p.description)) >= 2
    ]
    for p in rng.sample(resolved, min(len(resolved), 12)):
        t = p.ticket
        add(t.category, t.title, t.description or t.title, t.resolution, office=p.office, source=t)
    with _keep_times(Article):
        Article.objects.bulk_create(articles)
    Script.objects.bulk_create(
        [
            Script(
                company=s.company,
                category=category,
                situation=situation,
                title=title,
                text=text,
                position=i,
            )
            for i, (category, situation, title, text) in enumerate(SCRIPTS)
        ]
    )
    s.counts["articles"] = len(articles)
    s.counts["scripts"] = len(SCRIPTS)


# ---------------------------------------------------------------------------
# Step: incidents
# ---------------------------------------------------------------------------


def incident_start(clock: Clock, days_ago: int, hour: int) -> datetime:
    start = clock.at(clock.today - timedelta(days=days_ago), hour)
    return min(start, clock.now - timedelta(hours=1))


def seed_incidents(s: "Seed") -> None:
    clock: Clock = s.shared["clock"]
    desk: Desk = s.shared["desk"]
    buildings = s.shared["incident_buildings"]
    for key, code, index, kind, days_ago, hour, title, text in (*INCIDENT_PLAN, OPEN_INCIDENT):
        building = buildings[code][index % len(buildings[code])]
        start = incident_start(clock, days_ago, hour)
        is_open = key == OPEN_INCIDENT[0]
        with _keep_times(Incident):
            incident = Incident.objects.create(
                company=s.company,
                office=s.offices[code],
                kind=kind,
                title=f"{building.name}{title}",
                started_at=start,
                expected_end_at=clock.at(clock.local(start).date(), 18)
                if is_open
                else start + timedelta(hours=8),
                ended_at=None
                if is_open
                else start + timedelta(hours={"lift": 2, "pipe": 7}.get(key, 10)),
                resident_text=text,
                created_by=desk.who(code, "manager"),
                created_at=start + timedelta(minutes=10),
            )
        incident.communities.add(building.community_id)
        incident.buildings.add(building)
    s.counts["incidents"] = len(INCIDENT_PLAN) + 1


# ---------------------------------------------------------------------------
# Step: relations (attitude history, surveys, routine visits)
# ---------------------------------------------------------------------------

ATTITUDE_REASONS = {
    (Attitude.NEUTRAL, Attitude.ADVERSE): (
        "当月多次投诉未满意解决,在业主群发表不满言论。",
        "因车库渗水问题与物业产生矛盾,拒缴本季度物业费。",
        "回访不合格后情绪较大,表示不再信任物业。",
    ),
    (Attitude.NEUTRAL, Attitude.FAVOURABLE): (
        "多次表扬维修服务,主动参与社区志愿活动。",
        "经理上门沟通后认可物业工作,协助组织楼栋会议。",
    ),
    (Attitude.ADVERSE, Attitude.NEUTRAL): (
        "经理上门沟通,问题解决后已补缴物业费,态度缓和。",
        "邻里纠纷调解成功,对物业处理表示认可。",
    ),
    (Attitude.FAVOURABLE, Attitude.NEUTRAL): ("对采暖效果不满,近期多次来电投诉。",),
}
SURVEY_QUESTIONS = [
    {
        "code": "q1",
        "text": "您对客服中心(前台、管家)的服务是否满意?",
        "kind": "rating",
        "service_line": ServiceLine.CUSTOMER_SERVICE,
    },
    {
        "code": "q2",
        "text": "您对报修维修的及时性和质量是否满意?",
        "kind": "rating",
        "service_line": ServiceLine.ENGINEERING,
    },
    {
        "code": "q3",
        "text": "您对小区秩序和安全管理是否满意?",
        "kind": "rating",
        "service_line": ServiceLine.SECURITY,
    },
    {
        "code": "q4",
        "text": "您对小区环境卫生和绿化是否满意?",
        "kind": "rating",
        "service_line": ServiceLine.CLEANING,
    },
    {
        "code": "q5",
        "text": "您对收费的透明度是否满意?",
        "kind": "rating",
        "service_line": ServiceLine.FEES,
    },
    {
        "code": "q6",
        "text": "总体而言,您对物业服务是否满意?",
        "kind": "rating",
        "service_line": ServiceLine.OVERALL,
    },
    {
        "code": "q7",
        "text": "您对我们还有什么意见和建议?",
        "kind": "text",
        "service_line": ServiceLine.OVERALL,
    },
]
SURVEY_MEANS = {"q1": 4.4, "q2": 4.0, "q3": 4.1, "q4": 3.9, "q5": 3.6, "q6": 4.0}
SURVEY_COMMENTS = (
    "希望维修响应再快一点",
    "保安晚上巡逻要加强",
    "垃圾房夏天味道大,希望多冲洗",
    "物业费能不能公示一下用途",
    "管家服务很好",
    "地库灯光太暗",
    "电梯经常坏,希望换新",
    "绿化修剪及时,环境不错",
)


def seed_relations(s: "Seed") -> None:
    rng = s.rng("relations")
    clock: Clock = s.shared["clock"]
    desk: Desk = s.shared["desk"]
    plans: list[Plan] = s.shared["plans"]
    _attitudes(s, rng, clock, desk, plans)
    _surveys(s, rng, clock)
    _routine_visits(s, rng, clock, desk)


def _attitudes(s, rng, clock, desk, plans) -> None:
    complaints, praise = defaultdict(list), defaultdict(list)
    for p in plans:
        if p.person is None:
            continue
        if p.kind == COMPLAINT:
            complaints[p.person.id].append(p)
        elif p.kind == PRAISE:
            praise[p.person.id].append(p)
    changes, events = [], []

    def change(person, previous, attitude, after, code):
        at = clock.daytime(
            rng,
            min(after + timedelta(days=rng.uniform(1, 10)), clock.now - timedelta(hours=2)),
            9,
            18,
        )
        reason = rng.choice(ATTITUDE_REASONS[(previous, attitude)])
        actor = desk.who(code, rng.choice(("manager", "cs_lead")))
        changes.append(
            AttitudeChange(
                person=person,
                previous=previous,
                attitude=attitude,
                reason=reason,
                actor=actor,
                at=at,
            )
        )
        events.append(
            PersonEvent(
                person=person,
                actor=actor,
                kind=PersonEvent.Kind.ATTITUDE_CHANGED,
                changes={"attitude": [previous, attitude]},
                note=reason,
                at=at,
            )
        )

    limit = max(2, round(6 * s.scale + 2))
    adverse = [ps for pid, ps in complaints.items() if ps[0].person.attitude == Attitude.ADVERSE]
    for ps in rng.sample(adverse, min(limit, len(adverse))):
        change(
            ps[0].person, Attitude.NEUTRAL, Attitude.ADVERSE, ps[-1].received, ps[0].community_code
        )
    favourable = [ps for pid, ps in praise.items() if ps[0].person.attitude == Attitude.FAVOURABLE]
    for ps in rng.sample(favourable, min(limit, len(favourable))):
        change(
            ps[0].person,
            Attitude.NEUTRAL,
            Attitude.FAVOURABLE,
            ps[-1].received,
            ps[0].community_code,
        )
    calmed = [ps for pid, ps in complaints.items() if ps[0].person.attitude == Attitude.NEUTRAL]
    for ps in rng.sample(calmed, min(max(1, limit // 2), len(calmed))):
        change(
            ps[0].person, Attitude.ADVERSE, Attitude.NEUTRAL, ps[-1].received, ps[0].community_code
        )
    changes.sort(key=lambda c: c.at)
    events.sort(key=lambda e: e.at)
    with _keep_times(AttitudeChange, PersonEvent):
        AttitudeChange.objects.bulk_create(changes)
        PersonEvent.objects.bulk_create(events)
    s.counts["attitude changes"] = len(changes)


def _surveys(s, rng, clock) -> None:
    quality = s.staff["hy_quality"]
    links = UnitLink.objects.filter(
        relation=Relation.OWNER, person__company=s.company
    ).select_related("unit")
    by_person: dict[int, UnitLink] = {}
    for link in links.order_by("person_id", "unit_id"):
        by_person.setdefault(link.person_id, link)
    population = sorted(by_person)
    code_of = {c.id: c.code for c in s.communities}
    first_open = clock.now - timedelta(days=199)
    rounds = (
        (first_open, first_open + timedelta(days=31), Survey.Status.CLOSED, 0.72),
        (clock.now - timedelta(days=15), None, Survey.Status.OPEN, 0.38),
    )
    previous = None
    with _keep_times(Survey, SurveyResponse):
        for number, (opened, closed, status, answered) in enumerate(rounds, start=1):
            survey = Survey.objects.create(
                company=s.company,
                title="业主满意度调查(半年度)",
                questions=SURVEY_QUESTIONS,
                channel=Survey.Channel.PHONE,
                frequency=Survey.Frequency.HALF_YEARLY,
                sample_size=max(10, round(200 * s.scale)),
                status=status,
                round=number,
                previous=previous,
                created_by=quality,
                created_at=opened - timedelta(days=3),
                opened_at=opened,
                closed_at=closed,
            )
            previous = survey
            # The sample exactly as relations.surveys.survey_open draws it.
            chosen = Random(f"survey-{survey.id}").sample(
                population, min(survey.sample_size, len(population))
            )
            invitations = SurveyInvitation.objects.bulk_create(
                [
                    SurveyInvitation(
                        survey=survey,
                        person_id=pid,
                        unit_id=by_person[pid].unit_id,
                        community_id=by_person[pid].unit.community_id,
                    )
                    for pid in sorted(chosen)
                ]
            )
            end = closed or clock.now
            responses = []
            for inv in invitations:
                if rng.random() > answered:
                    continue
                shift = -0.35 if code_of[inv.community_id] == "cuihu" else 0.1
                answers = {
                    q: max(1, min(5, round(rng.gauss(mean + shift, 0.8))))
                    for q, mean in SURVEY_MEANS.items()
                }
                if rng.random() < 0.35:
                    answers["q7"] = rng.choice(SURVEY_COMMENTS)
                at = opened + (end - opened) * rng.random()
                responses.append(
                    SurveyResponse(
                        invitation=inv,
                        answers=answers,
                        channel=Survey.Channel.PHONE,
                        entered_by=quality,
                        at=at,
                    )
                )
            SurveyResponse.objects.bulk_create(responses)
    s.counts["surveys"] = 2


def _routine_visits(s, rng, clock, desk) -> None:
    """Office managers' monthly contact with key clients; Mid-Autumn visits to elderly
    owners living alone."""
    key_clients = [p for p in s.people if p.key_client]
    lonely = [p for p in s.people if "独居" in p.special_needs]
    unit_of = dict(
        UnitLink.objects.filter(person__company=s.company)
        .order_by("person_id", "id")
        .values_list("person_id", "unit_id")
    )
    office_of = {c.id: c.code for c in s.communities}
    units = {u.id: u for u in s.units}
    visits, records = [], []
    for person in key_clients:
        unit = units.get(unit_of.get(person.id))
        if unit is None:
            continue
        code = office_of[unit.community_id]
        for back in (rng.randint(100, 170), rng.randint(20, 80), -rng.randint(5, 25)):
            due_from = clock.at(clock.today - timedelta(days=back), 9)
            visits.append(
                (
                    code,
                    person,
                    unit,
                    desk.who(code, "manager"),
                    ReturnVisit.Purpose.ROUTINE,
                    "关键客户月度走访",
                    due_from,
                    due_from + timedelta(days=14),
                )
            )
    festival = clock.today.replace(month=9, day=25) if clock.today.month > 9 else None
    if festival:
        for person in lonely:
            unit = units.get(unit_of.get(person.id))
            if unit is None:
                continue
            code = office_of[unit.community_id]
            due_from = clock.at(festival - timedelta(days=3), 9)
            visits.append(
                (
                    code,
                    person,
                    unit,
                    desk.who(code, "cs_lead"),
                    ReturnVisit.Purpose.FESTIVAL,
                    "中秋节慰问独居老人",
                    due_from,
                    due_from + timedelta(days=5),
                )
            )
    rows = []
    for code, person, unit, visitor, purpose, topic, due_from, due_by in visits:
        done = None
        if due_by < clock.now or (due_from < clock.now and rng.random() < 0.3):
            done = clock.daytime(
                rng, due_from + (min(due_by, clock.now) - due_from) * rng.random(), 9, 18
            )
            if done > clock.now:
                done = None
        rows.append(
            ReturnVisit(
                company=s.company,
                office=s.offices[code],
                purpose=purpose,
                topic=topic,
                person=person,
                unit=unit,
                assignee=visitor,
                due_from=due_from,
                due_by=due_by,
                period=clock.month(due_from),
                done_at=done,
                qualified=True if done else None,
                created_at=due_from - timedelta(days=3),
            )
        )
    with _keep_times(ReturnVisit, VisitRecord, VisitEvent):
        ReturnVisit.objects.bulk_create(rows)
        for v in rows:
            if v.done_at is None:
                continue
            records.append(
                VisitRecord(
                    visit=v,
                    method=VisitRecord.Method.FACE_TO_FACE,
                    visited_at=v.done_at,
                    quality="",
                    result="上门拜访,沟通顺畅",
                    satisfaction=rng.choice((4, 5, 5)),
                    opinions=rng.choice(
                        ("希望物业多组织社区活动", "对近期服务满意", "关注小区停车问题", "")
                    ),
                    qualified=True,
                    recorded_by=v.assignee,
                    recorded_at=v.done_at + timedelta(minutes=30),
                )
            )
        VisitRecord.objects.bulk_create(records)
        VisitEvent.objects.bulk_create(
            [
                VisitEvent(
                    visit=v,
                    actor=v.assignee,
                    action="plan",
                    text=v.topic,
                    data={"purpose": v.purpose},
                    at=v.created_at,
                )
                for v in rows
            ]
        )
    s.counts["routine visits"] = len(rows)
