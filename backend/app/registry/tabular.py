"""A registered model's reference table: read it, take or check its feature schema, type its columns.

A user registers their own binary classifier with the model and a reference dataset (CSV or
Parquet, optionally with a label column). This module is the whole contract for that table:

* ``read_table(raw, filename)`` turns the uploaded bytes into a DataFrame. CSV and Parquet are
  told apart by content (a Parquet file starts and ends with ``PAR1``); the file name only
  improves the messages. Nothing in the file is executed (no pickle, no formulas, no code).
  Reading is bounded: more than ``MAX_TABLE_BYTES`` bytes, ``MAX_ROWS`` rows or ``MAX_COLUMNS``
  columns is refused before the data is parsed where the format allows it.
* ``infer_schema(df, label)`` proposes one ``Feature`` per column except the label.
* ``check_table(df, schema, label)`` checks the table against a schema (the user's or the
  inferred one) and returns the typed columns the reference binning and ``Feature.encode``
  accept, with the labels as 0/1.

Every refusal is a ``DatasetError`` (a ``ValueError``) carrying *all* the problems found, each
naming the column (or ``"reference"`` for the file as a whole, ``"label"`` for the label column)
and the problem in plain words: the API shows them to the user as an HTTP 422.

All checks are vectorised pandas/numpy: a table of ``MAX_ROWS`` rows costs no Python loop per row.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from driftwatch_core.features import Feature

MAX_TABLE_BYTES = 64 * 1024 * 1024
MAX_ROWS = 500_000
MAX_COLUMNS = 500
MIN_ROWS = 100
MAX_CATEGORIES = 50
NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_.\- ]{0,63}$"  # column names allowed as feature names

#: A Parquet file may declare at most this many bytes of (uncompressed) column data: a small
#: compressed file must not expand into more memory than the server has.
MAX_DECODED_BYTES = 1024 * 1024 * 1024

PARQUET_MAGIC = b"PAR1"
#: Spellings of a truth value (after stripping and lower-casing), for labels and boolean features.
TRUTH = {"1": 1.0, "0": 0.0, "1.0": 1.0, "0.0": 0.0, "true": 1.0, "false": 0.0, "yes": 1.0, "no": 0.0}
_EXAMPLE_CHARS = 40
_MIN_NUMERIC_SHARE = 0.5  # a text column this share of numbers is a numeric column with bad rows
_NUMBER_KINDS = {"integer", "floating", "mixed-integer-float", "decimal"}
#: What pandas' ``infer_dtype`` names, in the user's words, for the values no feature can hold.
_UNSUPPORTED = {
    "datetime": "dates and times",
    "datetime64": "dates and times",
    "date": "dates",
    "time": "times of day",
    "timedelta": "durations",
    "timedelta64": "durations",
    "period": "periods",
    "interval": "intervals",
    "complex": "complex numbers",
    "bytes": "binary values",
    "mixed": "values of mixed types (such as lists or records)",
    "mixed-integer": "numbers mixed with other values",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the reference, for the user to fix."""

    field: str  # the column name, or "reference" for the file as a whole, or "label"
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class DatasetError(ValueError):
    """The reference cannot be used; ``problems`` lists everything found, not only the first."""

    problems: list[Problem]

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


@dataclass
class ReferenceData:
    """The checked reference: per feature a typed column, the labels, the row count.

    Numeric features are float64, boolean features numpy bool, categorical features an object
    array of ``str`` (each one of the feature's categories); labels are int64 0/1.
    """

    columns: dict[str, np.ndarray]
    labels: np.ndarray | None
    n_rows: int


# --------------------------------------------------------------------------- messages


def _refuse(message: str) -> DatasetError:
    return DatasetError([Problem("reference", message)])


def _quote(value: Any) -> str:
    """A value as the user wrote it, quoted, cut to a readable length."""
    text = str(value)
    if len(text) > _EXAMPLE_CHARS:
        text = text[: _EXAMPLE_CHARS - 1] + "…"
    return repr(text)


def _rows(count: int) -> str:
    return f"{count:,} row" if count == 1 else f"{count:,} rows"


def _some(values: Sequence[Any], total: int, limit: int = 3) -> str:
    """Up to ``limit`` quoted values, and how many more there are."""
    shown = ", ".join(_quote(v) for v in values[:limit])
    return shown if total <= limit else f"{shown} (and {total - limit:,} more)"


