"""Driftwatch monitoring worker: drift, performance and alerts every cycle."""
