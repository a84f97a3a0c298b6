"""The audit log: security-relevant events, written where they happen (services.py: record), read by admins."""
