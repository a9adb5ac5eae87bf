"""Tickets benchmark: 1,000,000 tickets over twelve months, then the desk's hot paths.

1. the organisation: the estate benchmark's company when it ran (the demo offices and
   the 100,000-unit office 云庭); otherwise the demo company and a 云庭 office filled
   in bulk with units, owners and tenants (the same shape, without the roster import).
   云庭 is given the departments and staff such an office has;
2. 1,000,000 tickets (scaled) are written with raw batched INSERTs — with their
   timelines, the return visits sampling would have planned, their records and the
   sampling and numbering counters — spread over the offices by their units and over
   about twelve months, 云庭 having exactly 80,000 in the last full month. Indexes are
   dropped during the load and rebuilt after it, then ANALYZE runs (as a DBA would).
   Titles and descriptions come from the demo's bank (demo.phrases) when it is there,
   else from the benchmark's own generator (Texts); --texts chooses;
3. ticket creation, POST /api/v1/tickets, over real HTTP: no multi-process WSGI server
   is a dependency of the project, so two `manage.py runserver --noreload` processes
   serve 127.0.0.1 on two ports and client threads spread the requests over both, one
   then two threads per server, a new connection per request. A third run on kept-alive
   connections is printed as a diagnostic: runserver writes headers and body in two
   sends without TCP_NODELAY, which costs ~40 ms a response against the client's
   delayed ACK (a property of the development server, not of the application);
4. the office's work list (tickets:list, office tab, 50 a page; its query count at 25,
   50 and 100 a page) and the ticket page (tickets:detail), in-process with
   django.test.Client and a logged-in session.

`ensure_tickets(ctx)` is what the reports and hotline benchmarks call: it loads the
tickets once per run, whichever benchmark asks first.
"""

import contextlib
import http.client
import json
import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bench.common import (
    Context,
    Samples,
    cpu_now,
    cpu_since,
    diagnose,
    percentile,
    process_cpu_seconds,
    report_latency,
    sql_of,
    timed,
)
from demo import generator
from demo.names import NameMaker, PhonePool
from estate.models import Building, Community, Person, PersonPhone, Relation, Unit, UnitLink
from estate.pinyin import name_keys
from org.models import Company, Department, Office, Role, User
from tickets import deadlines
from tickets import views as ticket_views
from tickets.categories import DEFAULTS as CATEGORY_DEFAULTS
from tickets.models import OPEN_STATUSES, Ticket, TicketCounter, TicketEvent
from visits.models import ReturnVisit, SamplingCounter, SamplingDecision, Visitor, VisitRecord
from visits.planning import sampling_decision
from visits.rules import rules_ensure_defaults

BENCH = "tickets"
SEED = 20261125
ROOT = Path(__file__).resolve().parent.parent

TICKETS = 1_000_000
OFFICE_MONTH = 80_000  # the big office's tickets in the report month
UNITS = 100_000  # the big office's units when the estate benchmark did not make them
PEOPLE = 120_000
BIG_OFFICE = "yunting"

CREATES = 600  # per run over HTTP (two runs: 1 and 2 client threads per server)
LIST_GETS = 200
DETAIL_GETS = 400
WARM_UP = 20
TIME_BUDGET_S = 150  # a measurement loop stops early past this (noted)

TARGET_CREATE_P95_MS = 30.0
TARGET_LIST_P95_MS = 100.0
TARGET_DETAIL_P95_MS = 50.0


# ---- descriptions as agents type them -------------------------------------------------------

SLOTS: dict[str, tuple[str, ...]] = {
    "home": ("卫生间", "厨房", "主卧", "次卧", "客厅", "阳台", "书房", "洗手间", "储藏间"),
    "home2": ("卫生间", "厨房", "阳台", "洗手间"),
    "common": (
        "楼道",
        "地下车库",
        "大堂",
        "电梯厅",
        "小区东门",
        "中心花园",
        "楼顶",
        "消防通道",
        "单元门口",
        "儿童游乐区",
        "南门岗亭",
        "垃圾房旁边",
    ),
    "when": (
        "今天早上",
        "昨天晚上",
        "半夜",
        "这两天",
        "最近一周",
        "从上周开始",
        "刚才",
        "每天晚上",
        "周末",
        "下午",
        "早上七点多",
    ),
    "floor": ("3", "5", "8", "11", "15", "17", "22", "26", "31"),
    "building": ("1号楼", "3号楼", "7号楼", "12号楼", "18号楼", "A座", "B座"),
    "who": ("老人", "小孩", "孕妇", "外卖员", "两个人"),
}

PHRASES: dict[str, tuple[str, ...]] = {
    "water": (
        "{home}水管漏水，地上都是水",
        "{home}天花板渗水，应该是楼上{home2}防水有问题",
        "{when}家里突然停水了，没看到停水通知",
        "马桶堵了，冲不下去",
        "{home}地漏反水，下水道可能堵了",
        "水龙头关不紧，一直滴水",
        "水压太小，{floor}楼热水器都打不着火",
        "楼下水表井里的管子爆了，水一直往外冒",
        "{home}墙面被楼上渗水泡得发霉了",
        "洗衣机下水管往外冒水",
        "自来水发黄，有股怪味，不敢喝",
    ),
    "electricity": (
        "家里突然停电，总闸推不上去",
        "{home}插座没电，其他房间正常",
        "{when}整栋楼停电了，什么时候能来电",
        "开关冒火花，有烧焦的味道",
        "电表箱里的空开老是跳闸",
        "{home}的灯一闪一闪，怀疑线路老化",
        "电费充了还是没电，电表显示欠费",
        "一开空调就跳闸",
        "{common}照明线路短路，灯全灭了",
        "摸热水器外壳有点麻手，怀疑漏电",
    ),
    "heating": (
        "暖气不热，{home}只有十几度",
        "地暖{when}开始不热了",
        "暖气片接口漏水",
        "供暖以后家里还是冷，要求上门测温",
        "暖气管道里咚咚响，晚上睡不着",
        "采暖费交了暖气还是不热",
        "暖气阀门拧不动，打不开",
        "暖气回水管冰凉，前面热后面不热",
        "家里的暖气片需要放气，不会弄",
    ),
    "lift": (
        "{building}电梯困人了，里面有{who}",
        "电梯{when}又坏了，停在{floor}楼不动",
        "电梯运行的时候晃得厉害，有异响",
        "电梯按钮失灵，按了没反应",
        "电梯门关不上，一直反复开关",
        "电梯里的空调不制冷，闷得很",
        "电梯年检合格证过期了，担心安全",
        "电梯平层不准，出门要跨一步",
        "{building}两部电梯只有一部能用，早上排很久",
        "电梯里面的应急电话打不通",
    ),
    "noise": (
        "楼上{when}一直敲敲打打，吵得睡不着",
        "楼下跳广场舞音响开太大声",
        "隔壁天天晚上弹钢琴弹到十一点",
        "楼上小孩跑跳声音特别大，沟通过没用",
        "{common}有人半夜喝酒大声喧哗",
        "空调外机噪音很大，嗡嗡响一整夜",
        "邻居家半夜放音乐，声音很大",
        "{common}水泵房噪音大，低频嗡嗡声",
        "楼上拖椅子的声音{when}都有",
        "早上五点就有人在{common}大声说话",
    ),
    "pets": (
        "{common}草坪上到处是狗屎，没人清理",
        "邻居遛狗不牵绳，把小孩吓哭了",
        "小区里有大狗乱跑，很危险",
        "{common}流浪猫太多，晚上叫得很凶",
        "被邻居家的狗咬了，要求物业出面",
        "楼道里有人养狗，味道很大",
        "对门的狗一有动静就叫个不停",
        "有人在{common}喂流浪猫，弄得很脏",
        "宠物狗在电梯里撒尿没人管",
    ),
    "parking": (
        "我的车位被别人占了，联系不上车主",
        "地下车库道闸不抬杆，出不去",
        "{common}乱停车，把消防通道堵了",
        "想问一下车位租金是多少",
        "车库的充电桩用不了",
        "外来车辆随便进小区乱停",
        "车停在车库被人刮了，要求调监控",
        "停车月卡到期了，怎么续",
        "车位上被人放了杂物，停不进去",
        "车库出口坡道太滑，差点撞车",
    ),
    "hygiene": (
        "{common}的垃圾好几天没人清运，很臭",
        "楼道里有人堆垃圾和杂物",
        "{common}发现老鼠，蟑螂也很多",
        "垃圾桶满了溢出来，没人管",
        "保洁{when}都没来打扫楼道",
        "{common}有一股异味，很难闻",
        "蚊子太多了，要求小区打药消杀",
        "楼道地面很脏，好久没拖了",
        "垃圾分类点的桶坏了，垃圾洒一地",
        "楼上往下扔垃圾，阳台上都是",
    ),
    "security": (
        "门禁卡刷不开单元门",
        "{when}家里被盗，丢了电动车",
        "有陌生人在楼道里塞小广告",
        "{common}的监控坏了，要求修一下",
        "门岗保安不在，外卖员随便进出",
        "发现有人翻围墙进小区",
        "快递放在门口被人拿走了，要求查监控",
        "晚上{common}有可疑的人在转悠",
        "人脸识别门禁识别不了",
        "单元门的门禁对讲不响",
    ),
    "decoration": (
        "想办理装修手续，需要准备什么材料",
        "楼上装修砸墙，声音特别大",
        "邻居装修的建筑垃圾堆在楼道里",
        "有人在楼顶违规搭建阳光房",
        "装修押金什么时候可以退",
        "装修工人中午还在施工，不是规定时间",
        "邻居封阳台，改变了外立面",
        "装修把公共管道弄坏了",
        "楼下装修要改动承重墙，担心安全",
        "装修队的车能不能开进小区",
    ),
    "fees": (
        "物业费怎么交，能不能微信缴费",
        "收到的账单金额不对，多收了",
        "要开物业费的发票",
        "咨询今年物业费的收费标准",
        "停车费交过了，系统还显示欠费",
        "公摊水电费为什么这么高",
        "多交的费用要求退还",
        "物业费能不能按季度交",
        "收费处几点上班",
        "房子空着，物业费能不能打折",
    ),
    "facilities": (
        "{common}的门坏了，关不上",
        "楼道窗户玻璃碎了",
        "{common}的路灯不亮",
        "儿童游乐设施坏了，有安全隐患",
        "{common}的树长得太高，挡住了窗户，要求修剪",
        "外墙瓷砖掉下来了，差点砸到人",
        "楼梯扶手松了",
        "屋顶防水开裂，顶楼渗水",
        "{common}的座椅坏了",
        "单元门闭门器坏了，门砰砰响",
        "小区道路有个大坑",
    ),
    "other": (
        "想问一下小区快递柜在哪里",
        "业主大会什么时候开",
        "表扬{common}的保安师傅帮忙搬东西",
        "建议小区多放一些休息座椅",
        "在{common}捡到一个钱包，交到前台",
        "要开一个居住证明",
        "业主来电，情况没说清楚，要求回电话",
        "想了解小区的租房情况",
        "问一下社区疫苗接种点在哪",
        "感谢客服小姑娘耐心解答",
        "咨询户口迁入需要物业开什么证明",
    ),
}

