"""Realistic Chinese names and mobile numbers, drawn from a seeded random.Random.

Shared by the demo generator and the benchmarks. Nothing here touches the database.
"""

import random
from dataclasses import dataclass

# Common surnames with their approximate share of the population (per cent), so that
# 王, 李, 张 and 刘 dominate as they do in any real roster.
SURNAMES: list[tuple[str, float]] = [
    ("王", 7.12), ("李", 7.00), ("张", 6.74), ("刘", 5.10), ("陈", 4.61), ("杨", 3.22),
    ("赵", 2.03), ("黄", 1.98), ("周", 1.69), ("吴", 1.52), ("徐", 1.28), ("孙", 1.24),
    ("胡", 1.16), ("朱", 1.08), ("高", 0.99), ("林", 0.96), ("何", 0.92), ("郭", 0.92),
    ("马", 0.91), ("罗", 0.84), ("梁", 0.73), ("宋", 0.65), ("郑", 0.64), ("谢", 0.60),
    ("韩", 0.57), ("唐", 0.56), ("冯", 0.54), ("于", 0.49), ("董", 0.48), ("肖", 0.48),
    ("程", 0.45), ("曹", 0.45), ("袁", 0.44), ("邓", 0.43), ("许", 0.43), ("傅", 0.41),
    ("沈", 0.40), ("曾", 0.39), ("彭", 0.39), ("吕", 0.37), ("苏", 0.36), ("卢", 0.36),
    ("蒋", 0.35), ("蔡", 0.34), ("贾", 0.32), ("丁", 0.31), ("魏", 0.31), ("薛", 0.30),
    ("叶", 0.30), ("闫", 0.29), ("余", 0.28), ("潘", 0.27), ("杜", 0.27), ("戴", 0.26),
    ("夏", 0.25), ("钟", 0.25), ("汪", 0.25), ("田", 0.25), ("任", 0.24), ("姜", 0.24),
    ("范", 0.23), ("方", 0.22), ("石", 0.22), ("姚", 0.22), ("谭", 0.21), ("廖", 0.21),
    ("邹", 0.20), ("熊", 0.20), ("金", 0.19), ("陆", 0.19), ("郝", 0.19), ("孔", 0.18),
    ("白", 0.18), ("崔", 0.18), ("康", 0.17), ("毛", 0.17), ("邱", 0.17), ("秦", 0.16),
    ("江", 0.16), ("史", 0.16), ("顾", 0.15), ("侯", 0.15), ("邵", 0.15), ("孟", 0.15),
    ("龙", 0.14), ("万", 0.14), ("段", 0.14), ("钱", 0.13), ("汤", 0.13), ("尹", 0.13),
    ("黎", 0.12), ("易", 0.12), ("常", 0.12), ("武", 0.12), ("乔", 0.11), ("贺", 0.11),
    ("赖", 0.11), ("龚", 0.11), ("文", 0.10), ("欧阳", 0.03), ("司马", 0.01),
]  # fmt: skip

# Given names by generation, from the names common among people born then; two-
# character names are curated (random pairs of characters read oddly to a native eye).
_GIVEN: dict[str, dict[bool, tuple[str, str]]] = {
    # Born before the mid-1960s (some typical of Zhejiang).
    "elder": {
        False: (
            "建国 建军 国庆 国强 卫东 卫国 志强 志刚 德明 德华 永刚 永明 福生 金福 长林 根宝 水根 荣华 "
            "炳坤 海生 炳华 金水 学文 宝林 正华 振国 文彬 桂生 洪涛 庆丰",
            "明 刚 平 华 军 林 伟 斌",
        ),
        True: (
            "秀英 桂英 秀兰 桂兰 玉兰 淑珍 凤英 玉珍 秀珍 美华 丽华 金花 月娥 彩凤 素芬 菊芳 美娟 "
            "雅琴 爱华 月仙 杏娟 桂芳 淑华 素梅 凤霞 秋菊 冬梅 碧云 玉梅 彩霞",
            "英 珍 兰 芳 华 梅 萍 琴",
        ),
    },
    # Born 1966–1990.
    "middle": {
        False: (
            "志强 志明 建华 建平 建伟 国华 国平 海涛 海波 海峰 晓东 晓峰 晓明 文杰 文斌 俊杰 俊峰 "
            "子健 嘉伟 明辉 伟明 伟强 永强 永华 振华 立新 立军 新华 春生 金龙 鹏飞 鹏程 云飞 宏伟 "
            "宏亮 宏斌 学军 正阳 国栋 卫平 晓军 建新 家明 俊辉 志华 少华 旭东 伟东 小龙 剑锋",
            "伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 波 峰 浩 健 斌 亮 凯 宁 东",
        ),
        True: (
            "丽娟 丽萍 丽君 美玲 晓燕 晓丽 晓红 晓梅 晓静 海燕 海霞 春梅 春燕 雪梅 玉婷 静怡 红梅 "
            "婷婷 丹丹 晶晶 莉莉 慧敏 慧琳 雅婷 雅静 文静 文娟 月华 爱玲 亚楠 亚萍 小燕 小红 丽丽 "
            "巧玲 艳红 艳芳 燕萍 淑敏 秀丽 美琴 瑞芳 凤娟 晓琳 海英 建英 玉洁 雪芳",
            "芳 娜 敏 静 丽 艳 娟 霞 燕 玲 婷 雪 慧 琳 颖 倩 洁 红 梅 萍 莉 蕾 薇 琴",
        ),
    },
    # Born after 1990.
    "young": {
        False: (
            "子轩 浩然 宇航 思远 俊杰 子豪 一鸣 博文 皓轩 梓豪 浩宇 明轩 天宇 一帆 泽宇 锦程 嘉豪 "
            "宇轩 子涵 俊熙 文轩 承泽 睿哲 铭泽 家乐 晨阳 子健 思源 志豪 逸飞 书豪 奕辰 俊宇",
            "浩 宇 轩 睿 博 阳 晨 昊 哲 然 凯 楠",
        ),
        True: (
            "梓涵 欣怡 诗涵 雨萱 一诺 嘉怡 佳琪 可馨 思彤 语桐 雨欣 思琪 梦瑶 梦洁 晨曦 心怡 思雨 "
            "紫涵 可欣 若曦 佳怡 雅琪 诗雨 子琪 梓萱 欣妍 婉婷 静雯 雨桐 佳宁 艺璇 悦彤 舒雅",
            "琪 涵 妍 萱 悦 彤 瑶 璐 菲 雯 婧 怡",
        ),
    },
}
_SINGLE_SHARE = {"elder": 0.15, "middle": 0.35, "young": 0.15}

