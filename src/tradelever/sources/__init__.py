"""Readers that turn real external formats into the canonical tables, validating as they go."""
