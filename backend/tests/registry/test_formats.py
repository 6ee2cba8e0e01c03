"""Uploaded model formats: XGBoost JSON/UBJ and ONNX load and score exactly like their own libraries;
pickles, broken files and models Driftwatch cannot serve are refused with a sentence saying why,
and nothing is ever unpickled."""

from __future__ import annotations

import copy
import gzip
import io
import json
import pickle
import subprocess
import sys
import textwrap
import zipfile
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import onnx
import pandas as pd
import pytest
import xgboost as xgb
from onnx import TensorProto, helper, numpy_helper
from skl2onnx import to_onnx
from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType
from sklearn.datasets import load_breast_cancer, load_iris
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from app.registry import formats
from app.registry.formats import ArtifactError, onnx_models, sniffing

NOT_A_MODEL = "not an XGBoost JSON/UBJ booster or an ONNX model"
PICKLE_REFUSED = "a Python pickle: refused, because loading a pickle runs code"


def refused(call, *args, words: tuple[str, ...]) -> str:
    """Run ``call(*args)``, expect an ArtifactError of one line containing every word (case-insensitive)."""
    with pytest.raises(ArtifactError) as info:
        call(*args)
    message = str(info.value)
    assert "\n" not in message, message
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    return message


# --- XGBoost ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def xgb_data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1_000, 5)).astype(np.float32)
    y = (X[:, 0] - 0.5 * X[:, 3] + rng.normal(scale=0.5, size=1_000) > 0).astype(int)
    return X, y


def train_booster(X: np.ndarray, y: np.ndarray, rounds: int = 8, **params) -> xgb.Booster:
    params = {"objective": "binary:logistic", "nthread": 1, **params}
    return xgb.train(params, xgb.DMatrix(X, label=y), rounds)


@pytest.fixture(scope="module")
def booster(xgb_data) -> xgb.Booster:
    return train_booster(*xgb_data, max_depth=3)


@pytest.mark.parametrize("kind", ["json", "ubj"])
def test_an_xgboost_booster_scores_exactly_like_xgboost(kind, booster, xgb_data):
    X, _ = xgb_data
    raw = bytes(booster.save_raw(kind))
    assert formats.sniff(raw) == f"xgboost-{kind}"

    for scorer in (formats.load(raw), formats.load(raw, f"xgboost-{kind}")):
        assert scorer.format == f"xgboost-{kind}"
        assert scorer.n_features == 5
        assert scorer.explainable
        p = scorer.predict_proba(X)
        assert p.dtype == np.float64 and p.shape == (1_000,)
        np.testing.assert_allclose(p, booster.inplace_predict(X), rtol=0, atol=1e-6)
        formats.check_inputs(scorer, 5)


@pytest.mark.parametrize("kind", ["json", "ubj"])
def test_xgboost_contributions_add_up_to_the_margin(kind, booster, xgb_data):
    X, _ = xgb_data
    scorer = formats.load(bytes(booster.save_raw(kind)))
    contributions = scorer.contributions(X)
    assert contributions.shape == (1_000, 6)  # one per feature, the bias last
    margin = booster.inplace_predict(X, predict_type="margin")
    np.testing.assert_allclose(contributions.sum(axis=1), margin, rtol=0, atol=1e-4)


