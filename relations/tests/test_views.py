"""The owner-relations pages: quotas dashboard, attitude classes with the confirm
button, satisfaction surveys from creation to results. Each page has its positive test
and its refusals (anonymous, another office's object, a role that may not act)."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estate.models import AttitudeChange
from estate.tests.factories import BuildingFactory, PersonFactory, UnitFactory
from org.models import Department
from org.tests.factories import DepartmentFactory, UserFactory
from relations.models import Survey, SurveyResponse
from relations.surveys import survey_create, survey_open
from tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
HTMX = {"HX-Request": "true"}


def html(response) -> str:
    return response.content.decode()


def row(page: str, dom_id: str) -> str:
    """The <tr> with this id, as text."""
    m = re.search(rf'<tr id="{dom_id}"[^>]*>.*?</tr>', page, re.S)
    assert m, dom_id
    return m.group(0)


def cells(tr: str) -> list[str]:
    """The text of each cell of a row, tags stripped and spaces collapsed."""
    out = []
    for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S):
        out.append(" ".join(re.sub(r"<[^>]+>", " ", cell).split()))
    return out


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ---- overview --------------------------------------------------------------------------------


def test_index_links_the_areas_with_headline_numbers(client, office_manager, owner):
    client.force_login(office_manager)
    r = client.get(reverse("relations:index"))
    assert r.status_code == 200
    page = html(r)
    for name in ("relations:quotas", "relations:attitudes", "relations:surveys", "incidents:list"):
        assert f'href="{reverse(name)}"' in page
    assert re.search(r'id="fig-attitude-neutral">[^<]* 1<', page)  # the owner, neutral
    assert 'id="fig-open-surveys">0<' in page
    # the manager's own quota: 0 households of 10
    assert re.search(r'id="fig-households">0<small> / 10<', page)


def test_pages_need_a_login(client, office, owner):
    for name in ("relations:index", "relations:quotas", "relations:attitudes", "relations:surveys"):
        assert_login_redirect(client.get(reverse(name)))
    assert_login_redirect(
        client.post(reverse("relations:attitude_confirm", args=[owner.id]), {"attitude": "adverse"})
    )


# ---- quotas ----------------------------------------------------------------------------------


@pytest.fixture
def quota_year(
    company, office, office_manager, engineer, engineering, building, community, cs_department
):
    """In 2026, by 2 July (half the year): the engineer resolved repairs at 2 homes, the
    manager logged tickets at 2, an accountant logged 15, the customer-service centre
    (the receptionist) reached 3 of the office's units."""
    units = [UnitFactory(building=building, number=f"3-1-{i}") for i in range(1, 21)]
    may = datetime(2026, 5, 10, 10, 0, tzinfo=SH)
    for u, status in [(0, "resolved"), (1, "closed"), (1, "resolved"), (2, "in_progress")]:
        TicketFactory(
            community=community,
            unit=units[u],
            assignee=engineer,
            department=engineering,
            status=status,
            received_at=may,
        )
    for u in (3, 4):
        TicketFactory(
            community=community, unit=units[u], created_by=office_manager, received_at=may
        )
    accounting = DepartmentFactory(office=office, name="会计室", kind=Department.Kind.ACCOUNTING)
    accountant = UserFactory(
        company=company, roles=["staff"], offices=[office], departments=[accounting], name="钱会计"
    )
    for u in range(15):
        TicketFactory(community=community, unit=units[u], created_by=accountant, received_at=may)
    front = UserFactory(
        company=company, roles=["receptionist"], offices=[office], departments=[cs_department]
    )
    for u in (5, 6, 7):
        TicketFactory(community=community, unit=units[u], created_by=front, received_at=may)
    return {"accountant": accountant, "units": units}


def get_in_july(client, url, **params):
    with time_machine.travel(datetime(2026, 7, 2, 12, 0, tzinfo=SH), tick=False):
        return client.get(url, params)