# Combinations that would name someone famous (or a leader): never generated.
FAMOUS = frozenset(
    """刘德华 周杰伦 李白 王菲 马云 李娜 刘翔 姚明 成龙 张艺谋 陈奕迅 王力宏 林俊杰 赵薇 孙俪
    杨幂 刘亦菲 范冰冰 黄晓明 李小龙 周润发 张学友 郭富城 黎明 毛泽东 邓小平 周恩来 江泽民
    胡锦涛 习近平 李强 李鹏 朱镕基 温家宝 李克强 孙中山 鲁迅 巴金 老舍 莫言 张国荣 梅兰芳
    王杰 张杰 李宇春 马化腾 雷军 刘强东 李彦宏 任正非 董明珠 杨利伟 郎平 王楠 张怡宁 孙杨
    林丹 李宁 郭晶晶 王军霞 刘欢 那英 韩红 宋祖英 彭丽媛 赵丽颖 杨洋 王凯""".split()  # noqa: SIM905
)

# Prefixes of mainland mobile numbers in use (China Mobile, Unicom, Telecom).
MOBILE_PREFIXES = [
    *(f"13{d}" for d in range(10)),
    *(f"15{d}" for d in "01235789"),
    *(f"17{d}" for d in "035678"),
    *(f"18{d}" for d in range(10)),
    *(f"19{d}" for d in "13589"),
]


@dataclass(frozen=True)
class Name:
    full: str
    surname: str
    female: bool


class NameMaker:
    """Chinese names weighted by surname frequency; given names by generation."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._surnames = [s for s, _w in SURNAMES]
        self._cum = []
        total = 0.0
        for _s, w in SURNAMES:
            total += w
            self._cum.append(total)
        self._given = {
            gen: {
                female: (pairs.split(), singles.split()) for female, (pairs, singles) in d.items()
            }
            for gen, d in _GIVEN.items()
        }

    def surname(self) -> str:
        return self.rng.choices(self._surnames, cum_weights=self._cum)[0]

    def given(self, *, female: bool, birth_year: int) -> str:
        rng = self.rng
        generation = "elder" if birth_year < 1966 else "middle" if birth_year <= 1990 else "young"
        if rng.random() < 0.1:  # names cross generations now and then
            generation = rng.choice(["elder", "middle", "young"])
        pairs, singles = self._given[generation][female]
        return rng.choice(singles if rng.random() < _SINGLE_SHARE[generation] else pairs)

    def make(
        self, *, female: bool | None = None, birth_year: int = 1980, surname: str | None = None
    ) -> Name:
        if female is None:
            female = self.rng.random() < 0.5
        while True:
            s = surname or self.surname()
            full = s + self.given(female=female, birth_year=birth_year)
            if full not in FAMOUS:
                return Name(full=full, surname=s, female=female)


class PhonePool:
    """Unique, valid mobile numbers. `taken` (shared, not copied) holds numbers in use."""

    def __init__(self, rng: random.Random, taken: set[str] | None = None):
        self.rng = rng
        self.taken: set[str] = taken if taken is not None else set()

    def mobile(self) -> str:
        rng = self.rng
        while True:
            number = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
            if number not in self.taken and len(set(number[3:])) > 2:
                self.taken.add(number)
                return number
