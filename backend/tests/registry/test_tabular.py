"""The reference table of a registered model: reading CSV and Parquet, inferring and checking its schema."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sklearn.datasets import load_breast_cancer

from app.registry import tabular
from app.registry.tabular import (
    MAX_CATEGORIES,
    MIN_ROWS,
    DatasetError,
    Problem,
    ReferenceData,
    check_table,
    infer_schema,
    read_table,
)
from driftwatch_core.features import Feature, schema_from_dicts

N = 120  # rows of the tables built here: a little above MIN_ROWS


def csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode()


def parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf)
    return buf.getvalue()


def problems(exc: pytest.ExceptionInfo[DatasetError]) -> dict[str, str]:
    """The problems of a refusal by field (each field once in these tests)."""
    found = exc.value.problems
    assert len({p.field for p in found}) == len(found), found
    return {p.field: p.message for p in found}


def mixed(n: int = N) -> pd.DataFrame:
    """A table with one column of each kind and a yes/no label."""
    rows = np.arange(n)
    return pd.DataFrame(
        {
            "txn_count": rows % 7,
            "amount": (rows * 1.37).round(2) + 0.5,
            "card_present": rows % 3 == 0,
            "merchant": np.where(rows % 4 == 0, "travel", "grocery"),
            "fraud": np.where(rows % 5 == 0, "yes", "no"),
        }
    )


@pytest.fixture(scope="module")
def breast_cancer() -> pd.DataFrame:
    return load_breast_cancer(as_frame=True).frame


# --------------------------------------------------------------------------- real data


@pytest.mark.parametrize("write", [csv_bytes, parquet_bytes], ids=["csv", "parquet"])
def test_breast_cancer_reads_infers_and_checks(breast_cancer, write):
    df = read_table(write(breast_cancer), filename="cancer")
    assert df.shape == (569, 31)

    schema = infer_schema(df, label="target")
    assert [f.name for f in schema] == [c for c in breast_cancer.columns if c != "target"]
    assert len(schema) == 30
    assert {(f.kind, f.dtype) for f in schema} == {("numeric", "float")}
    first = schema[0]
    assert first.name == "mean radius"
    assert first.example == breast_cancer["mean radius"].iloc[0]
    assert type(first.example) is float
    assert (first.minimum, first.maximum, first.unit, first.description, first.categories) == (None, None, None, "", ())

    data = check_table(df, schema, label="target")
    assert isinstance(data, ReferenceData)
    assert data.n_rows == 569
    assert data.labels is not None
    assert data.labels.dtype == np.int64
    assert set(np.unique(data.labels)) == {0, 1}
    np.testing.assert_array_equal(data.labels, breast_cancer["target"].to_numpy())
    assert list(data.columns) == [f.name for f in schema]
    assert data.columns["mean radius"].dtype == np.float64
    np.testing.assert_allclose(data.columns["worst area"], breast_cancer["worst area"].to_numpy())


def test_the_schema_survives_its_stored_form(breast_cancer):
    schema = infer_schema(breast_cancer, label="target")
    stored = [f.to_dict() for f in schema]
    assert schema_from_dicts(stored) == schema
    assert check_table(breast_cancer, schema_from_dicts(stored), label="target").n_rows == 569


def test_without_a_label_every_column_is_a_feature(breast_cancer):
    features = breast_cancer.drop(columns="target")
    schema = infer_schema(features)
    assert len(schema) == 30
    data = check_table(features, schema)
    assert data.labels is None
    assert data.n_rows == 569


# --------------------------------------------------------------------------- a mixed table


@pytest.mark.parametrize("write", [csv_bytes, parquet_bytes], ids=["csv", "parquet"])
def test_mixed_table_gets_each_kind(write):
    table = mixed()
    df = read_table(write(table))
    schema = {f.name: f for f in infer_schema(df, label="fraud")}

    assert list(schema) == ["txn_count", "amount", "card_present", "merchant"]
    assert (schema["txn_count"].kind, schema["txn_count"].dtype, schema["txn_count"].example) == ("numeric", "int", 0)
    assert type(schema["txn_count"].example) is int
    assert (schema["amount"].kind, schema["amount"].dtype, schema["amount"].example) == ("numeric", "float", 0.5)
    assert (schema["card_present"].kind, schema["card_present"].dtype) == ("boolean", "bool")
    assert schema["card_present"].example is True
    merchant = schema["merchant"]
    assert (merchant.kind, merchant.dtype, merchant.categories, merchant.example) == (
        "categorical",
        "str",
        ("grocery", "travel"),
        "travel",
    )

    data = check_table(df, list(schema.values()), label="fraud")
    assert data.n_rows == N
    assert data.columns["txn_count"].dtype == np.float64
    assert data.columns["card_present"].dtype == np.bool_
    np.testing.assert_array_equal(data.columns["card_present"], table["card_present"].to_numpy())
    assert data.columns["merchant"].dtype == object
    assert {type(v) for v in data.columns["merchant"]} == {str}
    np.testing.assert_array_equal(data.columns["merchant"], table["merchant"].to_numpy())
    assert data.labels is not None
    np.testing.assert_array_equal(data.labels, (table["fraud"] == "yes").astype(int).to_numpy())
    # What the encoder and the binning need: every category value encodes to its index.
    assert {merchant.encode(v) for v in data.columns["merchant"]} == {0.0, 1.0}


def test_whole_floats_are_int_and_true_false_text_is_boolean():
    df = pd.DataFrame(
        {
            "count": np.arange(N, dtype=float),
            "flag": np.where(np.arange(N) % 2 == 0, "True", "false"),
        }
    )
    schema = {f.name: f for f in infer_schema(df)}
    assert (schema["count"].dtype, schema["count"].example) == ("int", 0)
    assert (schema["flag"].kind, schema["flag"].example) == ("boolean", True)
    flags = check_table(df, list(schema.values())).columns["flag"]
    np.testing.assert_array_equal(flags, np.arange(N) % 2 == 0)


def test_a_categorical_column_has_at_most_max_categories_values():
    df = pd.DataFrame({"code": [f"c{i % MAX_CATEGORIES:02d}" for i in range(N)]})
    (feature,) = infer_schema(df)
    assert feature.kind == "categorical"
    assert len(feature.categories) == MAX_CATEGORIES
    assert list(feature.categories) == sorted(feature.categories)


def test_check_accepts_other_spellings_the_schema_allows():
    """Numbers written as codes match text categories; yes/no and 1/0 are booleans; true/false labels."""
    n = np.arange(N)
    df = pd.DataFrame({"tier": n % 3 + 1, "vip": np.where(n % 2 == 0, "Yes", "no"), "y": n % 2 == 0, "extra": "x"})
    schema = [
        Feature("tier", "categorical", "", "1", "str", categories=("1", "2", "3")),
        Feature("vip", "boolean", "", True, "bool"),
    ]
    data = check_table(read_table(csv_bytes(df)), schema, label="y")
    assert set(data.columns) == {"tier", "vip"}  # the extra column is ignored
    assert set(data.columns["tier"]) == {"1", "2", "3"}
    np.testing.assert_array_equal(data.columns["vip"], n % 2 == 0)
    assert data.labels is not None
    np.testing.assert_array_equal(data.labels, (n % 2 == 0).astype(int))


def test_parquet_text_over_several_row_groups():
    table = mixed(3 * N)
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(table, preserve_index=False), buf, row_group_size=50)
    df = read_table(buf.getvalue())
    schema = infer_schema(df, label="fraud")
    data = check_table(df, schema, label="fraud")
    np.testing.assert_array_equal(data.columns["merchant"], table["merchant"].to_numpy())


# --------------------------------------------------------------------------- refusals: checking


def test_text_in_a_numeric_column_names_column_count_and_example():
    df = mixed()
    schema = infer_schema(df, label="fraud")
    df["amount"] = df["amount"].astype(str)
    df.loc[[3, 10, 11], "amount"] = ["abc", "n/a?", "12,5"]
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema, label="fraud")
    assert problems(exc) == {
        "amount": "expected numbers (the schema says numeric) but found text such as 'abc' in 3 rows",
    }


def test_text_in_a_numeric_column_read_from_csv():
    df = mixed()
    schema = infer_schema(df, label="fraud")
    raw = csv_bytes(df).replace(b"\n6,", b"\nsix,")  # txn_count is the first column
    with pytest.raises(DatasetError) as exc:
        check_table(read_table(raw), schema, label="fraud")
    sixes = int((df["txn_count"] == 6).sum())
    message = problems(exc)["txn_count"]
    assert f"'six' in {sixes} rows" in message
    assert "numeric" in message


def test_nulls_in_a_feature_are_refused_with_their_count():
    df = mixed()
    schema = infer_schema(df, label="fraud")
    df["amount"] = df["amount"].astype(float)
    df.loc[[4, 9], "amount"] = np.nan
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema, label="fraud")
    message = problems(exc)["amount"]
    assert "missing in 2 rows" in message
    assert "data row 5" in message


def test_an_empty_column_is_refused():
    df = mixed()
    schema = infer_schema(df, label="fraud")
    df["amount"] = np.nan
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema, label="fraud")
    assert problems(exc) == {"amount": "empty column: no row has a value"}


def test_an_unknown_category_names_up_to_three_values():
    df = mixed()
    schema = infer_schema(df, label="fraud")
    df.loc[0:5, "merchant"] = ["casino", "casino", "jewelry", "fuel", "toys", "pets"]
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema, label="fraud")
    message = problems(exc)["merchant"]
    assert "'casino', 'jewelry', 'fuel' (and 2 more) in 6 rows" in message
    assert "'grocery', 'travel'" in message
    assert "'toys'" not in message


def test_too_few_rows():
    df = mixed(MIN_ROWS - 1)
    schema = infer_schema(df, label="fraud")
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema, label="fraud")
    assert problems(exc) == {"reference": f"has 99 rows; at least {MIN_ROWS} are needed for a reference distribution"}
    assert check_table(mixed(MIN_ROWS), schema, label="fraud").n_rows == MIN_ROWS


def test_bad_label_values_are_named():
    df = mixed()
    schema = infer_schema(df, label="fraud")
    df.loc[[1, 2, 3], "fraud"] = ["maybe", "2", "maybe"]
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema, label="fraud")
    message = problems(exc)["label"]
    assert "'fraud'" in message
    assert "0/1, true/false or yes/no" in message
    assert "'maybe', '2' in 3 rows" in message


def test_numeric_labels_other_than_0_and_1_are_refused(breast_cancer):
    df = breast_cancer.copy()
    df["target"] = df["target"] * 2
    schema = infer_schema(df, label="target")
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema, label="target")
    assert "'2' in 357 rows" in problems(exc)["label"]


def test_a_label_with_one_class():
    df = mixed()
    schema = infer_schema(df, label="fraud")
    df["fraud"] = "No"
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema, label="fraud")
    message = problems(exc)["label"]
    assert "has only one class (0 in all 120 rows)" in message
    assert "need both 0 and 1 to measure performance" in message


def test_a_missing_label_column():
    df = mixed().drop(columns="fraud")
    with pytest.raises(DatasetError) as exc:
        infer_schema(df, label="fraud")
    assert problems(exc) == {"label": "the label column 'fraud' is not in the table"}
    with pytest.raises(DatasetError) as exc:
        check_table(df, infer_schema(df), label="fraud")
    assert problems(exc) == {"label": "the label column 'fraud' is not in the table"}


def test_a_schema_feature_missing_from_the_table():
    df = mixed()
    schema = infer_schema(df, label="fraud")
    with pytest.raises(DatasetError) as exc:
        check_table(df.drop(columns=["merchant"]), schema, label="fraud")
    assert problems(exc) == {"merchant": "is in the schema but not a column of the table"}


def test_the_schema_bounds_and_whole_numbers_are_checked():
    df = mixed()
    df["amount"] = df["amount"].astype(float)
    df.loc[7, "amount"] = np.inf
    schema = [
        Feature("txn_count", "numeric", "", 1, "int", minimum=1, maximum=5),
        Feature("amount", "numeric", "", 1, "int"),
    ]
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema)
    messages = [str(p) for p in exc.value.problems]
    zeros, sixes = int((df["txn_count"] == 0).sum()), int((df["txn_count"] == 6).sum())
    fractions = int((np.isfinite(df["amount"]) & (df["amount"] % 1 != 0)).sum())
    assert messages == [
        f"txn_count: {zeros} rows are below the minimum 1 of the schema, such as '0'",
        f"txn_count: {sixes} rows are above the maximum 5 of the schema, such as '6'",
        "amount: holds infinite values in 1 row",
        f"amount: the schema says whole numbers but {fractions} rows hold fractions such as '0.5'",
    ]


def test_dates_in_a_numeric_column():
    df = mixed()
    schema = infer_schema(df, label="fraud")
    df["amount"] = pd.date_range("2024-01-01", periods=N, freq="D")
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema, label="fraud")
    expected = f"but found dates and times such as '2024-01-01 00:00:00' in {N} rows"
    assert problems(exc)["amount"] == f"expected numbers (the schema says numeric) {expected}"


def test_an_unknown_boolean_value():
    df = mixed()
    schema = infer_schema(df, label="fraud")
    df["card_present"] = df["card_present"].astype(object)
    df.loc[2, "card_present"] = "sometimes"
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema, label="fraud")
    assert problems(exc) == {
        "card_present": "expected true/false (the schema says boolean) but found 'sometimes' in 1 row",
    }


def test_the_label_cannot_also_be_a_feature():
    df = mixed()
    schema = [*infer_schema(df, label="fraud"), Feature("fraud", "categorical", "", "no", "str", categories=("no",))]
    with pytest.raises(DatasetError) as exc:
        check_table(df, schema, label="fraud")
    assert Problem("label", "the label column 'fraud' is also a feature of the schema") in exc.value.problems


def test_several_problems_are_reported_together():
    df = mixed(MIN_ROWS - 20)
    schema = infer_schema(df, label="fraud")
    df["amount"] = df["amount"].astype(object)
    df.loc[0, "amount"] = "lots"
    df.loc[1, "txn_count"] = np.nan
    df.loc[2, "merchant"] = "casino"
    df["fraud"] = "yes"
    with pytest.raises(DatasetError) as exc:
        check_table(df.drop(columns="card_present"), schema, label="fraud")
    found = problems(exc)
    assert list(found) == ["reference", "txn_count", "amount", "card_present", "merchant", "label"]
    assert found["reference"].startswith("has 80 rows")
    assert "only one class (1 in all 80 rows)" in found["label"]
    # The exception's text is every problem, each with its field.
    text = str(exc.value)
    assert isinstance(exc.value, ValueError)
    assert text == "; ".join(f"{field}: {message}" for field, message in found.items())


# --------------------------------------------------------------------------- refusals: inferring


def test_free_text_cannot_be_inferred_as_a_feature():
    df = mixed()
    df["comment"] = [f"customer said {i}" for i in range(N)]
    with pytest.raises(DatasetError) as exc:
        infer_schema(df, label="fraud")
    message = problems(exc)["comment"]
    assert message.startswith(f"free text with {N} distinct values cannot be a model input; drop it or encode it")


def test_numbers_with_a_few_text_rows_are_called_out():
    df = mixed()
    amounts = df["amount"].astype(str)
    amounts[5] = "unknown"
    df["amount"] = amounts
    with pytest.raises(DatasetError) as exc:
        infer_schema(read_table(csv_bytes(df)), label="fraud")
    assert problems(exc) == {
        "amount": "looks numeric but holds text such as 'unknown' in 1 row; fix or drop those rows"
    }


def test_inference_reports_every_bad_column():
    df = mixed()
    df["notes"] = [f"note {i}" for i in range(N)]
    df["blank"] = np.nan
    df["when"] = pd.date_range("2024-01-01", periods=N, freq="h")
    df["price (€)"] = 1.0
    df["basket"] = [["milk", "bread"]] * N
    df["mixed"] = ["a", 1.5] * (N // 2)
    with pytest.raises(DatasetError) as exc:
        infer_schema(df, label="fraud")
    found = problems(exc)
    assert list(found) == ["notes", "blank", "when", "price (€)", "basket", "mixed"]
    assert found["blank"] == "empty column: no row has a value"
    assert found["when"] == "holds dates and times, which cannot be a model input; convert them to numbers or text"
    assert "cannot be a feature name" in found["price (€)"]
    assert found["basket"].startswith("holds values of mixed types (such as lists or records)")
    assert found["mixed"].startswith("holds values of mixed types")


def test_a_saved_row_index_is_pointed_out():
    df = read_table(mixed().to_csv().encode())  # index written, its header blank
    with pytest.raises(DatasetError) as exc:
        infer_schema(df, label="fraud")
    (problem,) = exc.value.problems
    assert "column 1 has no name" in problem.message
    assert "row index" in problem.message


def test_a_table_of_only_the_label_has_no_features():
    with pytest.raises(DatasetError) as exc:
        infer_schema(mixed()[["fraud"]], label="fraud")
    assert problems(exc) == {"reference": "the table has no feature columns besides the label"}


# --------------------------------------------------------------------------- refusals: reading


def test_oversized_bytes(monkeypatch):
    raw = csv_bytes(mixed())
    monkeypatch.setattr(tabular, "MAX_TABLE_BYTES", len(raw) - 1)
    with pytest.raises(DatasetError) as exc:
        read_table(raw, filename="ref.csv")
    assert "'ref.csv' is" in problems(exc)["reference"]
    assert "the limit is" in problems(exc)["reference"]
    monkeypatch.setattr(tabular, "MAX_TABLE_BYTES", len(raw))
    assert len(read_table(raw)) == N


@pytest.mark.parametrize("write", [csv_bytes, parquet_bytes], ids=["csv", "parquet"])
def test_too_many_columns(monkeypatch, write):
    monkeypatch.setattr(tabular, "MAX_COLUMNS", 4)
    with pytest.raises(DatasetError) as exc:
        read_table(write(mixed()))
    assert problems(exc) == {"reference": "the file has 5 columns; the limit is 4"}


def test_too_many_columns_in_a_quoted_header(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_COLUMNS", 2)
    with pytest.raises(DatasetError) as exc:
        read_table(b'"a,1",b,c\n1,2,3\n')
    assert problems(exc) == {"reference": "the file has 3 columns; the limit is 2"}


@pytest.mark.parametrize("write", [csv_bytes, parquet_bytes], ids=["csv", "parquet"])
def test_too_many_rows(monkeypatch, write):
    monkeypatch.setattr(tabular, "MAX_ROWS", N - 1)
    with pytest.raises(DatasetError) as exc:
        read_table(write(mixed()))
    assert problems(exc)["reference"].startswith(f"the file has more than {N - 1} rows")
    monkeypatch.setattr(tabular, "MAX_ROWS", N)
    assert len(read_table(write(mixed()))) == N


def test_a_parquet_file_that_expands_too_far(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_DECODED_BYTES", 100)
    with pytest.raises(DatasetError) as exc:
        read_table(parquet_bytes(mixed()))
    assert "once uncompressed" in problems(exc)["reference"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "holds binary data: it is neither a CSV nor a Parquet file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "an Excel workbook"),
        (b"a,b\n\xff\xfe\xfa,1\n", "is not UTF-8 text (byte 4 cannot be read)"),
        (b'a,b\n"unclosed,1\n2,3\n', "is not a readable CSV"),
        (b"a,b\n1,2\n3,4,5\n", "line 3 has 3 values where the rows before it have 2"),
        (b"a,b\n1,2,3\n4,5,6\n", "has rows with more values than the header has columns (2)"),
        (b"a;b;c\n1;2;3\n", "has a single column 'a;b;c': separate the values with commas"),
    ],
    ids=["binary", "zip", "not-utf8", "unclosed-quote", "ragged", "extra-values", "semicolons"],
)
def test_garbage_bytes(raw, expected):
    with pytest.raises(DatasetError) as exc:
        read_table(raw)
    assert expected in problems(exc)["reference"]


@pytest.mark.parametrize("raw", [b"", b"  \n\n  "], ids=["empty", "blank"])
def test_empty_bytes(raw):
    with pytest.raises(DatasetError) as exc:
        read_table(raw, filename="ref.csv")
    assert problems(exc) == {"reference": "'ref.csv' is empty"}


@pytest.mark.parametrize("write", [csv_bytes, parquet_bytes], ids=["csv", "parquet"])
def test_a_header_without_rows(write):
    with pytest.raises(DatasetError) as exc:
        read_table(write(mixed().iloc[:0]))
    assert problems(exc) == {"reference": "the file has column names but no rows"}


def test_a_truncated_parquet_file():
    raw = parquet_bytes(mixed())
    with pytest.raises(DatasetError) as exc:
        read_table(raw[: len(raw) // 2], filename="ref.parquet")
    assert "'ref.parquet' starts like a Parquet file but is cut short or damaged" in problems(exc)["reference"]


def test_a_damaged_parquet_file():
    raw = parquet_bytes(mixed())
    damaged = raw[:4] + b"\x00" * (len(raw) - 8) + raw[-4:]
    with pytest.raises(DatasetError) as exc:
        read_table(damaged)
    assert problems(exc)["reference"].startswith("the file is not a readable Parquet file (")


def test_a_file_named_parquet_that_is_not():
    with pytest.raises(DatasetError) as exc:
        read_table(csv_bytes(mixed()), filename="ref.parquet")
    assert "is named like a Parquet file but is not one" in problems(exc)["reference"]


def test_duplicate_column_names_in_csv():
    raw = b"amount,merchant,amount\n" + b"1,grocery,2\n" * N
    with pytest.raises(DatasetError) as exc:
        read_table(raw)
    assert problems(exc) == {"amount": "the column name 'amount' appears 2 times; column names must be unique"}


def test_duplicate_column_names_in_parquet():
    table = pa.table([pa.array([1, 2]), pa.array([3, 4])], names=["x", "x"])
    buf = io.BytesIO()
    pq.write_table(table, buf)
    with pytest.raises(DatasetError) as exc:
        read_table(buf.getvalue())
    assert problems(exc) == {"x": "the column name 'x' appears 2 times; column names must be unique"}


def test_csv_details_a_spreadsheet_export_has():
    """A UTF-8 byte order mark, a blank first line, spaces after the commas, Windows line ends."""
    raw = "\ufeff\r\namount, merchant\r\n" + "".join(f"{i}.5, travel\r\n" for i in range(N))
    df = read_table(raw.encode())
    assert list(df.columns) == ["amount", "merchant"]
    assert set(df["merchant"]) == {"travel"}
    assert df["amount"].dtype == np.float64