def test_quotas_dashboard_shows_the_numbers_behind_first(
    client, office_manager, engineer, cs_department, quota_year
):
    client.force_login(office_manager)
    r = get_in_july(client, reverse("relations:quotas"), year=2026)
    assert r.status_code == 200
    page = html(r)
    eng = row(page, f"person-{engineer.id}")
    assert 'class="is-behind"' in eng and "behind-mark" in eng
    _name, _rule, households, target, progress, expected, _status = cells(eng)
    assert (households, target) == ("2", "100")
    assert progress.endswith("2%")
    assert 49 < float(expected) < 51  # half of 100 by 2 July
    manager = cells(row(page, f"person-{office_manager.id}"))
    assert manager[2:4] == ["2", "10"]
    accountant = row(page, f"person-{quota_year['accountant'].id}")
    assert "behind-mark" not in accountant and "ontrack-mark" in accountant
    assert cells(accountant)[2:4] == ["15", "20"]
    # behind first: the engineer (2%) and the manager (20%), then the accountant on pace
    order = re.findall(r'<tr id="person-(\d+)"', page)
    assert order == [str(engineer.id), str(office_manager.id), str(quota_year["accountant"].id)]
    dept = cells(row(page, f"department-{cs_department.id}"))
    assert dept[2:4] == ["3 / 20", "15.0%"]  # 3 of the office's 20 homes
    assert dept[5] == "60%"  # the target; 30% was expected by now
    assert "behind-mark" in row(page, f"department-{cs_department.id}")


def test_quotas_office_filter_and_refusals(
    client, office_manager, office2, office2_manager, office
):
    client.force_login(office_manager)
    assert client.get(reverse("relations:quotas"), {"office": office2.id}).status_code == 404
    r = client.get(reverse("relations:quotas"), {"office": office.id})
    assert r.status_code == 200
    assert f'id="person-{office2_manager.id}"' not in html(r)
    assert f'id="person-{office_manager.id}"' in html(r)


# ---- attitude classes -------------------------------------------------------------------------


@pytest.fixture
def complainer(community, owner):
    for _ in range(3):
        TicketFactory(community=community, person=owner, kind="complaint", category="noise")
    return owner


def test_attitudes_page_counts_and_suggestions_with_buttons(client, receptionist, complainer):
    client.force_login(receptionist)
    r = client.get(reverse("relations:attitudes"))
    assert r.status_code == 200
    page = html(r)
    assert 'id="fig-neutral">1<' in page and 'id="fig-adverse">0<' in page
    tr = row(page, f"suggestion-{complainer.id}")
    assert reverse("estate:person_detail", args=[complainer.id]) in tr
    assert "attitude-neutral" in tr and "attitude-adverse" in tr
    assert ">-2<" in tr  # two complaints after the first
    assert "3" in cells(tr)[3]  # the evidence: 3 complaints in a year
    assert reverse("relations:attitude_confirm", args=[complainer.id]) in tr


def test_confirm_writes_the_change_with_the_evidence(client, receptionist, complainer):
    client.force_login(receptionist)
    url = reverse("relations:attitude_confirm", args=[complainer.id])
    r = client.post(url, {"attitude": "adverse", "note": "拒交物业费"}, headers=HTMX)
    assert r.status_code == 200
    change = AttitudeChange.objects.get(person=complainer)
    assert (change.previous, change.attitude, change.actor) == ("neutral", "adverse", receptionist)
    assert "3" in change.reason and change.reason.endswith("; 拒交物业费")
    # htmx: no row comes back (it is removed), the counts update out of band
    body = html(r)
    assert "<tr" not in body
    assert 'id="attitude-counts"' in body and 'hx-swap-oob="true"' in body
    assert 'id="fig-adverse">1<' in body
    # the suggestion is gone from the page
    assert f'id="suggestion-{complainer.id}"' not in html(
        client.get(reverse("relations:attitudes"))
    )


def test_confirm_without_htmx_redirects_back(client, receptionist, complainer, community):
    client.force_login(receptionist)
    r = client.post(
        reverse("relations:attitude_confirm", args=[complainer.id]),
        {"attitude": "adverse", "community": community.id},
    )
    assert r.status_code == 302 and r["Location"].endswith(f"?community={community.id}")
    assert AttitudeChange.objects.get(person=complainer).reason  # the evidence, no note


