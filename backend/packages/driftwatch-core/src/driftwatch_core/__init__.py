"""Driftwatch's shared core: what the backend, the monitoring worker and the traffic
simulator all need, in one installed package (never shared by path).

- ``features``: the fraud model's feature schema (names, kinds, ranges, categories)
- ``generator``: the synthetic transaction generator and its drift knobs
- ``scenarios``: the simulator's scenario catalogue and its control models
- ``reference``: the one binning of reference and live data (extra ``reference``)
- ``artifacts``: versioned model folders on disk (booster, metadata, reference)
- ``defaults``: where a service keeps its data when nothing says otherwise
- ``db``: the database models, engine helpers and Alembic migrations (extra ``db``)

The core depends on NumPy and pydantic only; the extras add what their
subpackages import, so the simulator's image carries no database driver.
"""
