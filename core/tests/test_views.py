"""The UI shell: login and logout, the home page, the navigation, languages, error pages."""

import pytest
from django.urls import reverse

from org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_is_public_and_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "业主服务台" in html
    assert "OwnerDesk" in html
    assert "登录" in html
    assert 'lang="zh-hans"' in html


def test_login_leads_home(client, receptionist):
    response = client.post(
        reverse("login"), {"username": receptionist.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_login_with_a_wrong_password_is_refused(client, receptionist):
    response = client.post(reverse("login"), {"username": receptionist.username, "password": "x"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(client, receptionist):
    client.force_login(receptionist)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert "_auth_user_id" not in client.session


def test_home_needs_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_home_greets_with_name_roles_offices_and_counts(client, receptionist, owner):
    client.force_login(receptionist)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert receptionist.name in html
    assert "前台" in html  # the role's label
    assert "翠湖物业服务处" in html
    assert response.context["community_count"] == 1
    assert response.context["unit_count"] == 1
    assert response.context["person_count"] == 1
    assert 'name="q"' in html  # the quick search


def test_home_counts_only_what_the_user_may_see(client, office2_manager, owner, person_in_office2):
    client.force_login(office2_manager)
    response = client.get(reverse("home"))
    assert response.context["community_count"] == 1
    assert response.context["person_count"] == 1
    assert "锦绣物业服务处" in response.content.decode()
    assert "翠湖物业服务处" not in response.content.decode()


def test_navigation_links_installed_areas_and_marks_the_rest_coming_soon(client, receptionist):
    from core.context_processors import _url

    client.force_login(receptionist)
    response = client.get(reverse("estate:person_list"))
    items = {item.key: item for item in response.context["nav_items"]}
    assert items["people"].active
    assert not items["home"].active
    assert items["tickets"].url == reverse("tickets:list")
    html = response.content.decode()
    assert "工单" in html
    assert _url("no_such_area:index") is None  # an area not installed shows as coming soon
    assert {
        i.key for i in client.get(reverse("tickets:list")).context["nav_items"] if i.active
    } == {"tickets"}
    # Roster import is for managers; Admin for company admins.
    assert "roster" not in items
    assert reverse("admin:index") not in html


def test_managers_see_roster_import_and_admins_the_admin_link(
    client, office_manager, company_admin
):
    client.force_login(office_manager)
    items = {i.key for i in client.get(reverse("home")).context["nav_items"]}
    assert "roster" in items
    client.force_login(company_admin)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()


def test_language_switch_to_english(client, receptionist):
    client.force_login(receptionist)
    assert "小区" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in html
    assert "Communities" in html
    assert "Log out" in html
    assert "小区" not in html


def test_unknown_page_is_the_404_page(client, receptionist):
    client.force_login(receptionist)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
