"""The monthly analysis page and its proposals, on the November fixture of
test_monthly.py whose figures are worked out by hand."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from core.errors import NotAllowed, NotFound
from estate.models import AttitudeChange
from estate.tests.factories import PersonFactory, UnitFactory
from reports import services
from reports.models import MonthlyReview
from reports.selectors import Scope
from reports.tests.test_monthly import NOW, at
from reports.tests.test_monthly import november as november  # a fixture
from tickets.tests.factories import TicketFactory
from visits.models import ReturnVisit, VisitRecord

pytestmark = pytest.mark.django_db
URL = reverse("reports:monthly")
SAVE = reverse("reports:review_save")


def get(client, url=URL, **params):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, params)


def post(client, data, *, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    with time_machine.travel(NOW, tick=False):
        return client.post(SAVE, data, headers=headers)


def scope_of(community):
    return f"community:{community.id}"


def text(response) -> str:
    return response.content.decode()


def figure(html: str, name: str) -> str:
    m = re.search(rf'id="fig-{name}">([^<]*)<', html)
    assert m, name
    return m.group(1)


def finding_key(kind, ident, category, by="unit"):
    if kind == "unqualified":
        return f"unqualified:{ident}"
    return f"{kind}:{by}:{ident}:{category}"


# ---- the page ------------------------------------------------------------------------------


def test_page_shows_the_hand_counted_figures(client, office_manager, community, november):
    tickets, visits, u1, _u2 = november
    client.force_login(office_manager)
    r = get(client, month="2026-11", scope=scope_of(community))
    assert r.status_code == 200
    html = text(r)
    assert figure(html, "tickets") == "10"
    assert figure(html, "on-time") == "75%"  # 6 on time of 8 judged
    assert figure(html, "required") == "3"
    assert figure(html, "done") == "2"
    assert figure(html, "visits-on-time") == "1"
    assert figure(html, "satisfaction") == "3.5"  # the corrected record counts
    # The three findings, their tickets linked to the ticket page.
    v2 = visits["v2"]
    assert f'id="finding-unqualified-{v2.id}"' in html
    assert f'id="finding-repeat_complaint-unit-{u1.id}-water"' in html
    assert f'id="finding-repeat_repair-unit-{u1.id}-water"' in html
    for key in ("t1", "t2", "r1", "r2", "r3"):
        t = tickets[key]
        assert f'href="{reverse("tickets:detail", args=[t.id])}">{t.number}</a>' in html
    assert "3-1-101" in html and "王芳" in html and "仍漏水" in html
    # No electricity finding: two repairs are one short of the default three.
    assert "repeat_repair-unit-" + str(_u2.id) not in html


def test_page_charts_are_accessible_svg_with_numbers(client, office_manager, community, november):
    client.force_login(office_manager)
    html = text(get(client, month="2026-11", scope=scope_of(community)))
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 6
    for svg in svgs:
        assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    # Bars carry their numbers and Chinese labels (kinds in the page's language).
    kinds = svgs[0]
    assert "报修" in kinds and ">5</text>" in kinds and ">3</text>" in kinds
    rates = svgs[3]
    assert ">75%</text>" in rates and ">100%</text>" in rates  # complaint visits all done
    satisfaction = svgs[4]
    assert ">3.5</text>" in satisfaction
    assert "<script" not in html.split("<main", 1)[1]


def test_page_defaults_to_last_month_and_the_users_office(
    client, office_manager, office, community, november
):
    client.force_login(office_manager)
    r = get(client)
    assert r.status_code == 200
    html = text(r)
    assert f'<option value="office:{office.id}" selected>' in html
    assert '<option value="2026-11" selected>' in html
    assert figure(html, "tickets") == "10"
    assert '<option value="company"' not in html  # not a company-wide role


def test_company_scope_for_company_wide_roles_only(
    client, company_admin, office_manager, community, november
):
    client.force_login(company_admin)
    r = get(client)
    assert r.status_code == 200
    assert '<option value="company" selected>' in text(r)
    assert figure(text(r), "tickets") == "10"
    client.force_login(office_manager)
    assert get(client, scope="company").status_code == 404


def test_anonymous_is_sent_to_login(client, community):
    for url in (URL, reverse("reports:monthly_pdf"), reverse("reports:monthly_xlsx")):
        r = get(client, url, scope=scope_of(community))
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
    r = post(client, {"scope": scope_of(community), "month": "2026-11"})
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_another_offices_community_is_not_found(client, office2_manager, community, november):
    client.force_login(office2_manager)
    assert get(client, scope=scope_of(community)).status_code == 404
    assert get(client, scope=f"office:{community.office_id}").status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"scope": "community:999999"},
        {"scope": "community:abc"},
        {"scope": "street:1"},
        {"month": "2026-13"},
        {"month": "November"},
    ],
)
def test_malformed_or_unknown_scope_or_month_is_not_found(client, office_manager, params):
    client.force_login(office_manager)
    assert get(client, **params).status_code == 404


def test_another_company_sees_nothing(client, other_company_admin, community):
    client.force_login(other_company_admin)
    assert get(client, scope=scope_of(community)).status_code == 404


# ---- proposals -------------------------------------------------------------------------------


def proposal_data(community, key, proposal, seen=""):
    return {
        "month": "2026-11",
        "scope": scope_of(community),
        "finding": key,
        "proposal": proposal,
        "seen": seen,
    }


def test_saving_a_proposal_stores_it_and_re_renders_the_finding(
    client, office_manager, community, company, november
):
    _tickets, _visits, u1, _u2 = november
    client.force_login(office_manager)
    key = finding_key("repeat_repair", u1.id, "water")
    r = post(
        client, proposal_data(community, key, "更换3-1-101进户总阀，工程部本周完成。"), htmx=True
    )
    assert r.status_code == 200
    review = MonthlyReview.objects.get(company=company, finding=key)
    assert review.scope == scope_of(community) and review.month == "2026-11"
    assert review.proposal == "更换3-1-101进户总阀，工程部本周完成。"
    assert review.updated_by == office_manager
    html = text(r)
    assert html.lstrip().startswith("<article")  # only the finding, for htmx to swap
    assert f'id="finding-repeat_repair-unit-{u1.id}-water"' in html
    assert "更换3-1-101进户总阀" in html and str(office_manager) in html
    assert f'name="seen" value="{review.updated_at.isoformat()}"' in html
    # The page shows it too, with who saved it.
    page = text(get(client, month="2026-11", scope=scope_of(community)))
    assert "更换3-1-101进户总阀" in page


def test_saving_without_htmx_redirects_back_to_the_finding(client, supervisor, community, november):
    _tickets, visits, _u1, _u2 = november
    client.force_login(supervisor)
    key = finding_key("unqualified", visits["v2"].id, None)
    r = post(client, proposal_data(community, key, "再次上门检修并由主管复核。"))
    assert r.status_code == 302
    assert r["Location"].endswith(f"#finding-unqualified-{visits['v2'].id}")
    assert "scope=community%3A" in r["Location"] and "month=2026-11" in r["Location"]
    assert MonthlyReview.objects.get(finding=key).updated_by == supervisor


def test_a_role_that_may_not_write_proposals_is_refused(client, receptionist, community, november):
    _tickets, _visits, u1, _u2 = november
    client.force_login(receptionist)
    page = text(get(client, month="2026-11", scope=scope_of(community)))
    assert "<textarea" not in page and 'class="proposal-view"' in page
    key = finding_key("repeat_repair", u1.id, "water")
    r = post(client, proposal_data(community, key, "不该保存"), htmx=True)
    assert r.status_code == 403
    assert not MonthlyReview.objects.exists()


def test_proposal_for_another_offices_community_is_not_found(
    client, office2_manager, community, november
):
    _tickets, _visits, u1, _u2 = november
    client.force_login(office2_manager)
    key = finding_key("repeat_repair", u1.id, "water")
    assert post(client, proposal_data(community, key, "越权")).status_code == 404
    assert not MonthlyReview.objects.exists()


def test_proposal_for_a_finding_not_in_the_report_is_not_found(
    client, office_manager, community, november
):
    _tickets, _visits, _u1, u2 = november
    client.force_login(office_manager)
    # Two electricity repairs at u2: not a finding under the default threshold of three.
    key = finding_key("repeat_repair", u2.id, "electricity")
    assert post(client, proposal_data(community, key, "x")).status_code == 404
    assert post(client, proposal_data(community, "drop table", "x")).status_code == 404


def test_a_newer_proposal_is_not_overwritten_unseen(
    client, office_manager, supervisor, community, company, november
):
    _tickets, _visits, u1, _u2 = november
    key = finding_key("repeat_complaint", u1.id, "water")
    client.force_login(supervisor)
    assert post(client, proposal_data(community, key, "主管的建议"), htmx=True).status_code == 200
    # The manager opened the page before the supervisor saved (seen = nothing saved yet).
    client.force_login(office_manager)
    r = post(client, proposal_data(community, key, "经理的建议"), htmx=True)
    assert r.status_code == 200  # htmx swaps only 2xx: the refusal shows in the finding
    html = text(r)
    assert "主管的建议" in html and "经理的建议" in html and 'role="alert"' in html
    assert MonthlyReview.objects.get(finding=key).proposal == "主管的建议"
    # Saving again from what is now shown goes through.
    seen = MonthlyReview.objects.get(finding=key).updated_at.isoformat()
    r = post(client, proposal_data(community, key, "合并后的建议", seen=seen), htmx=True)
    assert r.status_code == 200
    assert MonthlyReview.objects.get(finding=key).proposal == "合并后的建议"


def test_a_too_long_proposal_is_shown_back_with_the_error(
    client, office_manager, community, november
):
    _tickets, _visits, u1, _u2 = november
    client.force_login(office_manager)
    key = finding_key("repeat_repair", u1.id, "water")
    r = post(client, proposal_data(community, key, "长" * 4001), htmx=True)
    assert r.status_code == 200 and 'role="alert"' in text(r) and "长" * 100 in text(r)
    assert not MonthlyReview.objects.exists()


def test_service_checks_role_and_scope(
    office_manager, office2_manager, receptionist, company, community
):
    key = "repeat_repair:unit:1:water"
    kwargs = {"company": company, "month": "2026-11", "finding": key, "proposal": "x"}
    with pytest.raises(NotAllowed):
        services.review_save(actor=receptionist, scope=Scope(community=community.id), **kwargs)
    with pytest.raises(NotFound):
        services.review_save(actor=office2_manager, scope=Scope(community=community.id), **kwargs)
    with pytest.raises(NotFound):  # the whole company is for company-wide roles
        services.review_save(actor=office_manager, scope="company", **kwargs)
    review = services.review_save(actor=office_manager, scope=scope_of(community), **kwargs)
    again = services.review_save(
        actor=office_manager, scope=Scope(community=community.id), **{**kwargs, "proposal": "y"}
    )
    assert again.id == review.id and again.proposal == "y"


# ---- the number of queries does not grow with the month's tickets -----------------------------


def add_month(community, office_manager, n):
    """n more units, each with two water complaints, three water repairs, an unqualified
    visit and an attitude change: every finding list and chart grows with n."""
    building = community.buildings.first()
    rule_visit = ReturnVisit.objects.filter(ticket__community=community).first()
    for i in range(n):
        unit = UnitFactory(building=building, number=f"9-1-{i + 1:03d}")
        person = PersonFactory(office=community.office, name=f"业主{i}", units=[unit])
        made = []
        for k, (kind, category) in enumerate(
            [("complaint", "water"), ("complaint", "water")]
            + [("repair", "water")] * 3
            + [("inquiry", "fees")]
        ):
            made.append(
                TicketFactory(
                    community=community,
                    unit=unit,
                    person=person,
                    kind=kind,
                    category=category,
                    channel="wechat" if k % 2 else "walk_in",
                    received_at=at(3 + k),
                    due_at=at(5 + k),
                    resolved_at=at(4 + k),
                    status="resolved",
                )
            )
        visit = ReturnVisit.objects.create(
            company=community.company,
            office=community.office,
            ticket=made[0],
            rule=rule_visit.rule,
            person=person,
            unit=unit,
            due_from=at(4),
            due_by=at(7),
            period="2026-11",
            done_at=at(6),
            qualified=False,
        )
        VisitRecord.objects.create(
            visit=visit,
            method="phone",
            visited_at=at(6),
            satisfaction=2,
            qualified=False,
            recorded_by=office_manager,
        )
        AttitudeChange.objects.create(person=person, previous="neutral", attitude="adverse")
        MonthlyReview.objects.create(
            company=community.company,
            scope=scope_of(community),
            month="2026-11",
            finding=f"repeat_repair:unit:{unit.id}:water",
            proposal="建议",
            updated_by=office_manager,
        )


@pytest.mark.parametrize("extra", [0, 12])
def test_page_queries_do_not_grow_with_the_tickets(
    client, office_manager, community, november, extra, django_assert_max_num_queries
):
    add_month(community, office_manager, extra)
    client.force_login(office_manager)
    with django_assert_max_num_queries(30):
        r = get(client, month="2026-11", scope=scope_of(community))
    assert r.status_code == 200
    assert figure(text(r), "tickets") == str(10 + 6 * extra)
    assert text(r).count('class="card finding') == 3 + 3 * extra


# ---- the Chinese catalogue -------------------------------------------------------------------


REPORTS = Path(__file__).resolve().parent.parent
MSGID = re.compile(r'^msgid "(.*)"$|^"(.*)"$', re.M)


def _catalogue(path: Path) -> set[str]:
    ids, current, in_id = set(), None, False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, in_id = line[7:-1], True
        elif line.startswith('"') and in_id:
            current += line[1:-1]
        else:
            if in_id and current:
                ids.add(current.encode().decode("unicode_escape").encode("latin-1").decode())
            in_id = False
    return ids


def test_every_msgid_of_the_pages_has_chinese():
    known = _catalogue(REPORTS.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    used = set()
    for path in (REPORTS / "templates" / "reports").glob("*.html"):
        used |= set(re.findall(r'{% translate "([^"]+)"', path.read_text()))
        used |= set(re.findall(r"{% translate '([^']+)'", path.read_text()))
    for name in ("views.py", "charts.py", "forms.py", "services.py"):
        source = (REPORTS / name).read_text()
        used |= set(re.findall(r'(?<![\w.])_\(\s*"([^"]+)"', source))
        used |= set(re.findall(r'pgettext_lazy\("[^"]+", "([^"]+)"\)', source))
    missing = sorted(used - known)
    assert not missing, missing


def test_the_deadline_of_an_open_ticket_is_judged_at_request_time(
    client, office_manager, community, november
):
    # i1 (received 30 Nov 23:30) is due 1 Dec 23:30: on 2 Dec it is late, 6 of 9 on time.
    client.force_login(office_manager)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        html = text(client.get(URL, {"month": "2026-11", "scope": scope_of(community)}))
    assert figure(html, "on-time") == "66.7%"