TITLES: dict[str, tuple[str, ...]] = {
    "water": ("漏水", "卫生间漏水", "厨房漏水", "停水", "下水堵塞", "马桶堵塞", "水管爆裂", "渗水"),
    "electricity": ("停电", "跳闸", "插座没电", "电路故障", "灯不亮", "漏电"),
    "heating": ("暖气不热", "供暖问题", "地暖不热", "暖气漏水", "暖气异响"),
    "lift": ("电梯困人", "电梯故障", "电梯异响", "电梯停运", "电梯门故障"),
    "noise": ("噪音扰民", "楼上噪音", "广场舞扰民", "夜间喧哗", "噪音投诉"),
    "pets": ("狗粪便", "遛狗不牵绳", "流浪猫", "宠物扰民", "犬只伤人"),
    "parking": ("车位被占", "道闸故障", "乱停车", "停车咨询", "充电桩故障", "车辆刮擦"),
    "hygiene": ("垃圾清运", "楼道卫生", "有异味", "灭鼠消杀", "保洁问题"),
    "security": ("门禁故障", "失窃", "陌生人", "监控故障", "保安不在岗", "快递丢失"),
    "decoration": ("装修手续", "装修扰民", "装修垃圾", "违规搭建", "装修押金", "违规施工"),
    "fees": ("物业费咨询", "账单有误", "开发票", "收费咨询", "退费"),
    "facilities": ("门损坏", "窗户破损", "路灯不亮", "设施损坏", "绿化修剪", "外墙脱落"),
    "other": ("咨询", "表扬", "建议", "开证明", "失物招领", "其他"),
}
GENERIC_TITLES = ("业主报修", "业主投诉", "业主来电", "业主咨询", "反映问题", "来电反映", "待处理")
OPENERS = (
    *([""] * 6),
    "业主来电反映：",
    "业主来电称",
    "业主到前台反映，",
    "业主微信留言：",
    "住户反映",
    "来电：",
    "业主打400说",
    "租户反映",
)
CLOSERS = (
    *([""] * 5),
    "请尽快处理。",
    "要求尽快派人上门查看。",
    "业主情绪比较激动。",
    "已经反映过两次了，还没解决。",
    "希望今天能来人。",
    "麻烦处理后回电。",
    "家里有老人，比较着急。",
    "下午家里有人。",
)
FILLERS = ("那个", "就是", "嗯", "然后", "反正")
# Pinyin input picks the wrong character of the same sound.
TYPOS = {
    "漏": "露",
    "修": "休",
    "噪": "燥",
    "圾": "几",
    "梯": "体",
    "暖": "缓",
    "费": "废",
    "禁": "进",
    "停": "亭",
    "坏": "怀",
    "堵": "赌",
    "吵": "炒",
    "装": "庄",
    "电": "点",
    "车": "扯",
}
# Where an agent files a matter that could go either way.
NEIGHBOURS = {
    "water": ("facilities", "heating"),
    "electricity": ("facilities",),
    "heating": ("water",),
    "lift": ("facilities",),
    "noise": ("decoration", "pets"),
    "pets": ("hygiene", "noise"),
    "parking": ("security", "fees"),
    "hygiene": ("pets", "facilities"),
    "security": ("facilities", "parking"),
    "decoration": ("noise", "facilities"),
    "fees": ("parking", "other"),
    "facilities": ("electricity", "water"),
    "other": ("fees", "security", "facilities"),
}
CATEGORY_WEIGHTS = {
    "water": 14,
    "electricity": 8,
    "heating": 3,
    "lift": 6,
    "noise": 8,
    "pets": 4,
    "parking": 9,
    "hygiene": 9,
    "security": 5,
    "decoration": 6,
    "fees": 9,
    "facilities": 10,
    "other": 9,
}
# Descriptions that say nothing of the matter (the agent filed the category from the call).
VAGUE = (
    "业主来电，要求尽快回电",
    "业主到前台反映问题，已登记",
    "同上次反映的问题，还没解决",
    "业主来电反映情况，详见通话录音",
    "业主投诉，情绪激动，要求经理回电",
    "租户来电，说不清楚，需上门了解",
)
VAGUE_SHARE = 0.03
MIXED_SHARE = 0.10  # a second matter mentioned in passing
MISLABELLED_SHARE = 0.04  # filed under a neighbouring category


@dataclass(frozen=True)
class Matter:
    """What a contact is about, before it is put into words."""

    category: str  # the category a careful agent would pick
    kind: str
    area: str  # "" lets the kind decide (a repair is in the home)
    emergency: float  # share of these contacts that are emergencies
    major: float  # share of these complaints that are major
    problem: object = None  # demo.phrases.Problem, with the demo's texts


class Texts:
    """Ticket titles and descriptions as agents type them: about ten phrasings per
    category with slots, optional openers and closers, IME typos, fillers and dropped
    characters, a second matter in passing (MIXED_SHARE), descriptions that say
    nothing of the matter (VAGUE_SHARE) and agents filing some under a neighbouring
    category (MISLABELLED_SHARE)."""

    source = (
        "bench.tickets.Texts (the benchmark's own: ~10 phrasings per category, typos, "
        f"fillers, {MIXED_SHARE:.0%} mixed matters, {VAGUE_SHARE:.0%} vague, "
        f"{MISLABELLED_SHARE:.0%} mislabelled)"
    )

    def __init__(self, rng: Random):
        self.rng = rng
        self._codes = list(PHRASES)

    def draw(self, month: int, office_code: str = "") -> Matter:
        r = self.rng
        weights = []
        for code in self._codes:
            w = CATEGORY_WEIGHTS[code]
            if code == "heating":
                w *= 3 if month in (12, 1, 2) else 0.3
            elif code == "water" and month in (6, 7, 8):
                w *= 1.3
            weights.append(w)
        category = r.choices(self._codes, weights)[0]
        kinds, kind_w = KINDS_BY_CATEGORY[category]
        kind = r.choices(kinds, kind_w)[0]
        area = ""
        if kind == "repair":
            area = "common" if category in COMMON_AREA or r.random() < 0.2 else "household"
        return Matter(
            category=category,
            kind=kind,
            area=area,
            emergency=0.02 if kind == "repair" else 0.0,
            major=0.03 if kind == "complaint" else 0.0,
        )

    def _fill(self, template: str) -> str:
        r = self.rng
        return template.format_map(
            {k: r.choice(v) for k, v in SLOTS.items() if "{" + k in template}
        )

    def description(self, category: str) -> str:
        r = self.rng
        if r.random() < VAGUE_SHARE:
            return self._noise(r.choice(VAGUE))
        body = self._fill(r.choice(PHRASES[category]))
        if r.random() < MIXED_SHARE:
            other = r.choice([c for c in self._codes if c != category])
            body += r.choice(("，另外", "。还有，", "，顺便说下", "。另外")) + self._fill(
                r.choice(PHRASES[other])
            )
        closer = r.choice(CLOSERS)
        text = r.choice(OPENERS) + body + ("，" + closer if closer else "")
        return self._noise(text)

    def _noise(self, text: str) -> str:
        r = self.rng
        if r.random() < 0.15:
            present = [c for c in TYPOS if c in text]
            if present:
                c = r.choice(present)
                text = text.replace(c, TYPOS[c], 1)
        if r.random() < 0.10 and len(text) > 6:
            i = r.randrange(1, len(text) - 1)
            text = text[:i] + r.choice(FILLERS) + text[i:]
        if r.random() < 0.05 and len(text) > 8:
            i = r.randrange(len(text))
            text = text[:i] + text[i + 1 :]
        if r.random() < 0.2:
            text = text.replace("，", r.choice((" ", ",", "、")))
        return text

    def title(self, category: str) -> str:
        r = self.rng
        if r.random() < 0.15:
            return r.choice(GENERIC_TITLES)
        return r.choice(TITLES[category])

    def make(
        self, matter: Matter, channel: str = "hotline", context: dict | None = None
    ) -> tuple[str, str, str]:
        """(the category the agent files it under, title, description)."""
        category = matter.category
        title, description = self.title(category), self.description(category)
        label = category
        if self.rng.random() < MISLABELLED_SHARE:
            label = self.rng.choice(NEIGHBOURS[category])
        return label, title, description


