"""Value types the shared models use.

- ``WholeInt``: an integer as JSON Schema means it: ``5`` and ``5.0`` are
  integers; ``5.5``, ``"5"`` and ``true`` are not. Use with ``strict=True``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator


def _whole_number(value: Any) -> Any:
    # bool is an int subclass but never a float, so true stays refused by strict int.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeInt = Annotated[int, BeforeValidator(_whole_number)]