def test_a_logitraw_booster_is_turned_into_probabilities(xgb_data):
    X, y = xgb_data
    raw_booster = train_booster(X, y, objective="binary:logitraw")
    scorer = formats.load(bytes(raw_booster.save_raw("ubj")))
    formats.check_inputs(scorer, 5)
    margin = raw_booster.inplace_predict(X, predict_type="margin").astype(np.float64)
    np.testing.assert_allclose(scorer.predict_proba(X), 1 / (1 + np.exp(-margin)), rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "params",
    [
        {"tree_method": "exact", "gamma": 3.0, "max_depth": 6},  # pruning leaves deleted nodes in the trees
        {"booster": "dart", "rate_drop": 0.2},
        {"booster": "gblinear"},
        {"num_parallel_tree": 3, "subsample": 0.8},
    ],
    ids=["pruned", "dart", "gblinear", "forest"],
)
def test_every_kind_of_binary_booster_passes_the_structure_check(params, xgb_data):
    X, y = xgb_data
    trained = train_booster(X, y, **params)
    if "gamma" in params:
        trees = json.loads(bytes(trained.save_raw("json")))["learner"]["gradient_booster"]["model"]["trees"]
        assert any(t["tree_param"]["num_deleted"] != "0" for t in trees)
    expected = trained.predict(xgb.DMatrix(X))
    for kind in ("json", "ubj"):
        scorer = formats.load(bytes(trained.save_raw(kind)))
        formats.check_inputs(scorer, 5)
        np.testing.assert_allclose(scorer.predict_proba(X), expected, rtol=0, atol=1e-6)


def test_categorical_splits_on_numeric_codes_are_accepted():
    rng = np.random.default_rng(1)
    X = np.column_stack([rng.integers(0, 4, 2_000), rng.normal(size=2_000)]).astype(np.float32)
    y = ((X[:, 0] == 2) | (X[:, 1] > 1)).astype(int)
    dmatrix = xgb.DMatrix(X, label=y, enable_categorical=True, feature_types=["c", "q"])
    trained = xgb.train({"objective": "binary:logistic", "max_cat_to_onehot": 1}, dmatrix, 5)
    trees = json.loads(bytes(trained.save_raw("json")))["learner"]["gradient_booster"]["model"]["trees"]
    assert any(1 in tree["split_type"] for tree in trees)  # the test is about categorical splits
    scorer = formats.load(bytes(trained.save_raw("ubj")))
    np.testing.assert_allclose(scorer.predict_proba(X), trained.inplace_predict(X), rtol=0, atol=1e-6)


def test_an_xgboost_scorer_is_safe_to_share_between_threads(booster, xgb_data):
    X, _ = xgb_data
    scorer = formats.load(bytes(booster.save_raw("ubj")))
    expected_p, expected_c = scorer.predict_proba(X), scorer.contributions(X)

    def work(i: int) -> bool:
        rows = slice(0, 200 + i * 100)
        return np.array_equal(scorer.predict_proba(X[rows]), expected_p[rows]) and np.array_equal(
            scorer.contributions(X[rows]), expected_c[rows]
        )

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert all(pool.map(work, range(8)))


def test_an_empty_batch_scores_to_an_empty_array(booster):
    scorer = formats.load(bytes(booster.save_raw("json")))
    assert scorer.predict_proba(np.zeros((0, 5), dtype=np.float32)).shape == (0,)


# --- ONNX -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cancer() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_breast_cancer(return_X_y=True)
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def sklearn_models(cancer) -> dict[str, object]:
    X, y = cancer
    return {
        "logistic": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1_000)).fit(X, y),
        "boosting": GradientBoostingClassifier(n_estimators=50, random_state=0).fit(X, y),
    }


def to_onnx_bytes(model, n_features: int | None = 30, *, zipmap: bool = True, tensor=FloatTensorType) -> bytes:
    options = {id(model): {"zipmap": zipmap}}
    return to_onnx(model, initial_types=[("input", tensor([None, n_features]))], options=options).SerializeToString()


@pytest.mark.parametrize("zipmap", [True, False], ids=["zipmap", "tensor"])
@pytest.mark.parametrize("name", ["logistic", "boosting"])
def test_an_onnx_classifier_scores_like_scikit_learn(name, zipmap, sklearn_models, cancer):
    X, _ = cancer
    model = sklearn_models[name]
    raw = to_onnx_bytes(model, zipmap=zipmap)
    assert formats.sniff(raw) == "onnx"

    scorer = formats.load(raw)
    assert scorer.format == "onnx"
    assert scorer.n_features == 30
    assert not scorer.explainable
    formats.check_inputs(scorer, 30)
    p = scorer.predict_proba(X)
    assert p.dtype == np.float64 and p.shape == (len(X),)
    np.testing.assert_allclose(p, model.predict_proba(X)[:, 1], rtol=0, atol=1e-5)
    with pytest.raises(NotImplementedError):
        scorer.contributions(X)


