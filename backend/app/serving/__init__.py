"""Serving registered versions: load one and score it (``versions``), pick who answers a
request of a model (``router``)."""
