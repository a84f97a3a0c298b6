"""`GET /healthz`: the database's answer time for load balancers, 503 when the database is down."""
from __future__ import annotations

from conftest import TEST_DATABASE_URL, make_app


def test_healthz_answers_without_a_login_with_the_database_answer_time(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert isinstance(body["database_ms"], float) and body["database_ms"] >= 0
    assert response.headers["Cache-Control"] == "no-store"
    # A monitor asking every few seconds starts no session.
    assert "Set-Cookie" not in response.headers


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    # On PostgreSQL a server nobody listens for (port 1); on SQLite a file in a folder that does not exist.
    down = ("postgresql+psycopg://tracker:tracker@127.0.0.1:1/absent?connect_timeout=2" if TEST_DATABASE_URL
            else f"sqlite:///{tmp_path / 'absent' / 'tracker.db'}")
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=down)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unreachable"}
    assert "absent" not in response.get_data(as_text=True)