def test_an_onnx_model_with_a_double_input_is_fed_doubles(sklearn_models, cancer):
    X, _ = cancer
    model = sklearn_models["logistic"]
    scorer = formats.load(to_onnx_bytes(model, zipmap=False, tensor=DoubleTensorType))
    np.testing.assert_allclose(scorer.predict_proba(X), model.predict_proba(X)[:, 1], rtol=0, atol=1e-5)


def test_an_onnx_model_of_unknown_width_is_checked_by_scoring_zeros(sklearn_models):
    scorer = formats.load(to_onnx_bytes(sklearn_models["logistic"], n_features=None, zipmap=False))
    assert scorer.n_features is None
    formats.check_inputs(scorer, 30)
    refused(formats.check_inputs, scorer, 29, words=("could not score a row of 29 zeros",))


def make_model(nodes, inputs, outputs, initializers=()) -> bytes:
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


def matrix(name: str, width, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, ["n", width])


WEIGHTS = np.array([[0.5], [-1.0], [2.0]], dtype=np.float32)


def linear_model(*, sigmoid: bool, bias: float = 0.0) -> bytes:
    """x (n, 3) @ WEIGHTS + bias, through a sigmoid or not: one score per row, like a PyTorch export."""
    nodes = [helper.make_node("MatMul", ["x", "W"], ["z0"]), helper.make_node("Add", ["z0", "b"], ["z"])]
    if sigmoid:
        nodes.append(helper.make_node("Sigmoid", ["z"], ["p"]))
    initializers = [
        numpy_helper.from_array(WEIGHTS, "W"),
        numpy_helper.from_array(np.array([bias], dtype=np.float32), "b"),
    ]
    return make_model(nodes, [matrix("x", 3)], [matrix("p" if sigmoid else "z", 1)], initializers)


def test_an_onnx_model_with_one_probability_column_is_served():
    scorer = formats.load(linear_model(sigmoid=True, bias=0.25))
    formats.check_inputs(scorer, 3)
    X = np.random.default_rng(2).normal(size=(100, 3)).astype(np.float32)
    expected = 1 / (1 + np.exp(-(X.astype(np.float64) @ WEIGHTS[:, 0] + 0.25)))
    np.testing.assert_allclose(scorer.predict_proba(X), expected, rtol=0, atol=1e-6)


# --- Refusals ---------------------------------------------------------------------------------------


@pytest.fixture
def no_unpickling(monkeypatch):
    """Fail the test if anything is unpickled from here on."""

    def unpickled(*args, **kwargs):
        raise AssertionError("something was unpickled")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, unpickled)
    monkeypatch.setattr(joblib, "load", unpickled)


def test_an_empty_file_is_refused():
    refused(formats.sniff, b"", words=("empty",))
    refused(formats.load, b"", words=("empty",))
    refused(formats.load, b"", "onnx", words=("empty",))


@pytest.mark.parametrize(
    ("raw", "what"),
    [
        (np.random.default_rng(3).bytes(4_096), "binary data"),
        (b"age,income,label\n31,52000,0\n", "text"),
        (b'{"model": "not xgboost"}', "a JSON document"),
        (b"\x89HDF\r\n\x1a\n" + bytes(64), "HDF5"),
        (b"tree\nversion=v4\nnum_class=1\n", "LightGBM"),
    ],
    ids=["random", "text", "json", "hdf5", "lightgbm"],
)
def test_a_file_of_another_kind_is_refused_saying_what_it_is(raw, what):
    refused(formats.sniff, raw, words=(what, NOT_A_MODEL))
    refused(formats.load, raw, words=(what, NOT_A_MODEL))


