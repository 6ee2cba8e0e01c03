#!/bin/sh
# Train the model into the shared volume on first start, then run the service
# (which upgrades the database schema itself before it reports ready).
set -eu
if [ ! -f "$MODEL_DIR/LATEST" ]; then
  echo "no model in $MODEL_DIR: training one (about 10 s)"
  python -m app.ml.train --model-dir "$MODEL_DIR"
fi
exec "$@"
