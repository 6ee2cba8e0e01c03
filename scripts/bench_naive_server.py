#!/usr/bin/env python3
"""The naive reference server scripts/bench_predict.py measures Driftwatch against.

Written the way a plain spec reads ("score a transaction with the model and store it"):
FastAPI, a pydantic model of the demo model's 13 features, the demo model's XGBoost booster
(the files ``python -m app.demo`` registers, from ``app.demo.model.trained``: read from
DEMO_CACHE_DIR, default .cache/demo, else trained there first, about 10 s) encoded the way
the backend does, a sync endpoint that scores one row and INSERTs + COMMITs it with
SQLAlchemy before answering, one uvicorn worker with default settings (access log on).
Its answer is its own: {prediction_id, fraud_probability, is_fraud, model_version}.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/naive \\
        .venv/bin/python scripts/bench_naive_server.py --port 8100
"""

from __future__ import annotations

import argparse
import hashlib
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import uvicorn
import xgboost as xgb
from fastapi import FastAPI
from pydantic import BaseModel, Field, create_model
from sqlalchemy import JSON, Boolean, DateTime, Float, String, Uuid, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from app.demo.model import trained
from driftwatch_core.db.engine import normalize_url
from driftwatch_core.encoding import encode_rows
from driftwatch_core.features import schema_from_dicts

ROOT = Path(__file__).resolve().parents[1]
TYPES: dict[str, Any] = {"float": float, "int": int, "bool": bool}

demo = trained(cache=Path(os.environ.get("DEMO_CACHE_DIR") or ROOT / ".cache" / "demo"))
booster = xgb.Booster(model_file=bytearray(demo.artifact))
FEATURES = schema_from_dicts(demo.schema)
VERSION = f"demo-{hashlib.sha256(demo.artifact).hexdigest()[:8]}"

# Every feature required, typed and bounded as the schema says; a category outside its list is a 422.
Transaction: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "Transaction",
    **{
        f.name: (
            Literal[f.categories] if f.kind == "categorical" else TYPES[f.dtype],
            Field(ge=f.minimum, le=f.maximum),
        )
        for f in FEATURES
    },
)


class Base(DeclarativeBase):
    pass


class NaivePrediction(Base):
    __tablename__ = "naive_predictions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    model_version: Mapped[str] = mapped_column(String(64))
    features: Mapped[dict] = mapped_column(JSON)
    probability: Mapped[float] = mapped_column(Float)
    is_fraud: Mapped[bool] = mapped_column(Boolean)


# SQLAlchemy's default pool (5 kept, 10 more opened and closed as needed); NAIVE_POOL_SIZE=16 keeps 16.
pool = {"pool_size": int(os.environ["NAIVE_POOL_SIZE"])} if os.environ.get("NAIVE_POOL_SIZE") else {}
engine = create_engine(normalize_url(os.environ["DATABASE_URL"]), **pool)
Base.metadata.create_all(engine)
app = FastAPI(title="Naive fraud scorer")


@app.get("/api/v1/ready")
def ready() -> dict:
    return {"status": "ready", "model_version": VERSION}


@app.post("/api/v1/predict")
def predict(transaction: Transaction) -> dict:  # type: ignore[valid-type]
    row = transaction.model_dump()  # type: ignore[attr-defined]
    probability = float(booster.inplace_predict(encode_rows([row], FEATURES))[0])
    answer = {
        "prediction_id": str(uuid.uuid4()),
        "fraud_probability": probability,
        "is_fraud": probability >= demo.threshold,
        "model_version": VERSION,
    }
    with Session(engine) as session:
        session.add(
            NaivePrediction(
                id=uuid.UUID(answer["prediction_id"]),
                created_at=datetime.now(UTC),
                model_version=VERSION,
                features=row,
                probability=probability,
                is_fraud=answer["is_fraud"],
            )
        )
        session.commit()
    return answer


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port)
