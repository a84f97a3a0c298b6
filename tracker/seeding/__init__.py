"""The plan catalogue: read, validated and loaded from the TOML files in `seed/`."""