def test_attitude_refusals(client, quality, office2_manager, complainer, community2, community):
    # quality & training may not change people: no button, and 403 on POST
    client.force_login(quality)
    page = html(client.get(reverse("relations:attitudes")))
    assert f'id="suggestion-{complainer.id}"' in page
    assert reverse("relations:attitude_confirm", args=[complainer.id]) not in page
    url = reverse("relations:attitude_confirm", args=[complainer.id])
    assert client.post(url, {"attitude": "adverse"}).status_code == 403
    # another office: the person and the community are not found
    client.force_login(office2_manager)
    assert client.post(url, {"attitude": "adverse"}).status_code == 404
    assert (
        client.get(reverse("relations:attitudes"), {"community": community.id}).status_code == 404
    )
    assert (
        client.get(reverse("relations:attitudes"), {"community": community2.id}).status_code == 200
    )
    assert not AttitudeChange.objects.exists()


def test_attitude_community_filter_by_htmx(client, receptionist, complainer, community):
    client.force_login(receptionist)
    r = client.get(reverse("relations:attitudes"), {"community": community.id}, headers=HTMX)
    assert r.status_code == 200
    body = html(r)
    assert body.lstrip().startswith('<div id="results">')
    assert f'id="suggestion-{complainer.id}"' in body


# ---- satisfaction surveys ----------------------------------------------------------------------


@pytest.fixture
def owners(office, building):
    return [
        PersonFactory(
            office=office,
            name=f"业主{i}",
            units=[UnitFactory(building=building, number=f"6-1-{i}")],
        )
        for i in range(12)
    ]


def survey_form_data(**extra):
    data = {
        "title": "2026年第三季度满意度调查",
        "channel": "phone",
        "frequency": "quarterly",
        "sample_size": "6",
        "office": "",
        "q-TOTAL_FORMS": "4",
        "q-INITIAL_FORMS": "0",
        "q-0-code": "repair",
        "q-0-text": "您对维修服务是否满意?",
        "q-0-kind": "rating",
        "q-0-service_line": "engineering",
        "q-1-code": "clean",
        "q-1-text": "您对小区保洁是否满意?",
        "q-1-kind": "rating",
        "q-1-service_line": "cleaning",
        "q-2-code": "",
        "q-2-text": "您还有什么意见建议?",
        "q-2-kind": "text",
        "q-2-service_line": "overall",
        "q-3-code": "",
        "q-3-text": "",
        "q-3-kind": "rating",
        "q-3-service_line": "overall",
    }
    data.update(extra)
    return data


