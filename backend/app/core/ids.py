"""Prediction ids: UUIDv7 (RFC 9562), time-ordered, made in batches.

A UUIDv7 starts with the Unix time in milliseconds, so ids made together sit
together in the primary key's index (a random UUIDv4 lands anywhere in it, and
each insert touches another page), and an id tells roughly when it was made.
The 74 random bits come from one ``os.urandom`` call per batch rather than one
per id, which is most of what ``uuid.uuid4`` costs.
"""

from __future__ import annotations

import os
import time
import uuid

_VERSION_AND_VARIANT = (0x7 << 76) | (0b10 << 62)
_RAND_A = (1 << 12) - 1
_RAND_B = (1 << 62) - 1
_SAFE = uuid.SafeUUID.unknown


def _from_int(value: int) -> uuid.UUID:
    """A UUID of a value known to be a valid 128-bit UUIDv7, without ``UUID.__init__``'s
    argument checks (what Python 3.14's own ``uuid.uuid7`` does, via ``UUID._from_int``)."""
    made = object.__new__(uuid.UUID)
    object.__setattr__(made, "int", value)
    object.__setattr__(made, "is_safe", _SAFE)
    return made


def uuid7s(n: int) -> list[uuid.UUID]:
    """``n`` UUIDv7s of the current millisecond."""
    stamp = (time.time_ns() // 1_000_000) << 80 | _VERSION_AND_VARIANT
    noise = os.urandom(10 * n)
    ids = []
    for i in range(0, 10 * n, 10):
        r = int.from_bytes(noise[i : i + 10])  # 80 random bits, 74 of them used
        ids.append(_from_int(stamp | ((r >> 62) & _RAND_A) << 64 | (r & _RAND_B)))
    return ids
