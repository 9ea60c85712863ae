"""Credentials from an Airflow connection (here defined the way deployments often do: AIRFLOW_CONN_*)."""

from __future__ import annotations

import json

import pytest

from miryoku.sources.secrets import MissingSecret, secret


@pytest.fixture
def estat_connection(monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_MIRYOKU_ESTAT_TEST", json.dumps(
        {"conn_type": "http", "login": "estat-user", "password": "app-id-from-connection",
         "extra": {"app_id": "app-id-in-extra"}}))
    monkeypatch.delenv("MIRYOKU_ESTAT_APP_ID_TEST", raising=False)


def test_password_and_extra_fields_come_from_the_connection(estat_connection):
    assert secret(None, "miryoku_estat_test") == "app-id-from-connection"
    assert secret(None, "miryoku_estat_test", "app_id") == "app-id-in-extra"
    assert secret(None, "miryoku_estat_test", "login") == "estat-user"


def test_the_environment_variable_wins_over_the_connection(estat_connection, monkeypatch):
    monkeypatch.setenv("MIRYOKU_ESTAT_APP_ID_TEST", "app-id-from-env")
    assert secret("MIRYOKU_ESTAT_APP_ID_TEST", "miryoku_estat_test") == "app-id-from-env"


def test_a_missing_connection_names_where_it_was_looked_for_and_leaks_nothing(estat_connection):
    with pytest.raises(MissingSecret) as err:
        secret("MIRYOKU_ESTAT_APP_ID_TEST", "miryoku_no_such_connection")
    message = str(err.value)
    assert "MIRYOKU_ESTAT_APP_ID_TEST" in message and "miryoku_no_such_connection" in message
    assert "app-id" not in message