def test_survey_create_open_answer_results_through_the_pages(
    client, quality, hotline_agent, office, owners
):
    client.force_login(quality)
    page = html(client.get(reverse("relations:surveys")))
    assert f'href="{reverse("relations:survey_create")}"' in page
    r = client.get(reverse("relations:survey_create"))
    assert r.status_code == 200 and html(r).count('class="question-row"') == 3
    r = client.post(reverse("relations:survey_create"), survey_form_data(office=office.id))
    assert r.status_code == 302, html(r)
    survey = Survey.objects.get()
    assert survey.office == office and survey.status == "draft"
    assert [q["code"] for q in survey.questions] == [
        "repair",
        "clean",
        "q3",
    ]  # the empty row is left out
    assert survey.questions[2]["kind"] == "text"
    detail = reverse("relations:survey_detail", args=[survey.id])
    assert r["Location"] == detail
    assert 'id="open-survey"' in html(client.get(detail))

    r = client.post(reverse("relations:survey_open", args=[survey.id]))
    assert r.status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open" and survey.invitations.count() == 6
    page = html(client.get(detail))
    assert 'id="close-survey"' in page
    invitations = list(survey.invitations.order_by("id"))
    for inv in invitations:
        assert f'id="invitation-{inv.id}"' in page

    # the hotline agent enters answers: the form, then the answers by htmx
    client.force_login(hotline_agent)
    page = html(client.get(detail))
    assert 'id="open-survey"' not in page and 'id="close-survey"' not in page
    answer = reverse("relations:survey_answer", args=[survey.id, invitations[0].id])
    assert answer in page
    r = client.get(answer, headers=HTMX)
    assert r.status_code == 200 and 'name="a0"' in html(r) and 'value="5"' in html(r)
    for n, inv in enumerate(invitations[:3]):
        r = client.post(
            reverse("relations:survey_answer", args=[survey.id, inv.id]),
            {"a0": str(4 + n % 2), "a1": "3", "a2": "希望加强夜间巡逻", "channel": "phone"},
            headers=HTMX,
        )
        assert r.status_code == 200, html(r)
        body = html(r)
        assert f'<tr id="invitation-{inv.id}" hx-swap-oob="true">' in body
        assert 'id="survey-results"' in body
    response = SurveyResponse.objects.get(invitation=invitations[0])
    assert response.answers == {"repair": 4, "clean": 3, "q3": "希望加强夜间巡逻"}
    assert response.entered_by == hotline_agent and response.channel == "phone"
    # answered rows have no button any more
    page = html(client.get(detail))
    assert reverse("relations:survey_answer", args=[survey.id, invitations[0].id]) not in page
    assert 'id="fig-rate">50%<' in page  # 3 of 6
    assert 'id="fig-line-1">4.33<' in page  # engineering: 4, 5, 4
    assert 'id="fig-line-2">3.00<' in page  # cleaning
    assert "<svg" in page and 'id="results-by-community"' in page

    # the list shows the response rate; quality closes the survey
    assert "50% <span" in html(client.get(reverse("relations:surveys")))
    client.force_login(quality)
    assert client.post(reverse("relations:survey_close", args=[survey.id])).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "closed"


def test_add_row_returns_one_more_row_by_htmx(client, quality):
    client.force_login(quality)
    data = survey_form_data(add_row="1")
    r = client.post(reverse("relations:survey_create"), data, headers=HTMX)
    assert r.status_code == 200
    body = html(r)
    assert body.lstrip().startswith('<fieldset class="question-rows" id="questions">')
    assert body.count('class="question-row"') == 5
    assert 'name="q-TOTAL_FORMS" value="5"' in body
    assert "您对维修服务是否满意?" in body  # what was typed is kept
    assert "errorlist" not in body
    assert not Survey.objects.exists()
    # without htmx: the whole form, one row more
    r = client.post(reverse("relations:survey_create"), data)
    assert r.status_code == 200 and html(r).count('class="question-row"') == 5


def test_survey_form_errors_show_next_to_the_rows(client, quality):
    client.force_login(quality)
    data = survey_form_data(**{"q-1-code": "repair"})  # the same code twice
    r = client.post(reverse("relations:survey_create"), data)
    assert r.status_code == 400
    assert re.search(r'id="question-1".*?has-error', html(r), re.S)
    r = client.post(reverse("relations:survey_create"), survey_form_data(title=""))
    assert r.status_code == 400 and not Survey.objects.exists()


def test_answers_are_checked(client, quality, owners):
    survey = survey_create(
        actor=quality,
        title="满意度",
        questions=[{"code": "q1", "text": "维修?", "service_line": "engineering"}],
        channel="phone",
        sample_size=2,
    )
    survey_open(survey_id=survey.id, actor=quality)
    inv = survey.invitations.first()
    client.force_login(quality)
    url = reverse("relations:survey_answer", args=[survey.id, inv.id])
    r = client.post(url, {"channel": "phone"}, headers=HTMX)
    assert r.status_code == 400 and "has-error" in html(r)
    assert client.post(url, {"a0": "5", "channel": "paper"}).status_code == 302
    r = client.post(url, {"a0": "5", "channel": "paper"}, headers=HTMX)
    assert r.status_code == 409  # answered once
    assert SurveyResponse.objects.count() == 1


