"""Driftwatch traffic simulator: paced transactions, drift scenarios, delayed labels."""
