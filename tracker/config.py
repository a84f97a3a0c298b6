"""Settings read from the environment, with safe defaults."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def normalise_database_url(url: str) -> str:
    """Name the psycopg 3 driver explicitly: a bare postgres URL would look for psycopg2."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def instance_secret_key(instance_path: str) -> str:
    """Read the key kept in the instance folder, creating it on first use."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created with owner-only permissions: it signs every session cookie.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def settings_from_environment(instance_path: str, need_secret: bool = True) -> dict:
    """Build the configuration mapping from environment variables."""
    env = os.environ
    database_url = env.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'tracker.db'}"
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or (instance_secret_key(instance_path) if need_secret else None),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "ITEMS_PER_PAGE": int(env.get("TRACKER_ITEMS_PER_PAGE", "50")),
        "SEED_DIR": env.get("TRACKER_SEED_DIR") or str(Path(__file__).resolve().parent.parent / "seed"),
        # Where `npm ci` (make install) put the front-end packages of package-lock.json: Tom Select, Bootstrap,
        # the Nastaliq font.
        "NODE_MODULES_DIR": env.get("TRACKER_NODE_MODULES")
        or str(Path(__file__).resolve().parent.parent / "node_modules"),
        "BOOTSTRAP_SERVE_LOCAL": True,
        # The message catalogues (translations/<lang>/LC_MESSAGES/messages.po, compiled by make install).
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).resolve().parent.parent / "translations"),
        # Flask-WTF asks for the request's translations of WTForms' own messages; i18n gives it ours (Urdu too).
        "WTF_I18N_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        # Logins end server-side (see auth.services.load_user): idle, and at the end of their lifetime.
        "SESSION_IDLE_MINUTES": int(env.get("TRACKER_SESSION_IDLE_MINUTES", "480")),
        "SESSION_IDLE_MINUTES_ADMIN": int(env.get("TRACKER_SESSION_IDLE_MINUTES_ADMIN", "30")),
        "SESSION_MAX_HOURS": int(env.get("TRACKER_SESSION_MAX_HOURS", "12")),
        "REMEMBER_DAYS": min(int(env.get("TRACKER_REMEMBER_DAYS", "14")), 14),
        "WTF_CSRF_TIME_LIMIT": None,
        # Reverse proxies in front of the app (nginx …) whose X-Forwarded-For is trusted: login throttling
        # counts the client's address, not the proxy's.
        "PROXY_COUNT": int(env.get("TRACKER_PROXY_COUNT", "0")),
        "SMTP_HOST": env.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": int(env.get("SMTP_PORT", "25")),
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        # Seconds to wait for the SMTP server; no answer after the message was sent makes it "uncertain".
        "SMTP_TIMEOUT": float(env.get("SMTP_TIMEOUT", "20")),
        "SMTP_STARTTLS": env.get("SMTP_STARTTLS", "0") in ("1", "true", "yes"),
        "MAIL_FROM": env.get("MAIL_FROM", "tracker@localhost"),
        "TRACKER_BASE_URL": env.get("TRACKER_BASE_URL", "http://127.0.0.1:5000"),
        "UPLOAD_DIR": env.get("TRACKER_UPLOAD_DIR") or str(Path(instance_path) / "uploads"),
        # Empty: evidence files in UPLOAD_DIR; s3://bucket/prefix: in a bucket (tracker/storage.py).
        "STORAGE_URL": env.get("TRACKER_STORAGE_URL", ""),
        # The Rapporteur's reports, as generated: kept to be downloaded again.
        "REPORT_DIR": env.get("TRACKER_REPORT_DIR") or str(Path(instance_path) / "reports"),
        "IMPORT_MAX_BYTES": int(float(env.get("TRACKER_IMPORT_MAX_MB", "5")) * 1024 * 1024),
        "UPLOAD_MAX_BYTES": int(float(env.get("TRACKER_UPLOAD_MAX_MB", "10")) * 1024 * 1024),
        # Login throttling (auth/throttle.py): free attempts per e-mail and per client address, then
        # waits doubling from the base delay up to the maximum.
        "LOGIN_FREE_ATTEMPTS": int(env.get("TRACKER_LOGIN_FREE_ATTEMPTS", "5")),
        "LOGIN_FREE_ATTEMPTS_PER_ADDRESS": int(env.get("TRACKER_LOGIN_FREE_ATTEMPTS_PER_ADDRESS", "30")),
        "LOGIN_BASE_DELAY_SECONDS": float(env.get("TRACKER_LOGIN_BASE_DELAY_SECONDS", "2")),
        "LOGIN_MAX_DELAY_SECONDS": float(env.get("TRACKER_LOGIN_MAX_DELAY_SECONDS", "900")),
        # How long the e-mailed links to set a password work (each works once): a new account's welcome link
        # (also sent by an admin's reset), and the link asked for with "Forgot your password?".
        "WELCOME_LINK_DAYS": float(env.get("TRACKER_WELCOME_LINK_DAYS", "7")),
        "RESET_LINK_HOURS": float(env.get("TRACKER_RESET_LINK_HOURS", "2")),
        # werkzeug's default (scrypt) unless set; tests choose a cheaper method.
        "PASSWORD_HASH_METHOD": env.get("TRACKER_PASSWORD_HASH_METHOD") or None,
    }
