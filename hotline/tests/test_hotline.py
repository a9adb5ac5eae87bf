"""The hotline desk: screen-pop, phone push, calls, call-backs, knowledge base, scripts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from core.models import Notification
from estate.tests.factories import PersonFactory
from hotline.models import Call, CallBack
from hotline.services import callback_reminders, phone_system_create
from incidents.models import Incident
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def phone_system(office):
    return phone_system_create(office=office, name="呼叫中心", key="pbx-a1")


def push(client, system, **body):
    key, secret = system[0].key, system[1]
    return client.post(
        "/api/v1/phone/push",
        {"event": "ringing", **body},
        HTTP_X_PHONE_SYSTEM=key,
        HTTP_X_PHONE_SECRET=secret,
    )


def test_push_rejects_a_bad_secret(anon_api_client, phone_system):
    r = anon_api_client.post(
        "/api/v1/phone/push",
        {"number": "13812345678", "event": "ringing"},
        HTTP_X_PHONE_SYSTEM="pbx-a1",
        HTTP_X_PHONE_SECRET="wrong",
    )
    assert r.status_code == 401 and r.json()["error"]["code"] == "phone_system_refused"
    r = anon_api_client.post("/api/v1/phone/push", {"number": "13812345678", "event": "ringing"})
    assert r.status_code == 401
    assert not Call.objects.exists()


def test_push_of_a_known_number_finds_the_caller(
    anon_api_client, phone_system, owner, hotline_agent
):
    hotline_agent.extension = "8001"
    hotline_agent.save()
    r = push(
        anon_api_client, phone_system, number="+86 138 1234 5678", extension="8001", call_id="c-1"
    )
    assert r.status_code == 200, r.content
    assert r.json()["person"] == owner.id
    call = Call.objects.get()
    assert (call.agent, call.outcome, call.number) == (hotline_agent, "ringing", "13812345678")
    push(anon_api_client, phone_system, number="13812345678", event="answered", call_id="c-1")
    push(
        anon_api_client,
        phone_system,
        number="13812345678",
        event="ended",
        call_id="c-1",
        duration_s=95,
    )
    call.refresh_from_db()
    assert (call.outcome, call.duration_s, Call.objects.count()) == ("answered", 95, 1)


def test_number_shared_by_two_people_and_unknown_number(
    anon_api_client, api_client_for, phone_system, office, unit, hotline_agent
):
    PersonFactory(office=office, name="周敏", phones=["13700001111"], units=[unit])
    PersonFactory(office=office, name="周杰", phones=["13700001111"], units=[unit])
    assert (
        push(anon_api_client, phone_system, number="13700001111").json()["person"] is None
    )  # not guessed
    cards = api_client_for(hotline_agent).get("/api/v1/people?phone=13700001111").json()["results"]
    assert sorted(c["name"] for c in cards) == ["周敏", "周杰"]
    assert push(anon_api_client, phone_system, number="13999999999").json()["person"] is None
    assert (
        api_client_for(hotline_agent).get("/api/v1/people?phone=13999999999").json()["results"]
        == []
    )


def test_missed_call_leaves_a_callback_and_reminders_are_sent(
    anon_api_client, phone_system, hotline_agent, api_client_for
):
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=SH), tick=False):
        push(anon_api_client, phone_system, number="13812345678", event="missed")
        assert CallBack.objects.get().reason
        body = api_client_for(hotline_agent).get("/api/v1/callbacks?due=true").json()
        assert len(body["results"]) == 1 and body["results"][0]["number"] == "138****5678"
        assert callback_reminders() == 1
        assert callback_reminders() == 0  # once
    assert Notification.objects.filter(user=hotline_agent, verb="callback_due").exists()


def test_scheduled_callback_reminded_shortly_before(api_client_for, hotline_agent, office, owner):
    client = api_client_for(hotline_agent)
    with time_machine.travel(datetime(2026, 11, 23, 9, 0, tzinfo=SH), tick=False):
        r = client.post(
            "/api/v1/callbacks",
            {
                "office": office.id,
                "number": "13812345678",
                "person": owner.id,
                "due_at": "2026-11-23T15:00:00",
                "reason": "答复停水时间",
            },
        )
        assert r.status_code == 201, r.content
        assert client.get("/api/v1/callbacks?due=true").json()["results"] == []
    with time_machine.travel(datetime(2026, 11, 23, 14, 40, tzinfo=SH), tick=False):
        assert callback_reminders() == 0
    with time_machine.travel(datetime(2026, 11, 23, 14, 50, tzinfo=SH), tick=False):
        assert callback_reminders() == 1
    with time_machine.travel(datetime(2026, 11, 23, 15, 5, tzinfo=SH), tick=False):
        (due,) = client.get("/api/v1/callbacks?due=true").json()["results"]
        assert client.post(f"/api/v1/callbacks/{due['id']}/done").json()["done_at"]
        assert client.get("/api/v1/callbacks?due=true").json()["results"] == []


def test_call_log_and_statistics(api_client_for, hotline_agent, office, owner, community):
    client = api_client_for(hotline_agent)
    ticket = TicketFactory(community=community, person=owner)
    base = datetime(2026, 11, 23, 9, 15, tzinfo=SH)
    for i, outcome in enumerate(["answered", "answered", "missed"]):
        r = client.post(
            "/api/v1/calls",
            {
                "office": office.id,
                "direction": "in",
                "number": "13812345678",
                "outcome": outcome,
                "duration_s": 60 * (i + 1),
                "started_at": (base + timedelta(hours=i)).isoformat(),
            },
        )
        assert r.status_code == 201, r.content
    call_id = r.json()["id"]
    assert (
        client.patch(f"/api/v1/calls/{call_id}", {"ticket": ticket.id}).json()["ticket"]
        == ticket.id
    )
    stats = client.get(
        "/api/v1/calls/stats", {"start": "2026-11-23T00:00:00", "end": "2026-11-24T00:00:00"}
    ).json()
    (agent,) = stats["per_agent"]
    assert (agent["total"], agent["answered"], agent["missed"], agent["avg_duration_s"]) == (
        3,
        2,
        1,
        90.0,
    )
    assert stats["per_hour"][9] == 1 and stats["per_hour"][10] == 1 and stats["per_hour"][11] == 1


def test_calls_are_scoped(api_client_for, office2_manager, hotline_agent, office):
    api_client_for(hotline_agent).post(
        "/api/v1/calls",
        {"office": office.id, "direction": "out", "number": "13812345678", "outcome": "answered"},
    )
    assert api_client_for(office2_manager).get("/api/v1/calls").json()["results"] == []
    r = api_client_for(office2_manager).post(
        "/api/v1/calls",
        {"office": office.id, "direction": "out", "number": "13812345678", "outcome": "answered"},
    )
    assert r.status_code == 404


def test_kb_search_is_word_by_word_in_chinese(
    api_client_for, receptionist, community, engineer, engineering
):
    client = api_client_for(receptionist)
    for title, problem, solution, cat in [
        (
            "厨房水管破裂漏水",
            "业主家厨房水管爆裂,水漫到客厅",
            "先关总阀,再通知工程部上门更换水管",
            "water",
        ),
        (
            "电梯困人应急处置",
            "电梯停在两层之间,有人被困",
            "安抚被困人员,通知维保单位,十五分钟内到场",
            "lift",
        ),
        ("电表跳闸", "家里突然没电", "检查户内空开,确认是否欠费", "electricity"),
    ]:
        assert (
            client.post(
                "/api/v1/kb/articles",
                {"category": cat, "title": title, "problem": problem, "solution": solution},
            ).status_code
            == 201
        )
    # the whole question is not a substring of any article: only word search finds it
    body = client.get("/api/v1/kb/articles", {"q": "我家水管漏水了怎么办"}).json()
    assert body["next"] is None
    hits = body["results"]
    assert hits[0]["title"] == "厨房水管破裂漏水"
    assert [
        a["title"] for a in client.get("/api/v1/kb/articles", {"q": "电梯"}).json()["results"]
    ] == ["电梯困人应急处置"]
    helped = client.post(f"/api/v1/kb/articles/{hits[0]['id']}/helped").json()
    assert helped["helped"] == 1
    # one click from a resolved ticket
    t = TicketFactory(
        community=community,
        status="resolved",
        title="楼道灯不亮",
        description="3号楼2单元楼道灯坏了",
        resolution="更换声控灯泡",
        category="electricity",
        resolved_at=timezone.now(),
    )
    r = client.post("/api/v1/kb/articles/from-ticket", {"ticket": t.id})
    assert r.status_code == 201 and r.json()["source_ticket"] == t.id
    found = client.get("/api/v1/kb/articles", {"q": "楼道灯坏了"}).json()["results"]
    assert found[0]["id"] == r.json()["id"]
    open_ticket = TicketFactory(community=community, status="assigned")
    assert (
        client.post("/api/v1/kb/articles/from-ticket", {"ticket": open_ticket.id}).status_code
        == 400
    )


def test_open_incident_script_comes_first(
    api_client_for, hotline_agent, office, community, unit, building, office_manager
):
    from hotline.models import Script

    Script.objects.create(
        company=office.company, category="water", title="报修话术", text="您好,请问具体是哪里漏水?"
    )
    incident = Incident.objects.create(
        company=office.company,
        office=office,
        kind="water",
        title="3号楼停水",
        started_at=timezone.now() - timedelta(hours=1),
        resident_text="您好,3号楼因主管道抢修临时停水,预计下午五点恢复,给您带来不便敬请谅解。",
        created_by=office_manager,
    )
    incident.communities.add(community)
    incident.buildings.add(building)
    client = api_client_for(hotline_agent)
    body = client.get("/api/v1/scripts", {"category": "water", "unit": unit.id}).json()
    assert body["next"] is None
    lines = body["results"]
    assert lines[0]["kind"] == "incident" and "临时停水" in lines[0]["text"]
    assert lines[1]["title"] == "报修话术"
    incident.ended_at = timezone.now()
    incident.save()
    lines = client.get("/api/v1/scripts", {"category": "water", "unit": unit.id}).json()["results"]
    assert lines[0]["title"] == "报修话术"


def _articles(company, n, *, office=None, category="water", title="水管漏水", helped=0):
    from hotline.kb import search_text_of
    from hotline.models import Article

    return [
        Article.objects.create(
            company=company,
            office=office,
            category=category,
            title=f"{title} {i}",
            problem="厨房水管漏水",
            solution="关闭总阀,通知工程部",
            search_text=search_text_of(f"{title} {i}", "厨房水管漏水", "关闭总阀,通知工程部"),
            helped=helped,
        )
        for i in range(n)
    ]


def test_kb_articles_without_q_are_a_cursor_paged_list(
    api_client_for, hotline_agent, company, office, office2, other_company
):
    mine = _articles(company, 5, helped=3) + _articles(company, 2, office=office)
    _articles(company, 1, office=office2)  # another office's article: not visible
    _articles(other_company, 1)  # another company's: not visible
    client = api_client_for(hotline_agent)
    seen, url = [], "/api/v1/kb/articles?limit=3"
    while url:
        body = client.get(url).json()
        assert set(body) == {"results", "next"} and len(body["results"]) <= 3
        seen += [a["id"] for a in body["results"]]
        url = f"/api/v1/kb/articles?limit=3&after={body['next']}" if body["next"] else None
    # every visible article once, in id order (not by helpfulness)
    assert seen == sorted(a.id for a in mine)
    item = client.get("/api/v1/kb/articles", {"limit": 1}).json()["results"][0]
    assert set(item) == {
        "id",
        "category",
        "title",
        "problem",
        "solution",
        "helped",
        "office",
        "source_ticket",
    }
    lifts = _articles(company, 2, category="lift")
    body = client.get("/api/v1/kb/articles", {"category": "lift"}).json()
    assert [a["id"] for a in body["results"]] == [a.id for a in lifts] and body["next"] is None
    # a blank q is no search: the same paged list
    assert client.get("/api/v1/kb/articles", {"q": " ", "limit": 3}).json()["next"] is not None


def test_kb_articles_limit_up_to_200(api_client_for, hotline_agent, company):
    _articles(company, 205)
    client = api_client_for(hotline_agent)
    body = client.get("/api/v1/kb/articles").json()  # default page: 50
    assert len(body["results"]) == 50 and body["next"]
    body = client.get("/api/v1/kb/articles", {"limit": 200}).json()
    assert len(body["results"]) == 200 and body["next"]
    rest = client.get("/api/v1/kb/articles", {"limit": 200, "after": body["next"]}).json()
    assert len(rest["results"]) == 5 and rest["next"] is None
    # a search returns the best `limit` matches (default 10), in one page
    body = client.get("/api/v1/kb/articles", {"q": "水管漏水"}).json()
    assert len(body["results"]) == 10 and body["next"] is None
    body = client.get("/api/v1/kb/articles", {"q": "水管漏水", "limit": 200}).json()
    assert len(body["results"]) == 200 and body["next"] is None
    for params in ({"limit": 201}, {"q": "水管漏水", "limit": 201}, {"limit": 0}):
        r = client.get("/api/v1/kb/articles", params)
        assert r.status_code == 400 and "limit" in r.json()["error"]["fields"], params
    r = client.get("/api/v1/kb/articles", {"after": "garbage!!"})
    assert r.status_code == 400 and "after" in r.json()["error"]["fields"]


def test_kb_search_is_ranked_in_one_page(api_client_for, hotline_agent, company):
    (lift,) = _articles(company, 1, category="lift", title="电梯困人")
    (helpful,) = _articles(company, 1, title="水管爆裂", helped=9)
    (plain,) = _articles(company, 1, title="水管爆裂")
    client = api_client_for(hotline_agent)
    body = client.get("/api/v1/kb/articles", {"q": "水管爆裂漏水"}).json()
    # most words in common first, then the most helpful: not id order
    assert [a["id"] for a in body["results"]][:2] == [helpful.id, plain.id]
    assert body["next"] is None
    body = client.get("/api/v1/kb/articles", {"q": "电梯困人", "category": "lift"}).json()
    assert [a["id"] for a in body["results"]] == [lift.id]
    # a cursor cannot continue a ranked search: refused, not ignored
    cursor = client.get("/api/v1/kb/articles", {"limit": 1}).json()["next"]
    r = client.get("/api/v1/kb/articles", {"q": "水管", "after": cursor})
    assert r.status_code == 400 and "after" in r.json()["error"]["fields"]


def test_scripts_are_a_ranked_list_in_one_page(api_client_for, hotline_agent, office):
    from hotline.models import Script

    general = Script.objects.create(company=office.company, title="问候", text="您好")
    water = Script.objects.create(
        company=office.company, category="water", title="报修话术", text="请问哪里漏水?"
    )
    Script.objects.create(
        company=office.company, title="停用", text="……", active=False
    )  # inactive: never said
    client = api_client_for(hotline_agent)
    body = client.get("/api/v1/scripts", {"category": "water"}).json()
    assert set(body) == {"results", "next"} and body["next"] is None
    # relevance order kept: the category's script before the general one
    assert [s["title"] for s in body["results"]] == [water.title, general.title]
    assert set(body["results"][0]) == {"title", "text", "kind"}
    body = client.get("/api/v1/scripts", {"category": "water", "limit": 1}).json()
    assert [s["title"] for s in body["results"]] == [water.title] and body["next"] is None
    assert client.get("/api/v1/scripts", {"limit": 200}).status_code == 200
    r = client.get("/api/v1/scripts", {"limit": 201})
    assert r.status_code == 400 and "limit" in r.json()["error"]["fields"]
    r = client.get("/api/v1/scripts", {"after": "aWQ6MQ"})
    assert r.status_code == 400 and "after" in r.json()["error"]["fields"]
