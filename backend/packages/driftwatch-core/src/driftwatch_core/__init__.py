"""Driftwatch's shared core: what the backend, the monitoring worker and the traffic
simulator all need, in one installed package (never shared by path).

- ``features``: feature schemas (names, kinds, ranges, categories) and the demo transactions' schema
- ``encoding``: rows of a schema as the float matrix a model scores
- ``generator``: the synthetic transaction generator and its drift knobs
- ``scenarios``: the simulator's scenario catalogue and its control models
- ``reference``: the one binning of reference and live data (extra ``reference``)
- ``defaults``: where a service keeps its data when nothing says otherwise
- ``db``: the database models, engine helpers and Alembic migrations (extra ``db``)

The core depends on NumPy and pydantic only; the extras add what their
subpackages import, so the simulator's image carries no database driver.
"""
