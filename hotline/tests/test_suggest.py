"""Category suggestion: rules for a new office, a model learned from resolved tickets."""

import random

import pytest

from hotline.suggest import category_model_train, evaluate, rule_suggest
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

# How owners put things, several ways per category (with a typo or two).
PHRASES = {
    "water": [
        "厨房水管漏水了",
        "卫生间地漏堵了返水",
        "楼上渗水到我家天花板",
        "水龙头关不紧一直滴",
        "马桶堵住了冲不下去",
        "家里水压特别小",
        "水管爆了水漫一地",
        "下水道反味还堵",
    ],
    "electricity": [
        "家里突然停电了",
        "插座冒火花",
        "客厅的灯不亮了",
        "总闸老是跳闸",
        "开关坏了按不动",
        "厨房插坐没电",
        "电表显示异常",
        "楼道照明灯全灭",
    ],
    "lift": [
        "电梯困人了快来",
        "电梯门关不上",
        "电梯一直在响",
        "电梯按钮失灵",
        "电梯停在半层",
        "坐电梯晃得厉害",
        "电梯里有异味灯也不亮",
        "电梯又坏了",
    ],
    "noise": [
        "楼上半夜弹钢琴",
        "隔壁装修声太吵",
        "楼下广场舞太响",
        "空调外机噪音大",
        "邻居家狗叫到深夜",
        "晚上有人大声喧哗",
        "楼上一直蹦跳吵死了",
        "半夜施工扰民",
    ],
    "parking": [
        "我的车位被人占了",
        "道闸抬不起来",
        "地库有车乱停",
        "充电桩用不了",
        "门口车堵住出不去",
        "访客车进不来",
        "车库灯太暗",
        "车被别人刮了找监控",
    ],
    "fees": [
        "物业费怎么交",
        "账单金额不对",
        "想开物业费发票",
        "多交了费用要退",
        "缴费记录查不到",
        "水电费怎么这么高",
        "欠费通知书弄错了",
        "能不能微信缴费",
    ],
}


def test_rules_suggest_for_a_new_office(api_client_for, receptionist, community):
    r = api_client_for(receptionist).post(
        "/api/v1/tickets/suggest",
        {"community": community.id, "description": "我家厨房水管漏水了,楼下都渗水了"},
    )
    assert r.status_code == 200
    body = r.json()
    assert (body["category"], body["department_kind"], body["source"]) == (
        "water",
        "engineering",
        "rules",
    )
    assert rule_suggest("电梯困人了") == ("lift", 1.0)
    assert rule_suggest("你好")[0] == "other"


def _history(community, rng, per_category=20):
    for category, phrases in PHRASES.items():
        for _ in range(per_category):
            a, b = rng.sample(phrases, 2)
            TicketFactory(
                community=community,
                status="closed",
                category=category,
                title=a[:12],
                description=f"{a},{b}" if rng.random() < 0.3 else a,
            )


def test_model_learns_the_office_history(api_client_for, receptionist, community, office):
    rng = random.Random(7)
    _history(community, rng)
    model = category_model_train(office=office)
    assert model is not None and model.samples == 120
    assert model.holdout_accuracy is not None and model.holdout_accuracy >= 0.85
    client = api_client_for(receptionist)
    r = client.post(
        "/api/v1/tickets/suggest",
        {"community": community.id, "description": "电梯门一直关不上,里面还有人"},
    )
    assert (r.json()["category"], r.json()["source"]) == ("lift", "model")
    assert r.json()["department_kind"] == "engineering"


def test_too_little_history_keeps_the_rules(community, office):
    _history(community, random.Random(1), per_category=3)
    assert category_model_train(office=office) is None


def test_evaluate_holds_out_a_fifth():
    texts = [p for phrases in PHRASES.values() for p in phrases] * 2
    labels = [c for c, phrases in PHRASES.items() for _ in phrases] * 2
    assert evaluate(texts, labels) >= 0.85


def test_suggest_scoping(api_client_for, office2_manager, community):
    r = api_client_for(office2_manager).post(
        "/api/v1/tickets/suggest", {"community": community.id, "description": "x"}
    )
    assert r.status_code == 404