def test_survey_refusals(client, quality, receptionist, engineer, office2_manager, office, owners):
    survey = survey_create(
        actor=quality,
        title="锦绣维修专项回访调研",
        questions=[{"code": "q1", "text": "维修?"}],
        channel="phone",
        sample_size=3,
        office=office,
    )
    detail = reverse("relations:survey_detail", args=[survey.id])
    # anonymous
    assert_login_redirect(client.get(detail))
    # receptionists do not run surveys: no button, 403
    client.force_login(receptionist)
    assert reverse("relations:survey_create") not in html(client.get(reverse("relations:surveys")))
    assert client.get(reverse("relations:survey_create")).status_code == 403
    assert client.post(reverse("relations:survey_create"), survey_form_data()).status_code == 403
    assert 'id="open-survey"' not in html(client.get(detail))
    assert client.post(reverse("relations:survey_open", args=[survey.id])).status_code == 403
    survey_open(survey_id=survey.id, actor=quality)
    inv = survey.invitations.first()
    answer = reverse("relations:survey_answer", args=[survey.id, inv.id])
    # department staff may see the survey but not enter answers
    client.force_login(engineer)
    assert answer not in html(client.get(detail))
    assert client.post(answer, {"a0": "5", "channel": "phone"}).status_code == 403
    # another office sees nothing of it
    client.force_login(office2_manager)
    assert client.get(detail).status_code == 404
    assert client.post(answer, {"a0": "5", "channel": "phone"}).status_code == 404
    assert client.post(reverse("relations:survey_close", args=[survey.id])).status_code == 404
    assert survey.title not in html(client.get(reverse("relations:surveys")))
    assert not SurveyResponse.objects.exists()


def test_company_wide_survey_shows_each_office_its_own_owners(
    client, company, quality, office2_manager, owners, office2, community2
):
    pmqa = UserFactory(company=company, roles=["quality"], username="pxb")  # 品训部: all offices
    b2 = BuildingFactory(community=community2, name="8号楼")
    theirs = PersonFactory(
        office=office2, name="锦绣业主", units=[UnitFactory(building=b2, number="8-1-1")]
    )
    survey = survey_create(
        actor=pmqa,
        title="全公司满意度",
        questions=[{"code": "q1", "text": "?"}],
        channel="phone",
        sample_size=20,
    )
    survey_open(survey_id=survey.id, actor=pmqa)
    client.force_login(office2_manager)
    page = html(client.get(reverse("relations:survey_detail", args=[survey.id])))
    assert theirs.name in page and owners[0].name not in page
    mine = survey.invitations.exclude(person=theirs).first()
    r = client.get(reverse("relations:survey_answer", args=[survey.id, mine.id]))
    assert r.status_code == 404


def test_invitation_list_queries_do_not_grow_with_the_sample(
    client, quality, office, building, django_assert_num_queries
):
    for i in range(30):
        PersonFactory(
            office=office,
            name=f"样本{i}",
            units=[UnitFactory(building=building, number=f"9-1-{i}")],
        )
    questions = [{"code": "q1", "text": "维修?", "service_line": "engineering"}]
    small = survey_create(
        actor=quality, title="五户", questions=questions, channel="phone", sample_size=5
    )
    large = survey_create(
        actor=quality, title="三十户", questions=questions, channel="phone", sample_size=30
    )
    for survey in (small, large):
        survey_open(survey_id=survey.id, actor=quality)
        for inv in survey.invitations.all()[:3]:
            SurveyResponse.objects.create(invitation=inv, answers={"q1": 4}, channel="phone")
    client.force_login(quality)
    client.get(reverse("relations:survey_detail", args=[small.id]))  # warm the session
    with CaptureQueriesContext(connection) as five:
        r = client.get(reverse("relations:survey_detail", args=[small.id]))
    assert r.status_code == 200 and html(r).count('<tr id="invitation-') == 5
    with django_assert_num_queries(len(five.captured_queries)):
        r = client.get(reverse("relations:survey_detail", args=[large.id]))
    assert html(r).count('<tr id="invitation-') == 30
