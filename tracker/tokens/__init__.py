"""API tokens: the rules for making, using and revoking them (services.py)."""
