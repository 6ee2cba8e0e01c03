"""Write the backend's OpenAPI document, the dashboard's typed contract, to a file.

    .venv/bin/python scripts/export_openapi.py [OUT]     (default frontend/src/api/openapi.json)
    cd frontend && npm run gen:api                       (then: src/api/schema.d.ts from it)

The document comes from ``create_app`` in backend/app/main.py, in process: no
server, database or model is needed. It is the document of the default settings
whatever the environment says (``REQUIRE_AUTH_FOR_READS`` changes the documented
statuses, for one), written with sorted keys and a final newline, so the same
backend always gives the same bytes. ``backend/tests/test_frontend_contract.py``
fails when the committed files no longer match the backend.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "frontend" / "src" / "api" / "openapi.json"
REGENERATE = ".venv/bin/python scripts/export_openapi.py && (cd frontend && npm run gen:api)"


def openapi_document() -> dict:
    """The OpenAPI document of the backend app built with its default settings."""
    from app.core.config import Settings
    from app.main import create_app

    class DefaultSettings(Settings):
        @classmethod
        def settings_customise_sources(cls, settings_cls, init_settings, **sources):
            return (init_settings,)  # the defaults only: no environment, no files

    return create_app(DefaultSettings()).openapi()


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "out",
        nargs="?",
        type=Path,
        default=DEFAULT_OUT,
        help=f"where to write it (default {DEFAULT_OUT.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)  # importing the app warns about unset keys; irrelevant here
    text = render(openapi_document())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    logging.disable(logging.NOTSET)
    print(f"wrote {args.out} ({len(text):,} bytes); then: cd frontend && npm run gen:api")
    return 0


if __name__ == "__main__":
    sys.exit(main())