# Kinds of contact, as the demo's history draws them before the problem (its averages).
DEMO_KIND_SHARE = {
    "repair": 44,
    "inquiry": 28,
    "complaint": 10,
    "engineering": 2.5,
    "dispute": 4,
    "suggestion": 2.4,
    "praise": 2.4,
}


class DemoTexts:
    """The demo's bank of problems and its Voice (demo.phrases) behind Texts' interface:
    a problem drawn by kind, then by its weight in the month and the community; the
    text composed for the channel, with a second matter, anger, dialect and vagueness
    at the demo's rates."""

    def __init__(self, rng: Random, phrases):
        self.rng = rng
        self.phrases = phrases
        self.voice = phrases.Voice(rng)
        self.problems = list(phrases.PROBLEMS)
        self.tables: dict[tuple, tuple[list, list]] = {}
        cores = sum(len(p.cores) for p in self.problems)
        self.source = (
            f"demo.phrases ({len(self.problems)} problems, {cores} phrasings; "
            "Voice.compose for the ticket's channel)"
        )

    def draw(self, month: int, office_code: str = "") -> Matter:
        r = self.rng
        kind = r.choices(list(DEMO_KIND_SHARE), list(DEMO_KIND_SHARE.values()))[0]
        key = (kind, office_code, month)
        if key not in self.tables:
            pairs = [
                (p, p.weight * p.where.get(office_code, 1.0) * p.months.get(month, 1.0))
                for p in self.problems
                if p.kind == kind
            ]
            pairs = [(p, w) for p, w in pairs if w > 0]
            self.tables[key] = ([p for p, _w in pairs], [w for _p, w in pairs])
        problems, weights = self.tables[key]
        if not problems:
            return self.draw(month, office_code) if kind != "repair" else self._any()
        problem = r.choices(problems, weights)[0]
        return Matter(
            category=problem.category,
            kind=problem.kind,
            area=problem.area,
            emergency=problem.emergency,
            major=problem.major,
            problem=problem,
        )

    def _any(self) -> Matter:
        p = self.rng.choice(self.problems)
        return Matter(p.category, p.kind, p.area, p.emergency, p.major, p)

    def make(
        self, matter: Matter, channel: str = "hotline", context: dict | None = None
    ) -> tuple[str, str, str]:
        r, phrases = self.rng, self.phrases
        problem = matter.problem
        kind = problem.kind
        context = dict(context or {})
        context.setdefault("unit", "1-101")
        context.setdefault("bldg", "")
        context.setdefault("community", "")
        context.setdefault("surname", r.choice(phrases.SURNAMES))
        context.setdefault("honorific", r.choice(phrases.HONORIFICS))
        narrative = kind in ("repair", "complaint", "dispute", "engineering")
        spoken = channel in ("hotline", "walk_in", "visit", "wechat", "online")
        second = None
        if narrative and spoken and r.random() < 0.11:
            other = self.draw(0)
            if (
                other.problem is not None
                and other.category != problem.category
                and other.problem.brief
            ):
                second = other.problem
        angry = r.random() < {"complaint": 0.35, "dispute": 0.3, "engineering": 0.15}.get(
            kind, 0.06
        )
        text = self.voice.compose(
            problem,
            channel=channel,
            context=context,
            second=second,
            angry=angry,
            vague=kind == "repair" and spoken and r.random() < 0.045,
            dialect=r.random() < 0.25,
        )
        return text.category, text.title[:200], text.description


def text_maker(rng: Random, choice: str = "auto") -> "Texts | DemoTexts":
    """The demo's texts when demo.phrases is there (and `choice` allows), else ours."""
    if choice in ("auto", "demo"):
        try:
            from demo import phrases

            maker = DemoTexts(rng, phrases)
            maker.make(maker.draw(1, "cuihu"), "hotline", {})  # the interface still fits
            maker.make(maker.draw(7, "cuihu"), "gov_hotline", {})
            return maker
        except Exception as exc:
            if choice == "demo":
                raise
            texts = Texts(rng)
            texts.source += f"; demo.phrases unusable: {type(exc).__name__}: {str(exc)[:120]}"
            return texts
    return Texts(rng)


# ---- ticket attributes ----------------------------------------------------------------

KINDS_BY_CATEGORY: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "water": (("repair", "complaint", "engineering", "inquiry"), (82, 8, 7, 3)),
    "electricity": (("repair", "complaint", "inquiry"), (80, 5, 15)),
    "heating": (("repair", "complaint", "inquiry"), (60, 30, 10)),
    "lift": (("repair", "complaint", "engineering"), (60, 35, 5)),
    "noise": (("complaint", "dispute"), (70, 30)),
    "pets": (("complaint", "dispute"), (80, 20)),
    "parking": (("complaint", "inquiry", "dispute"), (50, 40, 10)),
    "hygiene": (("complaint", "suggestion"), (80, 20)),
    "security": (("complaint", "inquiry", "repair"), (60, 20, 20)),
    "decoration": (("inquiry", "complaint", "dispute"), (50, 40, 10)),
    "fees": (("inquiry", "complaint"), (75, 25)),
    "facilities": (("repair", "engineering", "suggestion"), (70, 20, 10)),
    "other": (("inquiry", "suggestion", "praise", "complaint"), (55, 20, 20, 5)),
}
COMMON_AREA = {"lift", "facilities", "hygiene", "parking", "security"}
CHANNELS = (
    ("hotline", "walk_in", "wechat", "online", "visit", "meeting", "gov_hotline", "email"),
    (45, 18, 15, 9, 5, 2, 3, 1),
)
DEPARTMENT_OF = {c.code: c.department_kind for c in CATEGORY_DEFAULTS}
RESOLUTIONS = {
    "repair": ("已上门维修，恢复正常，业主确认", "已更换配件，试用正常", "维修完毕，现场已清理"),
    "engineering": ("施工单位已返修，业主验收合格", "已发工作联系单，施工单位处理完毕"),
    "complaint": (
        "已核实情况并处理，电话回复业主",
        "已约谈相关人员，问题已整改",
        "已协调双方，业主表示理解",
    ),
    "dispute": ("已上门调解，双方达成一致", "已协调双方，约定整改时间"),
    "inquiry": ("已电话答复业主", "已当面解答", "已告知办理流程和材料"),
    "suggestion": ("已转相关部门研究，答复业主", "建议已采纳，已回复业主"),
    "praise": ("已转达表扬并致谢", "已通报表扬"),
}


FREQUENT_HOMES = 0.05  # this share of homes (the first of the shuffled list) …
FREQUENT_CALLS = 0.30  # … makes this share of the contacts


def unit_index(count: int, r: Random) -> int:
    """Which home contacts the desk: most at random, some homes much more often."""
    if r.random() < FREQUENT_CALLS:
        return r.randrange(max(1, round(count * FREQUENT_HOMES)))
    return r.randrange(count)


def _open_share(age_h: float) -> float:
    """How likely a ticket of this age is still open."""
    if age_h < 4:
        return 0.9
    if age_h < 24:
        return 0.6
    if age_h < 72:
        return 0.35
    if age_h < 14 * 24:
        return 0.15
    if age_h < 60 * 24:
        return 0.04
    return 0.005


# ---- the organisation ------------------------------------------------------------------


@dataclass
class OfficeData:
    office: Office
    communities: list[int]
    units: list[tuple[int, int]]  # (unit id, community id), shuffled (see unit_index)
    people: dict[int, list[int]]  # unit id → person ids, owners first
    departments: dict[str, int]  # department kind → id (the first of the kind)
    department_names: dict[int, str]
    staff: dict[int, list[int]]  # department id → its staff (role "staff"; else supervisors)
    visitors: list[int]  # customer-service staff who make return visits
    front: list[int]  # receptionists
    manager: User | None
    receptionist: User | None
    labels: dict[int, tuple[str, str]] = field(default_factory=dict)  # unit → (number, bldg)
    community_names: dict[int, str] = field(default_factory=dict)

    def context(self, unit_id: int) -> dict:
        """What the demo's texts may name: the home, its building, the community."""
        number, building = self.labels.get(unit_id, ("", ""))
        community = next(iter(self.community_names.values()), "")
        return {"unit": number, "bldg": building, "community": community}


@dataclass
class Org:
    company: Company
    offices: list[OfficeData]
    big: OfficeData
    agents: list[int]  # hotline agents
    agent: User
    admin: User

    @property
    def unit_count(self) -> int:
        return sum(len(o.units) for o in self.offices)


