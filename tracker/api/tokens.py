"""The token rules live in tracker.tokens.services; this name stays for code that imported them from here."""
from ..tokens.services import issue_token, revoke_tokens, user_for_token, user_tokens  # noqa: F401