@pytest.mark.parametrize("protocol", [0, 1, 2, 4, 5])
def test_a_pickle_is_refused_without_being_unpickled(protocol, sklearn_models, no_unpickling):
    raw = pickle.dumps(sklearn_models["logistic"], protocol=protocol)
    words = (PICKLE_REFUSED, "export the model to ONNX or XGBoost JSON/UBJ")
    refused(formats.sniff, raw, words=words)
    refused(formats.load, raw, words=words)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("member", ["model.pkl", "archive/data.pkl"], ids=["joblib-style", "torch-style"])
def test_a_zipped_pickle_is_refused_without_being_unpickled(member, sklearn_models, no_unpickling):
    raw = zipped({member: pickle.dumps(sklearn_models["logistic"]), "version": b"3\n"})
    refused(formats.load, raw, words=(PICKLE_REFUSED, member))


def test_a_compressed_pickle_and_a_plain_zip_are_refused(sklearn_models, no_unpickling):
    compressed = gzip.compress(pickle.dumps(sklearn_models["logistic"]))
    refused(formats.load, compressed, words=("gzip-compressed", NOT_A_MODEL, "pickle"))
    refused(formats.load, zipped({"model.json": b"{}"}), words=("zip archive", NOT_A_MODEL))


def test_a_file_over_the_size_limit_is_refused(booster, monkeypatch):
    raw = bytes(booster.save_raw("ubj"))
    monkeypatch.setattr(sniffing, "MAX_ARTIFACT_BYTES", 1_000)  # where the check reads it
    refused(formats.sniff, raw, words=("over the 1000 bytes limit",))
    refused(formats.load, raw, "xgboost-ubj", words=("limit",))