BIG_OFFICE_STAFF = (
    ("cs_lead", Role.SUPERVISOR, Department.Kind.CUSTOMER_SERVICE, 1),
    ("cs", Role.STAFF, Department.Kind.CUSTOMER_SERVICE, 8),
    ("eng_lead", Role.SUPERVISOR, Department.Kind.ENGINEERING, 1),
    ("eng", Role.STAFF, Department.Kind.ENGINEERING, 10),
    ("guard_lead", Role.SUPERVISOR, Department.Kind.SECURITY, 1),
    ("guard", Role.STAFF, Department.Kind.SECURITY, 5),
    ("clean_lead", Role.SUPERVISOR, Department.Kind.CLEANING, 1),
    ("clean", Role.STAFF, Department.Kind.CLEANING, 4),
    ("acct", Role.STAFF, Department.Kind.ACCOUNTING, 2),
)


def ensure_org(ctx: Context, bench: str = BENCH) -> Org:
    """The company the benchmarks work on (see the module's docstring)."""
    if "org" in ctx.state:
        return ctx.state["org"]
    company = generator.demo_company()
    if company is None:
        try:
            seconds, seed = timed(generator.generate)
            label = "demo seed (org, 2,000 units, the demo's history)"
        except Exception as exc:
            # The demo's history is someone's work in progress: the company without it.
            steps = getattr(generator, "ESTATE_STEPS", None)
            if steps is None:
                raise
            ctx.note(
                f"demo seed failed ({type(exc).__name__}: {str(exc)[:160]}): seeded its "
                f"estate steps only {steps}"
            )
            seconds, seed = timed(lambda: generator.generate(steps=steps))
            label = "demo seed (org, 2,000 units, no history)"
        ctx.figure(bench, label, seconds, "s")
        company = seed.company
    password = (
        User.objects.filter(company=company, username="hy_hotline1")
        .values_list("password", flat=True)
        .first()
    )
    rng = Random(f"{SEED}:org")
    big = Office.objects.filter(company=company, code=BIG_OFFICE).first()
    if big is None:
        from bench import estate as estate_bench

        stub = SimpleNamespace(company=company, password_hash=password)
        big, community, _manager, _front = estate_bench._bench_office(stub)
        units = ctx.scaled(UNITS, 100)
        seconds, owners = timed(lambda: _fill_community(company, big, community, units, rng))
        ctx.figure(
            bench,
            f"estate benchmark not run: {units:,} units, {owners:,} owners (bulk)",
            seconds,
            "s",
        )
    target = ctx.scaled(PEOPLE)
    if Person.objects.filter(company=company).count() < target:
        from bench import estate as estate_bench

        community = Community.objects.filter(office=big).order_by("id").first()
        seconds, added = timed(
            lambda: estate_bench.add_people(
                SimpleNamespace(company=company), big, community, target, rng
            )
        )
        ctx.figure(bench, f"add {added:,} tenants/family (bulk_create)", seconds, "s")
    _staff_big_office(company, big, password)
    org = _read_org(company, rng)
    ctx.state["org"] = org
    return org


def _fill_community(
    company: Company, office: Office, community: Community, count: int, rng: Random
) -> int:
    """`count` units in towers of 30 floors × 4 homes, an owner with a phone for 95%."""
    per_building = 120
    buildings = Building.objects.bulk_create(
        [
            Building(community=community, name=f"{b + 1}号楼")
            for b in range(math.ceil(count / per_building))
        ]
    )
    units = []
    for i in range(count):
        building = buildings[i // per_building]
        floor, pos = divmod(i % per_building, 4)
        room = f"{floor + 1}{pos + 1:02d}"
        units.append(
            Unit(
                community=community,
                building=building,
                room=room,
                number=f"{i // per_building + 1}-{room}",
                residency=rng.choices(
                    ["occupied", "rented", "not_moved_in", "vacant"], [75, 13, 7, 5]
                )[0],
            )
        )
    names = NameMaker(rng)
    phones = PhonePool(rng, taken=set(PersonPhone.objects.values_list("number", flat=True)))
    keys: dict[str, tuple[str, str]] = {}
    owners = 0
    with transaction.atomic():
        Unit.objects.bulk_create(units, batch_size=2000)
        for start in range(0, len(units), 5000):
            chunk = [u for u in units[start : start + 5000] if rng.random() < 0.95]
            people = []
            for _unit in chunk:
                name = names.make(birth_year=round(rng.triangular(1946, 1997, 1977))).full
                pinyin, initials = keys.get(name) or keys.setdefault(name, name_keys(name))
                people.append(
                    Person(
                        company=company,
                        office=office,
                        name=name,
                        name_pinyin=pinyin,
                        name_initials=initials,
                    )
                )
            Person.objects.bulk_create(people, batch_size=2000)
            UnitLink.objects.bulk_create(
                [
                    UnitLink(unit=u, person=p, relation=Relation.OWNER)
                    for u, p in zip(chunk, people, strict=True)
                ],
                batch_size=2000,
            )
            PersonPhone.objects.bulk_create(
                [
                    PersonPhone(person=p, company=company, number=phones.mobile(), preferred=True)
                    for p in people
                ],
                batch_size=2000,
            )
            owners += len(people)
    return owners


def _staff_big_office(company: Company, office: Office, password: str) -> None:
    """The departments and staff of an office of 100,000 homes (whatever is missing)."""
    have = {d.kind: d for d in Department.objects.filter(office=office).order_by("id")}
    for name, kind in generator.DEPARTMENTS:
        if kind not in have:
            have[kind] = Department.objects.create(office=office, name=name, kind=kind)
    names = NameMaker(Random(f"{SEED}:big-office-staff"))
    taken = set(User.objects.filter(company=company).values_list("username", flat=True))
    for suffix, role, kind, count in BIG_OFFICE_STAFF:
        for i in range(1, count + 1):
            username = f"{office.code}_{suffix}{i if count > 1 else ''}"
            if username in taken:
                continue
            user = User.objects.create(
                company=company,
                username=username,
                name=names.make(birth_year=1985).full,
                roles=[role],
                password=password,
            )
            user.offices.set([office])
            user.departments.set([have[kind]])


def _read_org(company: Company, rng: Random) -> Org:
    users = list(
        User.objects.filter(company=company, is_active=True)
        .prefetch_related("offices", "departments")
        .order_by("id")
    )
    links = defaultdict(list)
    for unit_id, person_id, relation in (
        UnitLink.objects.filter(unit__community__company=company)
        .order_by("unit_id", "id")
        .values_list("unit_id", "person_id", "relation")
    ):
        if relation == Relation.OWNER:
            links[unit_id].insert(0, person_id)
        else:
            links[unit_id].append(person_id)
    offices = []
    for office in Office.objects.filter(company=company, kind=Office.Kind.SERVICE).order_by("id"):
        rows = list(
            Unit.objects.filter(community__office=office)
            .order_by("id")
            .values_list("id", "community_id", "number", "building__name")
        )
        if not rows:
            continue
        units = [(u, c) for u, c, _n, _b in rows]
        rng.shuffle(units)
        departments: dict[str, int] = {}
        names: dict[int, str] = {}
        for d in Department.objects.filter(office=office).order_by("id"):
            departments.setdefault(d.kind, d.id)
            names[d.id] = d.name
        staff: dict[int, list[int]] = defaultdict(list)
        leads: dict[int, list[int]] = defaultdict(list)
        visitors, front = [], []
        manager = receptionist = None
        for u in users:
            if not any(o.id == office.id for o in u.offices.all()):
                continue
            if Role.OFFICE_MANAGER in u.roles and manager is None:
                manager = u
            if Role.RECEPTIONIST in u.roles:
                front.append(u.id)
                receptionist = receptionist or u
            for d in u.departments.all():
                if Role.STAFF in u.roles:
                    staff[d.id].append(u.id)
                if Role.SUPERVISOR in u.roles:
                    leads[d.id].append(u.id)
                if d.kind == Department.Kind.CUSTOMER_SERVICE and u.has_role(
                    Role.STAFF, Role.RECEPTIONIST, Role.SUPERVISOR
                ):
                    visitors.append(u.id)
        for dept_id, lead_ids in leads.items():
            if not staff.get(dept_id):
                staff[dept_id] = lead_ids
        offices.append(
            OfficeData(
                office=office,
                communities=sorted({c for _u, c in units}),
                units=units,
                people={u: links[u] for u, _c in units if links.get(u)},
                departments=departments,
                department_names=names,
                staff=dict(staff),
                visitors=visitors or front,
                front=front or ([manager.id] if manager else []),
                manager=manager,
                receptionist=receptionist,
                labels={u: (n, b or "") for u, _c, n, b in rows},
                community_names=dict(
                    Community.objects.filter(office=office).values_list("id", "name")
                ),
            )
        )
    big = max(offices, key=lambda o: len(o.units))
    by_name = {u.username: u for u in users}
    agents = [u.id for u in users if Role.HOTLINE_AGENT in u.roles]
    return Org(
        company=company,
        offices=offices,
        big=big,
        agents=agents,
        agent=by_name["hy_hotline1"],
        admin=by_name["hy_admin"],
    )


# ---- the load --------------------------------------------------------------------------


@dataclass
class Load:
    org: Org
    texts: "Texts | DemoTexts"
    now: datetime
    tz: ZoneInfo
    report_month: str  # the last full month, YYYY-MM
    office_month: int  # the big office's tickets in it
    total: int
    first_id: int
    last_id: int
    counts: dict[str, int] = field(default_factory=dict)


def ensure_tickets(ctx: Context, bench: str = BENCH) -> Load:
    """The organisation with its ~12 months of tickets, loaded once per run."""
    if "tickets" in ctx.state:
        return ctx.state["tickets"]
    org = ensure_org(ctx, bench)
    load = _Loader(ctx, org).run(bench)
    ctx.state["tickets"] = load
    return load


def _month_start(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _spread(total: int, weights: list[float]) -> list[int]:
    """`total` over the weights, rounded so that the parts add up exactly."""
    whole = sum(weights)
    if whole <= 0:
        return [0] * len(weights)
    out, acc, given = [], 0.0, 0
    for w in weights:
        acc += w
        upto = round(total * acc / whole)
        out.append(upto - given)
        given = upto
    return out


# Minutes of the day, weighted as calls come in (office hours, evening, a quiet night).
_HOUR_WEIGHTS = (
    1,
    0.5,
    0.3,
    0.3,
    0.3,
    0.6,
    1.5,
    4,
    9,
    11,
    11,
    9,
    6,
    7,
    9,
    9,
    8,
    7,
    5,
    5,
    4,
    3,
    2,
    1.5,
)


class _Table:
    """Raw batched INSERTs of plain rows (dicts by column) into one model's table."""

    def __init__(self, model, *, with_id: bool):
        ops = connection.ops
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.columns = [f.column for f in fields]
        self.defaults = [f.get_default() if not f.primary_key else None for f in fields]
        self.adapters: list[tuple[int, object]] = []
        sqlite = connection.vendor == "sqlite"
        for i, f in enumerate(fields):
            kind = f.get_internal_type()
            if kind == "DateTimeField":
                self.adapters.append(
                    (i, (lambda v: None if v is None else str(v)) if sqlite else _aware)
                )
            elif kind == "DateField":
                self.adapters.append(
                    (i, (lambda v: None if v is None else str(v)) if sqlite else None)
                )
            elif kind == "JSONField":
                self.adapters.append((i, lambda v: ops.adapt_json_value(v, None)))
        self.adapters = [(i, a) for i, a in self.adapters if a is not None]
        qn = ops.quote_name
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(
            qn(model._meta.db_table),
            ", ".join(qn(c) for c in self.columns),
            ", ".join(["%s"] * len(self.columns)),
        )
        self.rows: list[dict] = []
        self.written = 0

    def add(self, row: dict) -> None:
        self.rows.append(row)

    def flush(self) -> None:
        if not self.rows:
            return
        data = []
        pairs = list(zip(self.columns, self.defaults, strict=True))
        for row in self.rows:
            values = [row.get(c, d) for c, d in pairs]
            for i, adapt in self.adapters:
                values[i] = adapt(values[i])
            data.append(values)
        with connection.cursor() as cursor:
            for start in range(0, len(data), 5000):
                cursor.executemany(self.sql, data[start : start + 5000])
        self.written += len(self.rows)
        self.rows = []


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


@contextlib.contextmanager
def _bulk_mode(tables: list[str]):
    """SQLite: drop the tables' indexes (rebuilt on exit, timed apart), a large page
    cache and no fsync while loading. Other databases: as they are."""
    timing = {"indexes_s": 0.0}
    if connection.vendor != "sqlite":
        yield timing
        return
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(tables))
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})",
            tables,
        )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("PRAGMA cache_size = -524288")  # 512 MB
        cursor.execute("PRAGMA synchronous = OFF")
    try:
        yield timing
    finally:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
            cursor.execute("PRAGMA synchronous = NORMAL")
            cursor.execute("PRAGMA cache_size = -2000")
        timing["indexes_s"] = time.perf_counter() - started
        timing["indexes"] = len(indexes)