def _first_row(mask: pd.Series) -> int:
    """The 1-based data row (header not counted) of the first true entry."""
    return int(np.argmax(mask.to_numpy())) + 1


# --------------------------------------------------------------------------- reading


def read_table(raw: bytes, filename: str | None = None) -> pd.DataFrame:
    """The uploaded reference as a DataFrame with a fresh 0..n-1 index.

    CSV (UTF-8, comma-separated, header row) or Parquet, told apart by content. Raises
    ``DatasetError`` for a file that is too large, empty, unreadable, has no rows, too many rows
    or columns, or the same column name twice.
    """
    source = repr(filename) if filename else "the file"
    if len(raw) > MAX_TABLE_BYTES:
        raise _refuse(f"{source} is {len(raw) / 2**20:.1f} MB; the limit is {MAX_TABLE_BYTES / 2**20:.0f} MB")
    if not raw.strip():
        raise _refuse(f"{source} is empty")
    if raw.startswith(PARQUET_MAGIC):
        df = _read_parquet(raw, source)
    elif filename and filename.lower().endswith((".parquet", ".pq")):
        raise _refuse(f"{source} is named like a Parquet file but is not one (it does not start with PAR1)")
    else:
        df = _read_csv(raw, source)
    if len(df) == 0:
        raise _refuse(f"{source} has column names but no rows")
    return df


def _check_shape(n_rows: int | None, n_columns: int, source: str) -> None:
    if n_columns > MAX_COLUMNS:
        raise _refuse(f"{source} has {n_columns:,} columns; the limit is {MAX_COLUMNS:,}")
    if n_rows is not None and n_rows > MAX_ROWS:
        raise _refuse(f"{source} has more than {MAX_ROWS:,} rows; upload a sample of at most {MAX_ROWS:,}")


def _duplicate_problems(names: Iterable[Hashable]) -> list[Problem]:
    counts = pd.Series([str(n) for n in names], dtype=object).value_counts(sort=False)
    return [
        Problem(name or "reference", f"the column name {name!r} appears {count} times; column names must be unique")
        for name, count in counts[counts > 1].items()
    ]


