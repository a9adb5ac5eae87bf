import pytest

pytestmark = pytest.mark.django_db


def test_open_and_end_an_incident(
    api_client_for, office_manager, office, community, building, receptionist, office2_manager
):
    body = {
        "office": office.id,
        "kind": "water",
        "title": "3号楼停水",
        "resident_text": "预计17点恢复供水",
        "communities": [community.id],
        "buildings": [building.id],
    }
    assert api_client_for(receptionist).post("/api/v1/incidents", body).status_code == 403
    assert api_client_for(office2_manager).post("/api/v1/incidents", body).status_code == 404
    client = api_client_for(office_manager)
    r = client.post("/api/v1/incidents", body)
    assert r.status_code == 201, r.content
    assert [i["id"] for i in client.get("/api/v1/incidents?open=true").json()["results"]] == [
        r.json()["id"]
    ]
    assert client.post(f"/api/v1/incidents/{r.json()['id']}/end").json()["ended_at"]
    assert client.get("/api/v1/incidents?open=true").json()["results"] == []
    assert client.post(f"/api/v1/incidents/{r.json()['id']}/end").status_code == 409