class _Loader:
    def __init__(self, ctx: Context, org: Org):
        self.ctx = ctx
        self.org = org
        self.rng = Random(f"{SEED}:tickets")
        self.texts = text_maker(Random(f"{SEED}:texts"), ctx.state.get("texts", "auto"))
        self.now = timezone.now().astimezone(UTC).replace(tzinfo=None)  # naive UTC
        self.tz = ZoneInfo(org.company.timezone)
        self.visit_candidates: list[tuple] = []
        self.counters: dict[tuple[int, date], int] = {}
        self.counts: Counter = Counter()

    # -- the plan: how many tickets each office receives each day

    def _plan(self) -> tuple[list[date], dict[int, list[int]], str, int, int]:
        ctx, org = self.ctx, self.org
        today = timezone.localtime(timezone.now(), self.tz).date()
        first = _month_start(today, 11)
        report_first = _month_start(today, 1)
        report_month = report_first.strftime("%Y-%m")
        days = [first + timedelta(days=i) for i in range((today - first).days + 1)]
        local_now = timezone.localtime(timezone.now(), self.tz)
        elapsed_today = (local_now.hour * 60 + local_now.minute) / 1440
        weights = []
        for day in days:
            w = 0.8 if day.weekday() >= 5 else 1.0
            w *= 1.1 if day.month in (7, 8) else 1.0
            if day == today:
                w *= max(0.0, elapsed_today - 0.002)
            weights.append(w)
        in_report = [d.strftime("%Y-%m") == report_month for d in days]

        # The company holds TICKETS in all: the demo's own history counts towards it.
        total = max(1000, ctx.scaled(TICKETS, 1000) - self.existing)
        units = {o.office.id: len(o.units) for o in org.offices}
        all_units = sum(units.values())
        big = org.big.office.id
        office_month = ctx.scaled(OFFICE_MONTH, 100)
        big_total = max(round(total * units[big] / all_units), round(office_month * 1.2))
        big_total = min(big_total, total)
        office_month = min(office_month, big_total)
        per_day: dict[int, list[int]] = {}
        report_w = [w if r else 0.0 for w, r in zip(weights, in_report, strict=True)]
        other_w = [0.0 if r else w for w, r in zip(weights, in_report, strict=True)]
        a = _spread(office_month, report_w)
        b = _spread(big_total - office_month, other_w)
        per_day[big] = [x + y for x, y in zip(a, b, strict=True)]
        others = [o for o in org.offices if o.office.id != big]
        rest = _spread(total - big_total, [units[o.office.id] for o in others])
        for o, n in zip(others, rest, strict=True):
            per_day[o.office.id] = _spread(n, weights)
        return days, per_day, report_month, office_month, total

    # -- one ticket

    def _ticket(self, tid: int, office: OfficeData, received_local: datetime, seq: int):
        r, texts, org = self.rng, self.texts, self.org
        received = received_local.astimezone(UTC).replace(tzinfo=None)
        day = received_local.date()
        matter = texts.draw(day.month, office.office.code)
        kind = matter.kind
        channel = r.choices(*CHANNELS)[0]
        severity = "major" if kind == "complaint" and r.random() < matter.major else "general"
        area = matter.area or ("household" if kind == "repair" else "")
        emergency = r.random() < matter.emergency
        hours = deadlines.promise_hours(
            kind=kind, area=area, emergency=emergency, category_hours=None
        )
        due = received + timedelta(hours=hours)
        external_ref, external_due = "", None
        if channel == "gov_hotline":
            external_ref = f"12345-{day:%Y%m%d}-{seq:05d}"
            external_due = received + timedelta(hours=72)
            due = min(due, external_due)
        unit_id, community_id = office.units[unit_index(len(office.units), r)]
        people = office.people.get(unit_id)
        person_id = None
        if people and r.random() < 0.9:
            person_id = people[0] if r.random() < 0.6 else r.choice(people)
        category, title, description = texts.make(matter, channel, office.context(unit_id))
        if area == "common" and r.random() < 0.5:
            unit_id = None
        major = kind == "complaint" and severity == "major"
        department_id = None
        if not major:
            department_id = office.departments.get(
                DEPARTMENT_OF.get(category, "customer_service")
            ) or office.departments.get("customer_service")
        created_by = (
            r.choice(org.agents) if channel == "hotline" and org.agents else r.choice(office.front)
        )
        lead = office.staff.get(department_id) if department_id else None

        # Where it stands now.
        age_h = (self.now - received).total_seconds() / 3600
        status, resolved, closed = "new", None, None
        u = r.random()
        if u < 0.015:
            status = "cancelled"
        elif u < 0.015 + _open_share(age_h):
            status = (
                "new"
                if age_h < 1 and r.random() < 0.6
                else r.choices(("new", "assigned", "in_progress", "escalated"), (6, 35, 55, 4))[0]
            )
        else:
            took = hours * r.lognormvariate(math.log(0.35), 0.9)
            resolved = received + timedelta(hours=max(0.2, took))
            if resolved >= self.now - timedelta(minutes=5):
                status, resolved = "in_progress", None
            else:
                status = "resolved"
                closed = resolved + timedelta(hours=r.uniform(12, 24 * 7))
                if closed < self.now and r.random() < 0.93:
                    status = "closed"
                else:
                    closed = None
        assignee = None
        if status in ("assigned", "in_progress", "resolved", "closed") and lead:
            assignee = r.choice(lead)
        elif major and status in ("resolved", "closed") and office.manager:
            assignee = office.manager.id

        events = []
        data = {
            "kind": kind,
            "channel": channel,
            "category": category,
            "department": department_id,
            "due_at": _iso(due),
        }
        events.append((created_by, received, "create", "", "new", description[:500], data))
        at = received + timedelta(minutes=r.uniform(2, 40))
        state = "new"
        if status == "cancelled":
            events.append((created_by, at, "cancel", "new", "cancelled", "业主撤销", {}))
        elif status != "new":
            if department_id:
                events.append(
                    (
                        None if lead and r.random() < 0.3 else created_by,
                        at,
                        "assign",
                        "new",
                        "assigned",
                        "",
                        {
                            "department": department_id,
                            "department_name": office.department_names.get(department_id, ""),
                            "assignee": assignee,
                        },
                    )
                )
                state = "assigned"
            if status == "escalated":
                at += timedelta(minutes=r.uniform(10, 120))
                events.append((assignee, at, "escalate", state, "escalated", "非本部门职责", {}))
            elif status in ("in_progress", "resolved", "closed"):
                at += timedelta(minutes=r.uniform(5, 180))
                if resolved is not None:
                    at = min(at, resolved - timedelta(minutes=1))
                at = min(at, self.now)
                events.append((assignee, at, "start", state, "in_progress", "", {}))
                state = "in_progress"
        resolution = outcome = rule_cited = responsibility = ""
        complaint_valid = rating = None
        if resolved is not None:
            resolution = r.choice(RESOLUTIONS[kind])
            roll = r.random()
            outcome = "resolved" if roll < 0.93 else "out_of_scope" if roll < 0.98 else "refused"
            if outcome == "refused":
                rule_cited = "《管理规约》第十二条"
            events.append(
                (
                    assignee,
                    resolved,
                    "resolve",
                    state,
                    "resolved",
                    resolution,
                    {"outcome": outcome, "rule_cited": rule_cited, "resolved_at": _iso(resolved)},
                )
            )
        if closed is not None:
            if kind == "complaint":
                complaint_valid = r.random() < 0.6
                responsibility = r.choices(
                    ("property", "owner", "developer", "contractor", "third_party", "none"),
                    (40, 20, 10, 10, 10, 10),
                )[0]
            events.append(
                (
                    created_by,
                    closed,
                    "close",
                    "resolved",
                    "closed",
                    "",
                    {
                        "closed_at": _iso(closed),
                        "complaint_valid": complaint_valid,
                        "responsibility": responsibility,
                    },
                )
            )
            if r.random() < 0.35:
                rating = r.choices((5, 4, 3, 2, 1), (55, 30, 9, 4, 2))[0]
                events.append(
                    (created_by, closed, "rate", "closed", "closed", "", {"rating": rating})
                )
        last = max(e[1] for e in events)
        row = {
            "id": tid,
            "company_id": org.company.id,
            "office_id": office.office.id,
            "community_id": community_id,
            "unit_id": unit_id,
            "person_id": person_id,
            "number": f"{office.office.code.upper()}-{day:%Y%m%d}-{seq:04d}",
            "kind": kind,
            "channel": channel,
            "category": category,
            "title": title,
            "description": description,
            "severity": severity,
            "area": area,
            "emergency": emergency,
            "status": status,
            "department_id": department_id,
            "assignee_id": assignee,
            "promised_method": deadlines.PROMISED_METHOD[kind],
            "due_at": due,
            "received_at": received,
            "resolved_at": resolved,
            "closed_at": closed,
            "resolution": resolution,
            "outcome": outcome,
            "rule_cited": rule_cited,
            "external_ref": external_ref,
            "external_due_at": external_due,
            "complainant_consent": False,
            "complaint_valid": complaint_valid,
            "responsibility": responsibility,
            "rating": rating,
            "created_by_id": created_by,
            "created_at": received,
            "updated_at": last,
        }
        self.tickets.add(row)
        for actor, at_, action, from_s, to_s, text, data_ in events:
            self.events.add(
                {
                    "ticket_id": tid,
                    "actor_id": actor,
                    "at": at_,
                    "action": action,
                    "from_status": from_s,
                    "to_status": to_s,
                    "text": text,
                    "internal": False,
                    "data": data_,
                }
            )
        self.counts[status] += 1
        if resolved is not None:
            rule = self._rule(kind, area, severity)
            if rule is not None:
                self.visit_candidates.append(
                    (resolved, tid, office, rule, person_id, unit_id, assignee)
                )

    def _rule(self, kind: str, area: str, severity: str):
        for rule in self.rules_list:
            if not rule.active or rule.kind != kind:
                continue
            if rule.area and rule.area != area:
                continue
            if rule.severity and rule.severity != severity:
                continue
            return rule
        return None

    # -- return visits: the sampling as visit_plan_for_resolved_ticket decides it

    def _visits(self) -> int:
        r = Random(f"{SEED}:visits")
        self.visit_candidates.sort(key=lambda c: (c[0], c[1]))
        # The sampling goes on from what the company's history (the demo's) counted.
        counters: dict[tuple[int, int, str], list[int]] = {
            (office_id, rule_id, month): [n, k]
            for office_id, rule_id, month, n, k in SamplingCounter.objects.values_list(
                "office_id", "rule_id", "month", "resolved", "selected"
            )
        }
        visit_id = (ReturnVisit.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        made = 0
        for resolved, tid, office, rule, person_id, unit_id, assignee in self.visit_candidates:
            month = resolved.replace(tzinfo=UTC).astimezone(self.tz).strftime("%Y-%m")
            key = (office.office.id, rule.id, month)
            counter = counters.setdefault(key, [0, 0])
            counter[0] += 1
            n, k = counter
            selected, required, reason = sampling_decision(
                share_percent=rule.share_percent, resolved=n, chosen=k
            )
            self.decisions.add(
                {
                    "ticket_id": tid,
                    "rule_id": rule.id,
                    "month": month,
                    "resolved_in_month": n,
                    "selected_before": k,
                    "required": required,
                    "selected": selected,
                    "reason": reason,
                    "at": resolved,
                }
            )
            if len(self.decisions.rows) >= 20000:
                self.decisions.flush()
            if not selected:
                continue
            counter[1] += 1
            if rule.visitor == Visitor.OFFICE_MANAGER and office.manager:
                visitor = office.manager.id
            elif rule.visitor == Visitor.ASSIGNEE and assignee:
                visitor = assignee
            else:
                visitor = r.choice(office.visitors) if office.visitors else None
            due_from = resolved + timedelta(days=rule.window_start_days)
            due_by = resolved + timedelta(days=rule.window_end_days)
            done_at = qualified = None
            if due_by < self.now and r.random() < 0.92:
                done_at = due_from + (due_by - due_from) * r.random()
            elif due_from < self.now <= due_by:
                share = (self.now - due_from) / (due_by - due_from)
                if r.random() < share * 0.8:
                    done_at = due_from + (self.now - due_from) * r.random()
            if done_at is not None:
                qualified = r.random() < 0.94
            self.visits.add(
                {
                    "id": visit_id,
                    "company_id": self.org.company.id,
                    "office_id": office.office.id,
                    "ticket_id": tid,
                    "rule_id": rule.id,
                    "purpose": ReturnVisit.Purpose.TICKET,
                    "person_id": person_id,
                    "unit_id": unit_id,
                    "assignee_id": visitor,
                    "due_from": due_from,
                    "due_by": due_by,
                    "period": month,
                    "done_at": done_at,
                    "qualified": qualified,
                    "created_at": resolved,
                }
            )
            if done_at is not None and visitor is not None:
                self.records.add(
                    {
                        "visit_id": visit_id,
                        "version": 1,
                        "method": r.choice(("phone", "phone", "face_to_face", "on_site")),
                        "visited_at": done_at,
                        "satisfaction": r.choice((4, 5, 5)) if qualified else r.choice((1, 2, 3)),
                        "shortcomings": "" if qualified else "维修后问题又出现了",
                        "opinions": "" if qualified else "希望再派人看看",
                        "qualified": qualified,
                        "recorded_by_id": visitor,
                        "recorded_at": done_at,
                    }
                )
            visit_id += 1
            made += 1
            if len(self.visits.rows) >= 20000:
                self.visits.flush()
                self.records.flush()
        self.visits.flush()
        self.records.flush()
        self.decisions.flush()
        _save_counters(
            SamplingCounter,
            ("office_id", "rule_id", "month"),
            {key: {"resolved": n, "selected": k} for key, (n, k) in counters.items()},
        )
        return made

    # -- the run

    def run(self, bench: str) -> Load:
        ctx, org = self.ctx, self.org
        mark = cpu_now()
        self.existing = Ticket.objects.filter(company=org.company).count()
        self.day_counters = {
            (office_id, day): last
            for office_id, day, last in TicketCounter.objects.values_list(
                "office_id", "day", "last"
            )
        }
        days, per_day, report_month, office_month, _total = self._plan()
        self.rules_list = rules_ensure_defaults(company=org.company)
        first_id = (Ticket.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        tid = first_id
        self.tickets = _Table(Ticket, with_id=True)
        self.events = _Table(TicketEvent, with_id=False)
        self.visits = _Table(ReturnVisit, with_id=True)
        self.records = _Table(VisitRecord, with_id=False)
        self.decisions = _Table(SamplingDecision, with_id=False)
        offices = {o.office.id: o for o in org.offices}
        minutes = list(range(1440))
        minute_w = [_HOUR_WEIGHTS[m // 60] for m in minutes]
        local_now = timezone.localtime(timezone.now(), self.tz).replace(tzinfo=None)
        tables = [
            Ticket._meta.db_table,
            TicketEvent._meta.db_table,
            ReturnVisit._meta.db_table,
            VisitRecord._meta.db_table,
            SamplingDecision._meta.db_table,
        ]
        r = self.rng
        with _bulk_mode(tables) as timing:
            for i, day in enumerate(days):
                todays = []
                for office_id, counts in per_day.items():
                    n = counts[i]
                    if not n:
                        continue
                    picks = r.choices(minutes, minute_w, k=n)
                    stamps = []
                    for m in picks:
                        at = datetime(day.year, day.month, day.day) + timedelta(
                            minutes=m, seconds=r.random() * 60
                        )
                        if at >= local_now:  # today: before now, still today
                            start = datetime(day.year, day.month, day.day)
                            at = start + (local_now - start) * r.random()
                        stamps.append(at)
                    stamps.sort()
                    base = self.day_counters.get((office_id, day), 0)
                    for seq, at in enumerate(stamps, base + 1):
                        todays.append((at, office_id, seq))
                    self.counters[(office_id, day)] = base + n
                todays.sort()
                with transaction.atomic():
                    for at, office_id, seq in todays:
                        self._ticket(tid, offices[office_id], at.replace(tzinfo=self.tz), seq)
                        tid += 1
                    self.tickets.flush()
                    self.events.flush()
            with transaction.atomic():
                visits = self._visits()
                _save_counters(
                    TicketCounter,
                    ("office_id", "day"),
                    {key: {"last": n} for key, n in self.counters.items()},
                )
        if connection.vendor != "sqlite":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Ticket, ReturnVisit]):
                    cursor.execute(sql)
        wall, cpu = cpu_since(mark)
        analyse_s, _ = timed(_analyse)
        loaded = tid - first_id
        ctx.figure(
            bench,
            f"load {loaded:,} tickets (raw batched INSERTs)",
            wall,
            "s",
            note=(
                f"{self.existing + loaded:,} tickets in the company with the {self.existing:,} "
                f"the demo seed made; CPU {cpu:.0f} s; {self.events.written:,} timeline events, "
                f"{visits:,} return "
                f"visits, {self.records.written:,} visit records, "
                f"{self.decisions.written:,} sampling decisions; "
                f"{timing.get('indexes', 0)} indexes rebuilt in {timing['indexes_s']:.0f} s "
                f"(included); ANALYZE {analyse_s:.0f} s after"
            ),
        )
        ctx.figure(bench, "load throughput (tickets)", loaded / wall, "rows/s", detail=True)
        open_count = sum(self.counts[s] for s in OPEN_STATUSES)
        ctx.figure(
            bench,
            "  tickets by status",
            open_count,
            "open",
            note=", ".join(f"{k} {v:,}" for k, v in sorted(self.counts.items())),
            detail=True,
        )
        big_month = Ticket.objects.filter(
            office=org.big.office,
            received_at__gte=_aware_local(report_month, self.tz),
            received_at__lt=_aware_local(_next_month(report_month), self.tz),
        ).count()
        ctx.figure(
            bench,
            f"  {org.big.office.code} tickets in {report_month}",
            big_month,
            "",
            detail=True,
        )
        return Load(
            org=org,
            texts=self.texts,
            now=timezone.now(),
            tz=self.tz,
            report_month=report_month,
            office_month=office_month,
            total=loaded,
            first_id=first_id,
            last_id=tid - 1,
            counts=dict(self.counts),
        )


def _save_counters(model, key_fields: tuple[str, ...], values: dict[tuple, dict]) -> None:
    """Counter rows by key: existing rows updated, missing ones created."""
    existing = {
        tuple(getattr(row, f) for f in key_fields): row
        for row in model.objects.all().only("id", *key_fields)
    }
    changed, created = [], []
    for key, fields in values.items():
        row = existing.get(key)
        if row is None:
            created.append(model(**dict(zip(key_fields, key, strict=True)), **fields))
            continue
        for name, value in fields.items():
            setattr(row, name, value)
        changed.append(row)
    if changed:
        model.objects.bulk_update(changed, list(next(iter(values.values()))), batch_size=500)
    model.objects.bulk_create(created, batch_size=1000)


def _iso(value: datetime) -> str:
    return value.replace(tzinfo=UTC).isoformat()


def _next_month(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:])
    return f"{year + (mon == 12)}-{1 if mon == 12 else mon + 1:02d}"


def _aware_local(month: str, tz: ZoneInfo) -> datetime:
    return datetime(int(month[:4]), int(month[5:]), 1, tzinfo=tz)


def _analyse() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# ---- helpers for the measurements -------------------------------------------------------


def api_token(client: Client, username: str) -> str:
    response = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": generator.DEMO_PASSWORD},
        content_type="application/json",
    )
    if response.status_code != 200:
        raise RuntimeError(f"POST /api/v1/auth/token answered {response.status_code}")
    return response.json()["token"]