def _read_parquet(raw: bytes, source: str) -> pd.DataFrame:
    import pyarrow as pa  # only when a Parquet file arrives
    import pyarrow.parquet as pq

    if len(raw) < 12 or not raw.endswith(PARQUET_MAGIC):
        raise _refuse(f"{source} starts like a Parquet file but is cut short or damaged (it does not end with PAR1)")
    try:
        arrow_schema = pq.read_schema(io.BytesIO(raw))
        _check_shape(None, len(arrow_schema.names), source)
        if problems := _duplicate_problems(arrow_schema.names):
            raise DatasetError(problems)
        # Text columns stay dictionary-encoded (pandas categoricals): a value repeated on every
        # row is held once, however the file was written.
        text = [f.name for f in arrow_schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
        parquet = pq.ParquetFile(io.BytesIO(raw), read_dictionary=text)
        metadata = parquet.metadata
        _check_shape(metadata.num_rows, len(arrow_schema.names), source)
        declared = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        if declared > MAX_DECODED_BYTES:
            raise _refuse(
                f"{source} holds {declared / 2**20:,.0f} MB of data once uncompressed; "
                f"the limit is {MAX_DECODED_BYTES / 2**20:,.0f} MB"
            )
        df = parquet.read().to_pandas()
    except DatasetError:
        raise
    except (pa.ArrowException, OSError, ValueError, TypeError, KeyError) as exc:
        raise _refuse(f"{source} is not a readable Parquet file ({exc})") from exc
    return df.reset_index(drop=True)  # a stored pandas index is not a feature


def _read_csv(raw: bytes, source: str) -> pd.DataFrame:
    if b"\x00" in raw:
        hint = " (it looks like a ZIP archive or an Excel workbook: save the sheet as CSV)" if raw[:2] == b"PK" else ""
        raise _refuse(f"{source} holds binary data: it is neither a CSV nor a Parquet file{hint}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse(
            f"{source} is not UTF-8 text (byte {exc.start:,} cannot be read): save the CSV as UTF-8, or upload Parquet"
        ) from exc
    header = _csv_header(text, source)
    _check_shape(None, len(header), source)
    if problems := _duplicate_problems(h for h in header if h):
        raise DatasetError(problems)
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        raise _refuse(f"{source} has a single column {_quote(header[0])}: separate the values with commas")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(
                io.StringIO(text),
                index_col=False,
                low_memory=False,
                nrows=MAX_ROWS + 1,
                skipinitialspace=True,
            )
    except pd.errors.ParserWarning as exc:
        raise _refuse(f"{source} has rows with more values than the header has columns ({len(header)})") from exc
    except pd.errors.ParserError as exc:
        raise _refuse(f"{source} is not a readable CSV: {_csv_error(exc)}") from exc
    except (ValueError, OverflowError) as exc:
        raise _refuse(f"{source} is not a readable CSV ({exc})") from exc
    _check_shape(len(df), len(df.columns), source)
    return df


def _csv_header(text: str, source: str) -> list[str]:
    """The header's column names as written (pandas renames duplicates, so read them ourselves)."""
    first_line = text.lstrip("\r\n").partition("\n")[0]
    if '"' not in first_line:  # no quoting: count without building a list of a huge header
        _check_shape(None, first_line.count(",") + 1, source)
    try:
        # pandas skips blank lines before the header too
        return next(row for row in csv.reader(io.StringIO(text), skipinitialspace=True) if row)
    except (csv.Error, StopIteration) as exc:
        raise _refuse(f"{source} has no readable header row ({exc})") from exc


def _csv_error(exc: pd.errors.ParserError) -> str:
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
    if found:
        expected, line, saw = found.groups()
        return f"line {line} has {saw} values where the rows before it have {expected}"
    return str(exc).replace("Error tokenizing data. C error: ", "").strip()


# --------------------------------------------------------------------------- inferring a schema


def infer_schema(df: pd.DataFrame, label: str | None = None) -> tuple[Feature, ...]:
    """One ``Feature`` per column except ``label``, in column order; ``DatasetError`` lists every
    column that cannot be a model input."""
    problems = _duplicate_problems(df.columns)
    if problems:
        raise DatasetError(problems)
    if label is not None and label not in df.columns:
        problems.append(Problem("label", f"the label column {label!r} is not in the table"))
    features: list[Feature] = []
    for position, column in enumerate(df.columns):
        if label is not None and column == label:
            continue
        result = _name_problem(column, position) or _infer_feature(str(column), df[column])
        if isinstance(result, Problem):
            problems.append(result)
        else:
            features.append(result)
    if not features and not problems:
        problems.append(Problem("reference", "the table has no feature columns besides the label"))
    if problems:
        raise DatasetError(problems)
    return tuple(features)


def _name_problem(column: Hashable, position: int) -> Problem | None:
    name = str(column)
    if re.fullmatch(NAME_PATTERN, name):
        return None
    if not name or name.startswith("Unnamed: "):
        return Problem(
            name or f"column {position + 1}",
            f"column {position + 1} has no name in the header (a saved row index? write the CSV without it)",
        )
    return Problem(
        name,
        f"{_quote(name)} cannot be a feature name: it must start with a letter or '_' and have at most 64 "
        "letters, digits, spaces, '_', '.' or '-'",
    )


def _infer_feature(name: str, column: pd.Series) -> Feature | Problem:
    values = column.dropna()
    if values.empty:
        return Problem(name, "empty column: no row has a value")
    dtype = column.dtype
    if ptypes.is_bool_dtype(dtype):
        return _boolean(name, bool(values.iloc[0]))
    if ptypes.is_numeric_dtype(dtype) and not ptypes.is_complex_dtype(dtype):
        return _numeric(name, values)
    if isinstance(dtype, pd.CategoricalDtype):
        return _text_feature(name, values.astype(str))
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "boolean":
        return _boolean(name, bool(values.iloc[0]))
    if kind in _NUMBER_KINDS:
        return _numeric(name, pd.to_numeric(values))
    if kind == "string":
        return _text_feature(name, values.astype(str))
    what = _UNSUPPORTED.get(kind, f"{kind} values")
    return Problem(name, f"holds {what}, which cannot be a model input; convert them to numbers or text")


def _boolean(name: str, example: bool) -> Feature:
    return Feature(name, "boolean", "", example, "bool")


def _numeric(name: str, values: pd.Series) -> Feature:
    numbers = values.to_numpy(dtype="float64")
    finite = numbers[np.isfinite(numbers)]
    whole = ptypes.is_integer_dtype(values.dtype) or bool(np.all(finite == np.floor(finite)))
    first = values.iloc[0]
    if whole and np.isfinite(float(first)):
        return Feature(name, "numeric", "", int(first), "int")
    return Feature(name, "numeric", "", float(first), "float")


def _text_feature(name: str, text: pd.Series) -> Feature | Problem:
    distinct = pd.unique(text)
    if len(distinct) <= 2 and {str(v).strip().lower() for v in distinct} <= {"true", "false"}:
        return _boolean(name, str(text.iloc[0]).strip().lower() == "true")
    if len(distinct) <= MAX_CATEGORIES:
        categories = tuple(sorted(str(v) for v in distinct))
        return Feature(name, "categorical", "", str(text.iloc[0]), "str", categories=categories)
    not_numbers = pd.to_numeric(text, errors="coerce").isna()
    if not_numbers.mean() < _MIN_NUMERIC_SHARE:
        return Problem(
            name,
            f"looks numeric but holds text such as {_quote(text[not_numbers].iloc[0])} "
            f"in {_rows(int(not_numbers.sum()))}; fix or drop those rows",
        )
    return Problem(
        name,
        f"free text with {len(distinct):,} distinct values cannot be a model input; drop it or encode it "
        f"(a categorical column has at most {MAX_CATEGORIES} distinct values)",
    )


# --------------------------------------------------------------------------- checking a table


def check_table(df: pd.DataFrame, schema: Sequence[Feature], label: str | None = None) -> ReferenceData:
    """The table's feature columns typed per ``schema`` and its labels as 0/1; ``DatasetError``
    lists every problem found. Columns not in the schema (other than the label) are ignored."""
    problems = _duplicate_problems(df.columns)
    if problems:
        raise DatasetError(problems)
    n_rows = len(df)
    if n_rows < MIN_ROWS:
        problems.append(
            Problem("reference", f"has {_rows(n_rows)}; at least {MIN_ROWS} are needed for a reference distribution")
        )
    columns: dict[str, np.ndarray] = {}
    for feature in schema:
        if feature.name not in df.columns:
            problems.append(Problem(feature.name, "is in the schema but not a column of the table"))
            continue
        values, found = _check_feature(feature, df[feature.name])
        problems.extend(found)
        if values is not None:
            columns[feature.name] = values
    labels = None
    if label is not None:
        if any(f.name == label for f in schema):
            problems.append(Problem("label", f"the label column {label!r} is also a feature of the schema"))
        labels, found = _check_label(df, label)
        problems.extend(found)
    if problems:
        raise DatasetError(problems)
    return ReferenceData(columns=columns, labels=labels, n_rows=n_rows)


def _check_feature(feature: Feature, column: pd.Series) -> tuple[np.ndarray | None, list[Problem]]:
    present = column.notna()
    n_missing = len(column) - int(present.sum())
    if len(column) and n_missing == len(column):
        return None, [Problem(feature.name, "empty column: no row has a value")]
    problems = []
    if n_missing:
        problems.append(
            Problem(
                feature.name,
                f"is missing in {_rows(n_missing)} (the first is data row {_first_row(~present):,}); "
                "missing values are not accepted yet: fill them in or drop those rows",
            )
        )
    if feature.kind == "numeric":
        values, found = _as_numbers(feature, column, present)
    elif feature.kind == "boolean":
        values, found = _as_booleans(feature, column, present)
    else:
        values, found = _as_categories(feature, column, present)
    problems.extend(found)
    return (None if problems else values), problems


def _not_text(column: pd.Series) -> str | None:
    """What a column of neither numbers nor text holds (dates, durations, complex numbers), else None."""
    if ptypes.is_datetime64_any_dtype(column.dtype):
        return "dates and times"
    if ptypes.is_timedelta64_dtype(column.dtype):
        return "durations"
    if ptypes.is_complex_dtype(column.dtype):
        return "complex numbers"
    return None


def _numbers(column: pd.Series) -> pd.Series:
    """The column as float64, NaN where a value is missing or not a number."""
    if ptypes.is_bool_dtype(column.dtype) or (
        ptypes.is_numeric_dtype(column.dtype) and not ptypes.is_complex_dtype(column.dtype)
    ):
        return column.astype("float64")
    if _not_text(column) is not None:
        return pd.Series(np.nan, index=column.index)
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(str)
    return pd.to_numeric(column, errors="coerce").astype("float64")


def _as_numbers(feature: Feature, column: pd.Series, present: pd.Series) -> tuple[np.ndarray, list[Problem]]:
    numbers = _numbers(column)
    problems = []
    text = present & numbers.isna()
    if text.any():
        problems.append(
            Problem(
                feature.name,
                f"expected numbers (the schema says numeric) but found {_not_text(column) or 'text'} such as "
                f"{_quote(column[text].iloc[0])} in {_rows(int(text.sum()))}",
            )
        )
    infinite = np.isinf(numbers)
    if infinite.any():
        problems.append(Problem(feature.name, f"holds infinite values in {_rows(int(infinite.sum()))}"))
    if feature.dtype == "int":
        fraction = numbers.notna() & ~infinite & (numbers != np.floor(numbers))
        if fraction.any():
            problems.append(
                Problem(
                    feature.name,
                    f"the schema says whole numbers but {_rows(int(fraction.sum()))} hold fractions "
                    f"such as {_quote(column[fraction].iloc[0])}",
                )
            )
    if feature.minimum is not None:
        problems.extend(_outside(feature, column, numbers < feature.minimum, f"below the minimum {feature.minimum}"))
    if feature.maximum is not None:
        problems.extend(_outside(feature, column, numbers > feature.maximum, f"above the maximum {feature.maximum}"))
    return numbers.to_numpy(dtype="float64"), problems


def _outside(feature: Feature, column: pd.Series, bad: pd.Series, what: str) -> list[Problem]:
    if not bad.any():
        return []
    example = _quote(column[bad].iloc[0])
    return [Problem(feature.name, f"{_rows(int(bad.sum()))} are {what} of the schema, such as {example}")]


def _truth(column: pd.Series) -> pd.Series:
    """1.0 / 0.0 per row for 0/1, true/false, yes/no (any case); NaN for anything else or missing."""
    if ptypes.is_bool_dtype(column.dtype):
        return column.astype("float64")
    if ptypes.is_numeric_dtype(column.dtype) and not ptypes.is_complex_dtype(column.dtype):
        return column.where(column.isin([0, 1])).astype("float64")
    return column.astype(str).str.strip().str.lower().map(TRUTH).astype("float64")


def _unknown(column: pd.Series, bad: pd.Series) -> str:
    unknown = pd.unique(column[bad].astype(str))
    return f"{_some(list(unknown), len(unknown))} in {_rows(int(bad.sum()))}"


def _as_booleans(feature: Feature, column: pd.Series, present: pd.Series) -> tuple[np.ndarray, list[Problem]]:
    truth = _truth(column)
    bad = present & truth.isna()
    problems = []
    if bad.any():
        problems.append(
            Problem(feature.name, f"expected true/false (the schema says boolean) but found {_unknown(column, bad)}")
        )
    return (truth == 1.0).to_numpy(dtype=bool), problems


def _as_text(column: pd.Series) -> pd.Series:
    """The column as text, whole floats written as integers (1.0 -> '1', as in the CSV)."""
    if ptypes.is_float_dtype(column.dtype):
        numbers = column.dropna().to_numpy(dtype="float64")
        if np.isfinite(numbers).all() and (numbers == np.floor(numbers)).all():
            return column.astype("Int64").astype(str)
    return column.astype(str)


def _as_categories(feature: Feature, column: pd.Series, present: pd.Series) -> tuple[np.ndarray, list[Problem]]:
    text = _as_text(column)
    bad = present & ~text.isin(feature.categories)
    problems = []
    if bad.any():
        known = _some(feature.categories, len(feature.categories), 8)
        problems.append(
            Problem(feature.name, f"has values not among the schema's categories ({known}): {_unknown(text, bad)}")
        )
    return text.to_numpy(dtype=object), problems


def _check_label(df: pd.DataFrame, label: str) -> tuple[np.ndarray | None, list[Problem]]:
    if label not in df.columns:
        return None, [Problem("label", f"the label column {label!r} is not in the table")]
    column = df[label]
    present = column.notna()
    truth = _truth(column)
    problems = []
    n_missing = len(column) - int(present.sum())
    if n_missing:
        problems.append(Problem("label", f"the label column {label!r} is missing in {_rows(n_missing)}"))
    bad = present & truth.isna()
    if bad.any():
        problems.append(
            Problem(
                "label",
                f"the label column {label!r} must hold 0/1, true/false or yes/no, but holds {_unknown(column, bad)}",
            )
        )
    classes = pd.unique(truth.dropna())
    if not problems and len(classes) == 1:
        problems.append(
            Problem(
                "label",
                f"the label column {label!r} has only one class ({int(classes[0])} in all {_rows(len(column))}): "
                "need both 0 and 1 to measure performance",
            )
        )
    if problems:
        return None, problems
    return truth.to_numpy(dtype="int64"), problems
