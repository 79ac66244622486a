import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens there


def test_healthz_reports_database_and_broker_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_naming_the_broker_when_it_is_down(client):
    with override_settings(REDIS_URL=DEAD_REDIS):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"database": "ok", "broker": "down"}


def test_healthz_answers_503_naming_the_database_when_it_is_down(client, monkeypatch):
    from django.db import connection

    def refuse(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_healthz_without_redis_reports_tasks_in_process(client):
    with override_settings(REDIS_URL=""):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["broker"] == "in-process"


def test_healthz_refuses_other_methods(client):
    assert client.post("/healthz").status_code == 405
