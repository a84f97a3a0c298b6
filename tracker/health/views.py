from __future__ import annotations

import time

import sqlalchemy as sa
from flask import current_app, jsonify

from ..extensions import db
from . import bp


@bp.get("/healthz")
def healthz():
    """200 with the database's answer time, 503 when it does not answer. No login, no session, no page: a load
    balancer asks every few seconds, and the answer must cost next to nothing."""
    started = time.perf_counter()
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        # The cause goes to the log, never to an unauthenticated caller.
        current_app.logger.warning("health check: the database did not answer: %s", error.__class__.__name__)
        response = jsonify(status="unavailable", database="unreachable")
        response.status_code = 503
    else:
        response = jsonify(status="ok", database="ok",
                           database_ms=round((time.perf_counter() - started) * 1000, 2))
    response.headers["Cache-Control"] = "no-store"
    return response
