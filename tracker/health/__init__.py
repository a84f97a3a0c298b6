"""`GET /healthz`: whether this web worker can reach its database, for load balancers and monitors."""
from flask import Blueprint

bp = Blueprint("health", __name__)

from . import views  # noqa: E402,F401
