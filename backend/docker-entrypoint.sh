#!/bin/sh
# Register the demo model (fraud) when the database has none, then run the service.
# python -m app.demo waits for the database, migrates it, trains the demo model (about
# 10 s) and registers it like any upload; on later starts it finds it and does nothing.
set -eu
python -m app.demo --if-missing
exec "$@"
