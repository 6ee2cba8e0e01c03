"""A strict UBJSON reader (https://ubjson.org) for XGBoost's UBJ models, no third-party parser."""

from __future__ import annotations

from typing import Any

import numpy as np

# UBJSON markers of fixed-size big-endian numbers (https://ubjson.org); XGBoost writes i, l, L and d.
UBJ_NUMBERS = {ord(m): np.dtype(t) for m, t in (("i", "i1"), ("U", "u1"), ("I", ">i2"), ("l", ">i4"), ("L", ">i8"))}
UBJ_NUMBERS |= {ord("d"): np.dtype(">f4"), ord("D"): np.dtype(">f8")}
UBJ_CONSTANTS = {ord("T"): True, ord("F"): False, ord("Z"): None}
UBJ_MAX_DEPTH = 32


class Ubjson:
    """A strict UBJSON reader for XGBoost models: typed numeric arrays become numpy arrays."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._pos = 0

    def document(self) -> Any:
        value = self._value(0)
        if self._pos != len(self._raw):
            raise ValueError(f"unexpected bytes after the document at byte {self._pos}")
        return value

    def _take(self, n: int) -> bytes:
        if n < 0 or self._pos + n > len(self._raw):
            raise ValueError(f"the data ends inside a value at byte {self._pos}")
        chunk = self._raw[self._pos : self._pos + n]
        self._pos += n
        return chunk

    def _peek(self) -> int:
        if self._pos >= len(self._raw):
            raise ValueError(f"the data ends inside a container at byte {self._pos}")
        return self._raw[self._pos]

    def _value(self, depth: int) -> Any:
        marker = self._take(1)[0]
        if marker in UBJ_NUMBERS:
            dtype = UBJ_NUMBERS[marker]
            return np.frombuffer(self._take(dtype.itemsize), dtype)[0].item()
        if marker in UBJ_CONSTANTS:
            return UBJ_CONSTANTS[marker]
        if marker == ord("S"):
            return self._string()
        if marker in (ord("["), ord("{")):
            if depth >= UBJ_MAX_DEPTH:
                raise ValueError(f"containers nested deeper than {UBJ_MAX_DEPTH}")
            return self._array(depth + 1) if marker == ord("[") else self._object(depth + 1)
        raise ValueError(f"unknown UBJSON marker {bytes([marker])!r} at byte {self._pos - 1}")

    def _length(self) -> int:
        marker = self._take(1)[0]
        if marker not in UBJ_NUMBERS or UBJ_NUMBERS[marker].kind == "f":
            raise ValueError(f"a length is not an integer at byte {self._pos - 1}")
        length = int(np.frombuffer(self._take(UBJ_NUMBERS[marker].itemsize), UBJ_NUMBERS[marker])[0])
        if length < 0 or length > len(self._raw) - self._pos:  # every element takes at least one byte
            raise ValueError(f"a length of {length} at byte {self._pos} runs past the end of the data")
        return length

    def _string(self) -> str:
        return self._take(self._length()).decode("utf-8")

    def _header(self) -> tuple[int | None, int | None]:
        kind = count = None
        if self._peek() == ord("$"):
            self._pos += 1
            kind = self._take(1)[0]
            if kind not in UBJ_NUMBERS or self._peek() != ord("#"):
                raise ValueError(f"unsupported typed container at byte {self._pos - 1}")
        if self._peek() == ord("#"):
            self._pos += 1
            count = self._length()
        return kind, count

    def _array(self, depth: int) -> list[Any] | np.ndarray:
        kind, count = self._header()
        if kind is not None and count is not None:
            dtype = UBJ_NUMBERS[kind]
            return np.frombuffer(self._take(count * dtype.itemsize), dtype).astype(dtype.newbyteorder("="))
        if count is not None:
            return [self._value(depth) for _ in range(count)]
        items = []
        while self._peek() != ord("]"):
            items.append(self._value(depth))
        self._pos += 1
        return items

    def _object(self, depth: int) -> dict[str, Any]:
        kind, count = self._header()
        if kind is not None:
            raise ValueError("typed UBJSON objects are not supported")
        result: dict[str, Any] = {}
        while (len(result) < count) if count is not None else (self._peek() != ord("}")):
            key = self._string()
            if key in result:  # could be read one way by our check and the other way by XGBoost
                raise ValueError(f"the key {key!r} appears twice in one object")
            result[key] = self._value(depth)
        if count is None:
            self._pos += 1
        return result
