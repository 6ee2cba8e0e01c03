"""Registering a user's own model with Driftwatch: the uploaded model, its reference dataset,
and the feature schema taken from (or checked against) that reference, ready for monitoring."""
