import pytest

from org.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_company_admin_sees_only_own_company_in_admin(
    client, company_admin, owner, office, other_office, other_company_admin
):
    from estate.tests.factories import PersonFactory

    PersonFactory(office=other_office, name="外人")
    client.login(username=company_admin.username, password=PASSWORD)
    assert client.get("/admin/").status_code == 200
    page = client.get("/admin/estate/person/").content.decode()
    assert "张三" in page and "外人" not in page
    offices = client.get("/admin/org/office/").content.decode()
    assert "翠湖物业服务处" in offices and "别家服务处" not in offices


def test_admin_person_fix_is_in_the_timeline(client, company_admin, owner):
    client.login(username=company_admin.username, password=PASSWORD)
    url = f"/admin/estate/person/{owner.id}/change/"
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "name": "张三丰",
            "attitude": "neutral",
            "preferred_channels": "[]",
            "phones-TOTAL_FORMS": "0",
            "phones-INITIAL_FORMS": "0",
            "unit_links-TOTAL_FORMS": "0",
            "unit_links-INITIAL_FORMS": "0",
        }
    )
    r = client.post(url, data)
    assert r.status_code == 302, r.context["adminform"].form.errors if r.context else r
    owner.refresh_from_db()
    assert owner.name == "张三丰" and owner.name_initials == "zsf"
    event = owner.events.get(kind="updated")
    assert event.changes["name"] == ["张三", "张三丰"] and event.actor == company_admin


def test_other_roles_have_no_admin(client, office_manager):
    client.login(username=office_manager.username, password=PASSWORD)
    assert client.get("/admin/").status_code == 302


def test_sms_outbox_shows_only_the_company_s_messages(
    client, company_admin, company, other_company
):
    from core.sms import send_sms

    send_sms(company_id=company.id, phone="13812345678", text="您的回访确认码:123456")
    send_sms(company_id=other_company.id, phone="13900000000", text="别家的短信")
    client.login(username=company_admin.username, password=PASSWORD)
    page = client.get("/admin/core/smsmessage/").content.decode()
    assert "123456" in page and "别家的短信" not in page
