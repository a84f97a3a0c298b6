"""Exports of the items: the CSV contract that other formats and imports rely on."""
