"""Backups: a consistent snapshot of the database and the uploads, checked by a manifest, and its restore."""
