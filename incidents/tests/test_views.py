"""The incident pages: list, the form that opens one, the page with its "end" button.
Each has its positive test and its refusals."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from estate.tests.factories import BuildingFactory
from incidents.models import Incident
from incidents.services import incident_open

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
HTMX = {"HX-Request": "true"}


def html(response) -> str:
    return response.content.decode()


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def incident(office_manager, office, community, building):
    return incident_open(
        actor=office_manager,
        office=office,
        kind="water",
        title="3号楼停水",
        resident_text="因管道抢修，3号楼今天17点前停水，请提前储水。",
        communities=[community],
        buildings=[building],
    )


def form_data(office, community, **extra):
    data = {
        "office": office.id,
        "kind": "power",
        "title": "翠湖花园计划停电",
        "communities": [community.id],
        "started_at": "2026-08-01T09:00",
        "expected_end_at": "2026-08-01T13:30",
        "resident_text": "供电局检修线路，8月1日9点至13点半停电，电梯暂停使用。",
    }
    data.update(extra)
    return data


def test_pages_need_a_login(client, incident):
    for url in (
        reverse("incidents:list"),
        reverse("incidents:create"),
        reverse("incidents:detail", args=[incident.id]),
    ):
        assert_login_redirect(client.get(url))
    assert_login_redirect(client.post(reverse("incidents:end", args=[incident.id])))


def test_list_shows_open_and_ended(client, receptionist, incident, office_manager):
    client.force_login(receptionist)
    r = client.get(reverse("incidents:list"))
    assert r.status_code == 200
    assert f'id="incident-{incident.id}"' in html(r) and "3号楼" in html(r)
    assert 'class="tab-count">1<' in html(r)
    assert f'id="incident-{incident.id}"' not in html(
        client.get(reverse("incidents:list"), {"state": "ended"})
    )
    incident.ended_at = incident.started_at
    incident.save()
    assert f'id="incident-{incident.id}"' in html(
        client.get(reverse("incidents:list"), {"state": "ended"})
    )
    assert f'id="incident-{incident.id}"' not in html(client.get(reverse("incidents:list")))


def test_another_office_sees_nothing(client, office2_manager, incident):
    client.force_login(office2_manager)
    assert f'id="incident-{incident.id}"' not in html(client.get(reverse("incidents:list")))
    assert client.get(reverse("incidents:detail", args=[incident.id])).status_code == 404
    assert client.post(reverse("incidents:end", args=[incident.id])).status_code == 404
    incident.refresh_from_db()
    assert incident.ended_at is None


def test_create_form_offers_the_office_communities_and_says_the_hotline_reads_it(
    client, office_manager, community, community2, building
):
    client.force_login(office_manager)
    r = client.get(reverse("incidents:create"))
    assert r.status_code == 200
    page = html(r)
    assert community.name in page and community2.name not in page
    # the office's only community is ticked, so its buildings are offered
    assert f'value="{community.id}"' in page and building.name in page
    assert "hotline" in page.lower() or "热线" in page
    assert 'name="resident_text"' in page
    # choosing communities re-renders their buildings (htmx)
    r = client.get(
        reverse("incidents:create"),
        {"part": "buildings", "office": community.office_id, "communities": [community.id]},
        headers=HTMX,
    )
    assert r.status_code == 200 and html(r).lstrip().startswith('<div id="buildings">')
    assert f'value="{building.id}"' in html(r)


def test_create_through_the_form(client, office_manager, office, community, building):
    other = BuildingFactory(community=community, name="5号楼")
    client.force_login(office_manager)
    r = client.post(
        reverse("incidents:create"), form_data(office, community, buildings=[building.id])
    )
    assert r.status_code == 302
    incident = Incident.objects.get()
    assert r["Location"] == reverse("incidents:detail", args=[incident.id])
    assert (incident.kind, incident.created_by) == ("power", office_manager)
    assert list(incident.communities.all()) == [community]
    assert list(incident.buildings.all()) == [building] and other not in incident.buildings.all()
    assert incident.started_at == datetime(2026, 8, 1, 9, 0, tzinfo=SH)  # company time
    assert incident.expected_end_at == datetime(2026, 8, 1, 13, 30, tzinfo=SH)
    page = html(client.get(r["Location"]))
    assert incident.resident_text in page and 'id="end-incident"' in page


def test_create_errors_stay_on_the_form(
    client, office_manager, company_admin, office, office2, community, community2
):
    # a company admin sees both offices: another office's community is a form error
    client.force_login(company_admin)
    r = client.post(reverse("incidents:create"), form_data(office, community2))
    assert r.status_code == 400 and "has-error" in html(r)
    client.force_login(office_manager)
    r = client.post(reverse("incidents:create"), form_data(office, community, resident_text=""))
    assert r.status_code == 400
    r = client.post(
        reverse("incidents:create"),
        form_data(office, community, expected_end_at="2026-08-01T08:00"),
    )
    assert r.status_code == 400
    assert not Incident.objects.exists()


def test_another_office_is_not_found_on_the_form(
    client, office_manager, company_admin, office, office2, community, community2
):
    client.force_login(office_manager)
    assert (
        client.post(reverse("incidents:create"), form_data(office2, community2)).status_code == 404
    )
    assert (
        client.post(reverse("incidents:create"), form_data(office, community2)).status_code == 404
    )
    other_building = BuildingFactory(community=community2, name="9号楼")
    data = form_data(office, community, buildings=[other_building.id])
    assert client.post(reverse("incidents:create"), data).status_code == 404
    assert not Incident.objects.exists()
    # the company admin switches offices: the area part offers that office's communities
    client.force_login(company_admin)
    r = client.get(
        reverse("incidents:create"), {"part": "area", "office": office2.id}, headers=HTMX
    )
    assert r.status_code == 200 and html(r).lstrip().startswith('<div id="area">')
    assert community2.name in html(r) and community.name not in html(r)


def test_create_refused_to_roles_that_may_not(
    client, receptionist, hotline_agent, office, community
):
    for user in (receptionist, hotline_agent):
        client.force_login(user)
        assert reverse("incidents:create") not in html(client.get(reverse("incidents:list")))
        assert client.get(reverse("incidents:create")).status_code == 403
        assert (
            client.post(reverse("incidents:create"), form_data(office, community)).status_code
            == 403
        )
    assert not Incident.objects.exists()


def test_end_through_the_page(client, supervisor, incident):
    client.force_login(supervisor)
    r = client.post(reverse("incidents:end", args=[incident.id]))
    assert r.status_code == 302
    incident.refresh_from_db()
    assert incident.ended_at is not None
    page = html(client.get(reverse("incidents:detail", args=[incident.id])))
    assert 'id="end-incident"' not in page
    # ending twice: a message, nothing changes
    ended = incident.ended_at
    r = client.post(reverse("incidents:end", args=[incident.id]), follow=True)
    assert r.status_code == 200 and 'class="message error"' in html(r)
    incident.refresh_from_db()
    assert incident.ended_at == ended


def test_end_refused_to_roles_that_may_not(client, receptionist, incident):
    client.force_login(receptionist)
    page = html(client.get(reverse("incidents:detail", args=[incident.id])))
    assert incident.resident_text in page and 'id="end-incident"' not in page
    assert client.post(reverse("incidents:end", args=[incident.id])).status_code == 403
    incident.refresh_from_db()
    assert incident.ended_at is None
