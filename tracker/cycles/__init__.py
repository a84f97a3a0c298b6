"""Recommendation cycles: yearly sets of recommendations, the government's responses, and which repeat earlier ones."""
