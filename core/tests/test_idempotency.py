import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from core.models import IdempotencyRecord
from estate.models import Person

pytestmark = pytest.mark.django_db


def _create(client, unit, name="陈静", key="k-1"):
    return client.post(
        "/api/v1/people",
        {"name": name, "phones": [], "units": [{"unit": unit.id, "relation": "owner"}]},
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_same_key_same_body_replays_and_creates_nothing_new(api_client_for, receptionist, unit):
    client = api_client_for(receptionist)
    first = _create(client, unit)
    second = _create(client, unit)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Person.objects.filter(name="陈静").count() == 1


def test_same_key_other_body_is_422(api_client_for, receptionist, unit):
    client = api_client_for(receptionist)
    assert _create(client, unit).status_code == 201
    r = _create(client, unit, name="别人")
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "idempotency_key_reused"
    assert not Person.objects.filter(name="别人").exists()


def test_same_json_in_another_key_order_or_spacing_is_the_same_request(
    api_client_for, receptionist, unit
):
    client = api_client_for(receptionist)
    units = [{"relation": "owner", "unit": unit.id}]
    compact = json.dumps({"name": "陈静", "phones": [], "units": units}, ensure_ascii=False)
    spaced = json.dumps({"units": units, "phones": [], "name": "陈静"}, indent=2)
    first = client.post("/api/v1/people", compact, HTTP_IDEMPOTENCY_KEY="k-json")
    again = client.post("/api/v1/people", spaced, HTTP_IDEMPOTENCY_KEY="k-json")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.filter(name="陈静").count() == 1


def test_retry_while_first_is_running_is_409(api_client_for, receptionist, unit):
    client = api_client_for(receptionist)
    # The first request has claimed the key and not finished (as a concurrent one would).
    from django.test import RequestFactory

    from core.idempotency import request_fingerprint

    body = {"name": "陈静", "phones": [], "units": [{"unit": unit.id, "relation": "owner"}]}
    probe = RequestFactory().post("/api/v1/people", body, content_type="application/json")
    IdempotencyRecord.objects.create(
        user=receptionist,
        key="k-1",
        method="POST",
        path="/api/v1/people",
        request_hash=request_fingerprint(probe),
    )
    r = client.post("/api/v1/people", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert r.status_code == 409
    assert not Person.objects.filter(name="陈静").exists()


def test_keys_are_scoped_to_the_caller(api_client_for, receptionist, hotline_agent, unit):
    first = _create(api_client_for(receptionist), unit)
    other = _create(api_client_for(hotline_agent), unit)
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]


def test_errors_are_replayed_too_but_not_server_errors(api_client_for, quality, unit):
    client = api_client_for(quality)  # may not create people: 403
    assert _create(client, unit).status_code == 403
    assert _create(client, unit).status_code == 403
    assert IdempotencyRecord.objects.get().status_code == 403


def test_keys_expire_after_retention(api_client_for, receptionist, unit, settings):
    client = api_client_for(receptionist)
    assert _create(client, unit).status_code == 201
    with time_machine.travel(
        timezone.now() + timedelta(hours=settings.OWNERDESK["IDEMPOTENCY_TTL_HOURS"] + 1)
    ):
        again = _create(client, unit, name="别人")
    assert again.status_code == 201  # an expired key is free again


def test_kept_at_least_24_hours(api_client_for, receptionist, unit):
    client = api_client_for(receptionist)
    assert _create(client, unit).status_code == 201
    with time_machine.travel(timezone.now() + timedelta(hours=24)):
        assert _create(client, unit, name="别人").status_code == 422


def test_prune_command_deletes_old_records(api_client_for, receptionist, unit):
    from django.core.management import call_command

    _create(api_client_for(receptionist), unit)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=3))
    call_command("prune_idempotency_keys")
    assert not IdempotencyRecord.objects.exists()


def test_without_key_every_post_acts(api_client_for, receptionist, unit):
    client = api_client_for(receptionist)
    body = {"name": "陈静", "phones": [], "units": [{"unit": unit.id, "relation": "owner"}]}
    client.post("/api/v1/people", body)
    client.post("/api/v1/people", body)
    assert Person.objects.filter(name="陈静").count() == 2


def test_unknown_api_path_and_wrong_method_answer_in_the_error_format(api_client_for, receptionist):
    client = api_client_for(receptionist)
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.patch("/api/v1/tickets", {})
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
    assert "POST" in r["Allow"]
