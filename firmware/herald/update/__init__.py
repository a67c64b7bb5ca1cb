"""Signed A/B firmware updates: RAUC client, bundle policy, health gate, rollback."""