def sample_until(samples: Samples, calls, budget_s: float = TIME_BUDGET_S) -> int:
    """Run (kind, call) pairs into `samples` until done or past the budget; how many
    were left out."""
    started = time.perf_counter()
    calls = list(calls)
    for i, (kind, call) in enumerate(calls):
        if i >= 30 and time.perf_counter() - started > budget_s:
            return len(calls) - i
        samples.add(call, kind)
    return 0


def pick_unit(office: OfficeData, r: Random) -> tuple[int, int, int | None]:
    """(unit, community, a person of the unit or None), callers skewed as in the load."""
    unit_id, community_id = office.units[unit_index(len(office.units), r)]
    people = office.people.get(unit_id)
    return unit_id, community_id, (people[0] if people else None)


def pick_office(org: Org, r: Random) -> OfficeData:
    return r.choices(org.offices, [len(o.units) for o in org.offices])[0]


# ---- 1. creation over HTTP -------------------------------------------------------------


class _Server:
    """`manage.py runserver --noreload` on a free port of 127.0.0.1, with the
    benchmark's environment (its database, DEBUG off)."""

    def __init__(self, index: int):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        log_path = ROOT / "var" / f"bench-server-{index}.log"  # the last run's, per server
        self.log_path = log_path
        self.log = open(log_path, "w")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"runserver exited: see {self.log_path}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.2)
        raise RuntimeError(f"runserver on port {self.port} did not start")

    def cpu(self) -> float | None:
        return process_cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.log.close()