def test_a_truncated_onnx_model_is_refused(sklearn_models):
    raw = to_onnx_bytes(sklearn_models["boosting"])
    half = raw[: len(raw) // 2]
    assert formats.sniff(half) == "onnx"
    refused(formats.load, half, words=("ONNX model", "truncated"))


@pytest.mark.parametrize("kind", ["json", "ubj"])
def test_a_truncated_xgboost_booster_is_refused(kind, booster):
    raw = bytes(booster.save_raw(kind))
    refused(formats.load, raw[: len(raw) // 2], words=(f"XGBoost {kind.upper()} booster", "truncated"))


def test_an_unknown_format_name_is_refused(booster):
    refused(formats.load, bytes(booster.save_raw("json")), "pickle", words=("unknown model format",))


def test_a_multiclass_or_regression_booster_is_refused(xgb_data):
    X, _ = xgb_data
    labels = np.arange(len(X)) % 3
    multiclass = train_booster(X, labels, objective="multi:softprob", num_class=3)
    refused(formats.load, bytes(multiclass.save_raw("ubj")), words=("multi:softprob", "3 classes", "binary"))
    regression = train_booster(X, X[:, 0], objective="reg:squarederror")
    refused(formats.load, bytes(regression.save_raw("json")), words=("reg:squarederror", "binary classifiers"))


def test_a_booster_trained_on_pandas_categories_is_refused():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"colour": pd.Categorical(rng.choice(["red", "blue"], 500)), "x": rng.normal(size=500)})
    y = ((frame.colour == "red") & (frame.x > 0)).astype(int)
    trained = xgb.train({"objective": "binary:logistic"}, xgb.DMatrix(frame, label=y, enable_categorical=True), 3)
    refused(formats.load, bytes(trained.save_raw("json")), words=("pandas categorical",))


def test_the_input_width_must_match_the_schema(booster, sklearn_models):
    xgb_scorer = formats.load(bytes(booster.save_raw("json")))
    refused(formats.check_inputs, xgb_scorer, 4, words=("expects 5 input columns but the schema has 4 features",))
    onnx_scorer = formats.load(to_onnx_bytes(sklearn_models["logistic"]))
    refused(formats.check_inputs, onnx_scorer, 29, words=("expects 30 input columns but the schema has 29 features",))


@pytest.mark.parametrize("zipmap", [True, False], ids=["zipmap", "tensor"])
def test_a_multiclass_onnx_classifier_is_refused(zipmap):
    X, y = load_iris(return_X_y=True)
    model = LogisticRegression(max_iter=1_000).fit(X.astype(np.float32), y)
    scorer = formats.load(to_onnx_bytes(model, 4, zipmap=zipmap))
    refused(formats.check_inputs, scorer, 4, words=("3 classes", "binary classifiers"))


def test_an_onnx_model_that_outputs_scores_not_probabilities_is_refused():
    logits = formats.load(linear_model(sigmoid=False, bias=2.5))
    refused(formats.check_inputs, logits, 3, words=("not one probability in [0, 1]",))
    pair = make_model(
        [helper.make_node("MatMul", ["x", "W"], ["z0"]), helper.make_node("Add", ["z0", "b"], ["z"])],
        [matrix("x", 3)],
        [matrix("z", 2)],
        [
            numpy_helper.from_array(np.ones((3, 2), np.float32), "W"),
            numpy_helper.from_array(np.array([0, 3], dtype=np.float32), "b"),
        ],
    )
    refused(formats.check_inputs, formats.load(pair), 3, words=("does not sum to 1",))


def test_an_onnx_model_must_take_one_float_matrix():
    two_inputs = make_model(
        [helper.make_node("Add", ["a", "b"], ["p"])], [matrix("a", 3), matrix("b", 3)], [matrix("p", 3)]
    )
    refused(formats.load, two_inputs, words=("2 inputs", "one float matrix"))
    integers = make_model(
        [helper.make_node("Cast", ["x"], ["p"], to=TensorProto.FLOAT)],
        [matrix("x", 1, TensorProto.INT64)],
        [matrix("p", 1)],
    )
    refused(formats.load, integers, words=("tensor(int64)", "float matrix"))


def external(tensor: TensorProto, location: str) -> TensorProto:
    """``tensor`` with its data said to live in the file ``location``, as onnx's save_as_external_data writes."""
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", str(4 * 3))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return tensor


@pytest.mark.parametrize("where", ["initializer", "constant"])
def test_an_onnx_model_with_external_data_is_refused_even_if_the_file_is_there(where, tmp_path, monkeypatch):
    # onnxruntime resolves external data against the working directory for a model loaded from bytes.
    (tmp_path / "secret.bin").write_bytes(b"SECRETSECRET")
    monkeypatch.chdir(tmp_path)
    weights = external(numpy_helper.from_array(WEIGHTS, "W"), "secret.bin")
    if where == "initializer":
        nodes, initializers = [helper.make_node("MatMul", ["x", "W"], ["p"])], [weights]
    else:
        nodes = [helper.make_node("Constant", [], ["W"], value=weights), helper.make_node("MatMul", ["x", "W"], ["p"])]
        initializers = []
    raw = make_model(nodes, [matrix("x", 3)], [matrix("p", 1)], initializers)
    refused(formats.load, raw, words=("external file", "'W'"))


def test_the_onnx_schema_subset_matches_onnx_proto():
    """The field numbers copied from onnx.proto to find tensors without the onnx package are right."""
    for message, fields in onnx_models.ONNX_TENSOR_PATHS.items():
        descriptor = getattr(onnx, message).DESCRIPTOR
        for name, number, kind in fields:
            field = descriptor.fields_by_name[name]
            assert field.number == number, f"{message}.{name}"
            assert field.is_repeated == kind.endswith("*"), f"{message}.{name}"
            if field.message_type is not None:
                assert field.message_type.name == kind.rstrip("*"), f"{message}.{name}"


# --- Malformed XGBoost boosters (XGBoost itself would crash on them when scoring) ---------------------


def with_first_tree(booster: xgb.Booster, left: list[int], right: list[int], split: list[int] | None = None) -> bytes:
    """The booster as JSON with its first tree replaced by one of the given shape (parents derived)."""
    doc = json.loads(bytes(booster.save_raw("json")))
    tree = copy.deepcopy(doc["learner"]["gradient_booster"]["model"]["trees"][0])
    nodes = len(left)
    parents = [2147483647] * nodes
    for i, (a, b) in enumerate(zip(left, right, strict=True)):
        for child in (a, b):
            if 0 <= child < nodes:
                parents[child] = i
    tree.update(left_children=left, right_children=right, parents=parents, split_indices=split or [0] * nodes)
    for key in ("split_conditions", "sum_hessian", "loss_changes", "base_weights"):
        tree[key] = [0.0] * nodes
    tree["default_left"] = tree["split_type"] = [0] * nodes
    tree["tree_param"]["num_nodes"] = str(nodes)
    doc["learner"]["gradient_booster"]["model"]["trees"][0] = tree
    return json.dumps(doc).encode()


def test_a_well_formed_replacement_tree_is_accepted(booster):
    """The helper below builds valid trees, so each refusal is down to the one defect it plants."""
    formats.check_inputs(formats.load(with_first_tree(booster, [1, -1, -1], [2, -1, -1])), 5)


@pytest.mark.parametrize(
    ("left", "right", "split", "words"),
    [
        ([1, -1, -1], [1_000_000, -1, -1], None, "child index is out of range"),
        ([1, -1, -1], [0, -1, -1], None, "child index is out of range"),  # back to the root
        ([1, -1, -1], [1, -1, -1], None, "two parents"),
        ([1, -1, -1], [-1, -1, -1], None, "one child"),
        ([1, -1, -1, 4, 3, -1, -1], [2, -1, -1, 5, 6, -1, -1], None, "not connected to its root"),  # 3 <-> 4
        ([1, -1, -1], [2, -1, -1], [5, 0, 0], "beyond the 5"),
    ],
    ids=["out-of-range", "to-root", "two-parents", "one-child", "detached-loop", "feature"],
)
def test_a_booster_with_a_malformed_tree_is_refused_before_xgboost_sees_it(booster, left, right, split, words):
    refused(formats.load, with_first_tree(booster, left, right, split), words=("malformed", "tree 0", words))


def test_a_booster_with_a_repeated_key_is_refused(booster):
    raw = bytes(booster.save_raw("json"))
    doubled = raw.replace(b'"left_children":', b'"left_children":[1,-1,-1],"left_children":', 1)
    refused(formats.load, doubled, words=("appears twice",))


FUZZ = textwrap.dedent(
    """
    import sys
    import numpy as np, xgboost as xgb
    from app.registry import formats
    from sklearn.datasets import load_breast_cancer
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType
    from sklearn.ensemble import GradientBoostingClassifier

    X, y = load_breast_cancer(return_X_y=True)
    X = X.astype(np.float32)
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 3}, xgb.DMatrix(X, label=y), 5)
    forest = GradientBoostingClassifier(n_estimators=5, random_state=0).fit(X, y)
    onnx_raw = to_onnx(forest, initial_types=[("input", FloatTensorType([None, 30]))]).SerializeToString()
    rng = np.random.default_rng(int(sys.argv[1]))
    for raw in (bytes(booster.save_raw("json")), bytes(booster.save_raw("ubj")), onnx_raw):
        for i in range(int(sys.argv[2])):
            damaged = bytearray(raw)
            if i % 2:
                damaged = damaged[: rng.integers(1, len(raw))]
            else:
                for _ in range(rng.integers(1, 4)):
                    damaged[rng.integers(0, len(damaged))] = rng.integers(0, 256)
            try:
                scorer = formats.load(bytes(damaged))
                formats.check_inputs(scorer, 30)
                scorer.predict_proba(X)
            except formats.ArtifactError:
                pass
    """
)


@pytest.mark.slow  # a child process: a crash must not take the test run with it
def test_damaged_artifacts_are_refused_without_crashing_the_process():
    # In a child process: before the structure check, a booster with one damaged byte in its
    # tree arrays crashed XGBoost (a segmentation fault) when scoring.
    child = subprocess.run(
        [sys.executable, "-c", FUZZ, "7", "150"], capture_output=True, text=True, timeout=300, check=False
    )
    assert child.returncode == 0, child.stderr[-3_000:]