def _payloads(load: Load, count: int, r: Random) -> list[bytes]:
    out = []
    texts = load.texts
    for _ in range(count):
        office = pick_office(load.org, r)
        unit_id, community_id, person_id = pick_unit(office, r)
        matter = texts.draw(load.now.month, office.office.code)
        category, title, description = texts.make(matter, "hotline", office.context(unit_id))
        kind = matter.kind
        body = {
            "community": community_id,
            "unit": unit_id,
            "person": person_id,
            "kind": kind,
            "channel": "hotline",
            "category": category,
            "title": title,
            "description": description,
        }
        if kind == "repair":
            body["area"] = matter.area or "household"
        if kind == "dispute":
            other, _c, _p = pick_unit(office, r)
            while _c != community_id:
                other, _c, _p = pick_unit(office, r)
            body["parties"] = [
                {"side": "complainant", "person": person_id, "unit": unit_id},
                {"side": "respondent", "unit": other, "statement": "对方否认"},
            ]
        out.append(json.dumps(body, ensure_ascii=False).encode())
    return out


def _hammer(
    ports: list[int], per_port: int, bodies: list[bytes], token: str, *, keep_alive: bool
) -> tuple[list[tuple[float, int, bytes]], float]:
    """POST every body, `per_port` client threads per server; (latency ms, status, body
    if not 201) per request, and the wall time of the whole run.

    Without keep-alive each request opens its own connection (its latency includes the
    connect). With it, runserver's unbuffered writes (headers, then body, two sends on
    a socket without TCP_NODELAY) meet the client's delayed ACK: about 40 ms a response
    on Linux, a cost of the development server, not of the application."""
    threads_n = len(ports) * per_port
    queues = [bodies[i::threads_n] for i in range(threads_n)]
    results: list[list[tuple[float, int, bytes]]] = [[] for _ in range(threads_n)]
    barrier = threading.Barrier(threads_n + 1)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def worker(i: int) -> None:
        port = ports[i % len(ports)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        barrier.wait()
        for body in queues[i]:
            started = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/tickets", body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                data, status = repr(exc).encode(), 0
                keep = False
            else:
                keep = keep_alive
            results[i].append(
                ((time.perf_counter() - started) * 1000, status, b"" if status == 201 else data)
            )
            if not keep:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    return [x for rs in results for x in rs], time.perf_counter() - started


def _create_over_http(ctx: Context, load: Load) -> None:
    r = Random(f"{SEED}:create")
    client = Client()
    token = api_token(client, load.org.agent.username)
    count = ctx.scaled(CREATES, 100)
    bodies = _payloads(load, 3 * count + 2 * WARM_UP + 1, r)

    # In-process first: how many queries one creation runs, and where its time goes.
    def create_in_process():
        response = client.post(
            "/api/v1/tickets",
            bodies[-1],
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
        if response.status_code != 201:
            raise RuntimeError(f"in-process creation answered {response.status_code}")

    queries = len(sql_of(create_in_process))
    servers = [_Server(1), _Server(2)]
    try:
        for s in servers:
            s.wait()
        ports = [s.port for s in servers]
        warm, _ = _hammer(ports, 1, bodies[: 2 * WARM_UP], token, keep_alive=False)
        bad = [x for x in warm if x[1] != 201]
        if bad:
            ctx.note(f"creation warm-up: {len(bad)} of {len(warm)} failed, e.g. {bad[0]}")
        offset = 2 * WARM_UP
        runs = ((1, False, False), (2, False, False), (1, True, True))
        for per_port, keep_alive, diagnostic in runs:
            batch = bodies[offset : offset + count]
            offset += count
            cpu_before = [s.cpu() for s in servers]
            client_cpu = time.process_time()
            results, wall = _hammer(ports, per_port, batch, token, keep_alive=keep_alive)
            client_cpu = time.process_time() - client_cpu
            cpu_after = [s.cpu() for s in servers]
            server_cpu = (
                sum(a - b for a, b in zip(cpu_after, cpu_before, strict=True))
                if None not in cpu_before + cpu_after
                else math.nan
            )
            ok = [ms for ms, status, _b in results if status == 201]
            failed = [(status, body[:160]) for _ms, status, body in results if status != 201]
            how = f"HTTP, {per_port * 2} client threads"
            if keep_alive:
                how += ", keep-alive"
            cpu_note = (
                f"server CPU {server_cpu / max(1, len(results)) * 1000:.1f} ms a request "
                f"(both processes), client CPU {client_cpu / max(1, len(results)) * 1000:.1f} ms"
            )
            if diagnostic:
                ctx.figure(
                    BENCH,
                    f"  create p50/p95 ({how}): runserver's Nagle stall",
                    percentile(ok, 95),
                    "ms",
                    note=(
                        f"p50 {percentile(ok, 50):.1f} ms, {len(ok) / wall:.1f} req/s; the same "
                        "requests on kept-alive connections: runserver sends headers and body "
                        "in two writes without TCP_NODELAY and the client delays its ACK "
                        f"(~40 ms a response; not the application's cost); {cpu_note}"
                    ),
                    detail=True,
                )
            else:
                ctx.figure(
                    BENCH,
                    f"create p50 ({how})",
                    percentile(ok, 50),
                    "ms",
                    note=(
                        f"{len(results)} POST /api/v1/tickets over 2 `runserver --noreload` "
                        f"processes on 127.0.0.1, {per_port} client thread(s) each, a new "
                        f"connection per request; {queries} queries per creation"
                    ),
                )
                # The target is for 2 workers, one request each (the measure);
                # two in flight per worker on this 2-core machine measure queueing.
                ctx.figure(
                    BENCH,
                    f"create p95 ({how})",
                    percentile(ok, 95),
                    "ms",
                    target=TARGET_CREATE_P95_MS if per_port == 1 else None,
                    note=cpu_note
                    + ("" if per_port == 1 else "; 2 requests in flight per worker: queueing"),
                )
                ctx.figure(BENCH, f"create p99 ({how})", percentile(ok, 99), "ms", detail=True)
                ctx.figure(
                    BENCH,
                    f"create throughput ({how})",
                    len(ok) / wall,
                    "req/s",
                    note=f"{len(ok)} created in {wall:.1f} s",
                )
            if failed:
                ctx.note(f"creation ({how}): {len(failed)} failed, e.g. {failed[:2]}")
    finally:
        for s in servers:
            s.stop()
    diagnose(ctx, BENCH, "create (in-process)", create_in_process)


# ---- 2. the work list --------------------------------------------------------------------


@contextlib.contextmanager
def _page_size(size: int):
    saved = ticket_views.PAGE_SIZE
    ticket_views.PAGE_SIZE = size
    try:
        yield
    finally:
        ticket_views.PAGE_SIZE = saved


def _work_list(ctx: Context, load: Load) -> None:
    office = load.org.big
    user = office.receptionist or office.manager
    client = Client()
    client.force_login(user)
    url = reverse("tickets:list")
    first = client.get(url, {"tab": "office"})
    if first.status_code != 200:
        ctx.note(f"GET {url}?tab=office answered {first.status_code}: list not measured")
        return
    counts = {}
    for size in (25, 50, 100):
        with _page_size(size):
            counts[size] = len(sql_of(lambda: client.get(url, {"tab": "office"})))
    constant = len(set(counts.values())) == 1
    total = Ticket.objects.filter(office=office.office).count()
    open_n = Ticket.objects.filter(office=office.office, status__in=OPEN_STATUSES).count()
    ctx.figure(
        BENCH,
        "list queries per page (office tab)",
        counts[50],
        "queries",
        note=(
            f"25 a page: {counts[25]}, 50: {counts[50]}, 100: {counts[100]} — "
            + ("constant" if constant else "NOT constant: grows with the page size")
        ),
    )
    if not constant:
        ctx.note(f"the work list's query count grows with the page size: {counts}")
    r = Random(f"{SEED}:list")
    pages = max(1, min(10, total // ticket_views.PAGE_SIZE))
    calls = []
    for _ in range(3):  # the page may take seconds: a short warm-up
        client.get(url, {"tab": "office"})
    for _ in range(ctx.scaled(LIST_GETS, 40)):
        roll = r.random()
        if roll < 0.6:
            params, kind = {"tab": "office"}, "page 1"
        elif roll < 0.85:
            params, kind = {"tab": "office", "page": r.randint(2, max(2, pages))}, "pages 2–10"
        else:
            status = r.choice(("new", "assigned", "in_progress"))
            params, kind = {"tab": "office", "status": status}, "status filter, page 1"
        calls.append((kind, lambda p=params: _get_ok(client, url, p)))
    samples = Samples()
    left = sample_until(samples, calls)
    report_latency(
        ctx,
        BENCH,
        "list",
        "office tab, 50 a page",
        samples,
        TARGET_LIST_P95_MS,
        note=(
            f"GET {url}?tab=office as {user.username}, in-process Client; the office has "
            f"{total:,} tickets, {open_n:,} open (the office tab lists them all, newest first)"
        ),
    )
    if left:
        ctx.note(f"list: time budget reached, {left} requests left out")
    if percentile(samples.wall, 95) > TARGET_LIST_P95_MS:
        diagnose(ctx, BENCH, "list page 1", lambda: client.get(url, {"tab": "office"}))


def _get_ok(client: Client, url: str, params: dict | None = None) -> None:
    response = client.get(url, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} {params} answered {response.status_code}")


# ---- 3. the ticket page -----------------------------------------------------------------


def _ticket_page(ctx: Context, load: Load) -> None:
    office = load.org.big
    r = Random(f"{SEED}:detail")
    recent_from = timezone.now() - timedelta(days=30)
    recent = list(
        Ticket.objects.filter(office=office.office, received_at__gte=recent_from).values_list(
            "id", flat=True
        )
    )
    older = list(
        Ticket.objects.filter(office=office.office, received_at__lt=recent_from).values_list(
            "id", flat=True
        )
    )
    users = [("manager", office.manager), ("receptionist", office.receptionist)]
    clients = {}
    for label, user in users:
        if user is None:
            continue
        c = Client()
        c.force_login(user)
        clients[label] = c
    n = ctx.scaled(DETAIL_GETS, 50)
    picks = [
        (r.choice(recent) if recent and (r.random() < 0.7 or not older) else r.choice(older))
        for _ in range(n + WARM_UP)
    ]
    labels = list(clients)
    for i, tid in enumerate(picks[:WARM_UP]):
        _get_ok(clients[labels[i % len(labels)]], reverse("tickets:detail", args=[tid]))
    query_counts = []
    for i, tid in enumerate(picks[WARM_UP : WARM_UP + 20]):
        url = reverse("tickets:detail", args=[tid])
        query_counts.append(
            len(sql_of(lambda u=url, c=clients[labels[i % len(labels)]]: _get_ok(c, u)))
        )
    calls = []
    for i, tid in enumerate(picks[WARM_UP:]):
        label = labels[i % len(labels)]
        url = reverse("tickets:detail", args=[tid])
        calls.append((label, lambda u=url, c=clients[label]: _get_ok(c, u)))
    samples = Samples()
    left = sample_until(samples, calls)
    report_latency(
        ctx,
        BENCH,
        "ticket page",
        "tickets:detail",
        samples,
        TARGET_DETAIL_P95_MS,
        note=(
            f"in-process Client, office manager and receptionist of {office.office.code}; "
            f"70% tickets of the last 30 days; {min(query_counts)}–{max(query_counts)} "
            "queries a page"
        ),
    )
    if left:
        ctx.note(f"ticket page: time budget reached, {left} requests left out")
    if percentile(samples.wall, 95) > TARGET_DETAIL_P95_MS:
        url = reverse("tickets:detail", args=[picks[-1]])
        diagnose(ctx, BENCH, "ticket page", lambda: _get_ok(clients[labels[0]], url))


# ---- the benchmark ------------------------------------------------------------------------


def run(ctx: Context) -> None:
    load = ensure_tickets(ctx, BENCH)
    steps = (
        ("creation over HTTP", lambda: _create_over_http(ctx, load)),
        ("work list", lambda: _work_list(ctx, load)),
        ("ticket page", lambda: _ticket_page(ctx, load)),
    )
    for label, step in steps:
        try:
            step()
        except Exception as exc:
            ctx.note(f"{label} not measured: {type(exc).__name__}: {str(exc)[:300]}")
