"""XGBoost boosters (JSON or UBJSON): parsed and checked strictly before XGBoost reads them.

XGBoost trusts the indices in the trees it loads: a child index out of range makes it read
outside its memory and crash the process while scoring. So the document is parsed here (JSON
with unique keys, or our own strict UBJSON reader), every index XGBoost follows is checked, and
only then does XGBoost load the bytes; what it reads back must agree with what we checked.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xgboost as xgb

from app.registry.formats.common import BINARY_OBJECTIVES, FORMAT_NAMES, ArtifactError, reason
from app.registry.formats.scorers import XGBoostScorer
from app.registry.formats.ubjson import Ubjson


def load_xgboost(raw: bytes, fmt: str) -> XGBoostScorer:
    # XGBoost trusts the tree arrays it loads (a child index out of range crashes the process when
    # scoring), so the document is parsed and checked here before XGBoost sees it.
    doc = _parse_xgboost(raw, fmt)
    objective = _binary_objective(doc)
    try:
        num_feature = _check_booster(doc)
        kind = doc["learner"]["gradient_booster"]["name"]
    except Malformed as exc:
        raise ArtifactError(
            f"The file looks like {FORMAT_NAMES[fmt]}, but it is malformed ({exc}); it may be damaged or altered."
        ) from exc
    del doc
    booster = xgb.Booster()
    try:
        booster.load_model(bytearray(raw))
        booster.set_param({"nthread": 1})
        loaded = json.loads(booster.save_config())["learner"]["objective"]["name"]
    except Exception as exc:  # whatever XGBoost raises, the upload does not load
        raise ArtifactError(
            f"The file looks like {FORMAT_NAMES[fmt]}, but XGBoost could not load it ({reason(exc)})."
        ) from exc
    if loaded != objective or booster.num_features() != num_feature:
        raise ArtifactError(
            f"The file looks like {FORMAT_NAMES[fmt]}, but XGBoost reads it differently from our check."
        )
    return XGBoostScorer(booster, fmt, logitraw=objective == "binary:logitraw", inplace=kind != "gblinear")


def _parse_xgboost(raw: bytes, fmt: str) -> dict[str, Any]:
    try:
        doc = json.loads(raw, object_pairs_hook=_unique_keys) if fmt == "xgboost-json" else Ubjson(raw).document()
    except Exception as exc:  # any parse failure (ValueError, RecursionError, ...) means it does not load
        kind = "JSON" if fmt == "xgboost-json" else "UBJSON"
        raise ArtifactError(
            f"The file looks like {FORMAT_NAMES[fmt]}, but it is not valid {kind} ({reason(exc)}); "
            "it may be truncated or damaged."
        ) from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("learner"), dict):
        raise ArtifactError(f"The file looks like {FORMAT_NAMES[fmt]}, but it has no 'learner' section.")
    return doc


def _binary_objective(doc: dict[str, Any]) -> str:
    learner = doc["learner"]
    try:
        objective = str(learner["objective"]["name"])
        params = learner["learner_model_param"]
        classes = int(params.get("num_class", "0"))
        targets = int(params.get("num_target", "1"))
    except (KeyError, TypeError, ValueError) as exc:
        raise ArtifactError(
            "The XGBoost booster does not say what it predicts (its objective or model parameters are missing)."
        ) from exc
    if objective not in BINARY_OBJECTIVES or classes > 2:
        detail = f" with {classes} classes" if classes > 2 else ""
        raise ArtifactError(
            f"The XGBoost booster's objective is {objective}{detail}; Driftwatch serves binary classifiers "
            f"({' or '.join(BINARY_OBJECTIVES)}) for now."
        )
    if targets != 1:
        raise ArtifactError(f"The XGBoost booster predicts {targets} targets; Driftwatch serves one binary target.")
    return objective


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key could be read one way by our check and the other way by XGBoost.
    doc = dict(pairs)
    if len(doc) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return doc


# --- XGBoost structure check ----------------------------------------------------------------------

MAX_FEATURES = 100_000
MAX_CATEGORY = 1 << 24  # XGBoost keeps a bit per category up to the largest code in a split
DELETED_NODE = 2**31 - 1  # split index XGBoost saves for a node pruned away (a leaf nobody points to)
# Per-node arrays of a tree; the first six have been saved by every XGBoost version with JSON models.
NODE_ARRAYS = ("left_children", "right_children", "parents", "split_indices", "split_conditions", "default_left")
OPTIONAL_NODE_ARRAYS = ("split_type", "sum_hessian", "loss_changes", "base_weights")


class Malformed(ValueError):
    """An XGBoost document whose structure XGBoost would trust but must not (the message says where)."""


def _check_booster(doc: dict[str, Any]) -> int:
    """Check every index XGBoost follows when scoring; return the number of features."""
    try:
        learner = doc["learner"]
        num_feature = int(learner["learner_model_param"]["num_feature"])
        if not 1 <= num_feature <= MAX_FEATURES:
            raise Malformed(f"num_feature is {num_feature}, not between 1 and {MAX_FEATURES}")
        for key in ("feature_names", "feature_types"):
            if len(learner.get(key) or ()) not in (0, num_feature):
                raise Malformed(f"{key} does not have one entry per feature")
        booster = learner["gradient_booster"]
        name = booster["name"]
        if name == "gbtree":
            _check_trees(booster["model"], num_feature)
        elif name == "dart":
            n_trees = _check_trees(booster["gbtree"]["model"], num_feature)
            if len(booster["weight_drop"]) != n_trees:
                raise Malformed("weight_drop does not have one weight per tree")
        elif name == "gblinear":
            if len(booster["model"]["weights"]) != num_feature + 1:
                raise Malformed("the linear weights do not match the number of features")
        else:
            raise Malformed(f"unknown booster {name!r}")
    except (Malformed, ArtifactError):
        raise
    except KeyError as exc:
        raise Malformed(f"no {exc} field") from exc
    except (TypeError, ValueError, IndexError) as exc:
        raise Malformed(str(exc)) from exc
    return num_feature


def _check_trees(model: dict[str, Any], num_feature: int) -> int:
    trees = model["trees"]
    n = len(trees)
    if int(model["gbtree_model_param"]["num_trees"]) != n:
        raise Malformed("num_trees does not match the trees")
    info = _ints(model["tree_info"], "tree_info")
    if len(info) != n or np.any(info != 0):  # one output group: every tree adds to the one margin
        raise Malformed("tree_info does not give every tree to the one output")
    if "iteration_indptr" in model:
        indptr = _ints(model["iteration_indptr"], "iteration_indptr")
        if not len(indptr) or indptr[0] != 0 or indptr[-1] != n or np.any(np.diff(indptr) < 0):
            raise Malformed("iteration_indptr does not split the trees into rounds")
    if any(len(v) for v in (model.get("cats") or {}).values()):
        raise ArtifactError(
            "The XGBoost booster was trained on pandas categorical columns, whose category codes Driftwatch "
            "cannot reproduce; train it on numeric codes (feature type 'c') or export it to ONNX."
        )
    for i, tree in enumerate(trees):
        try:
            _check_tree(tree, num_feature)
        except Malformed as exc:
            raise Malformed(f"tree {i}: {exc}") from exc
    return n


def _check_tree(tree: dict[str, Any], num_feature: int) -> None:
    param = tree["tree_param"]
    nodes = int(param["num_nodes"])
    if nodes < 1 or int(param.get("size_leaf_vector", "1")) > 1:
        raise Malformed("not a tree of scalar leaves")
    for key in NODE_ARRAYS + tuple(k for k in OPTIONAL_NODE_ARRAYS if k in tree):
        if len(tree[key]) != nodes:
            raise Malformed(f"{key} has {len(tree[key])} entries for {nodes} nodes")
    left = _ints(tree["left_children"], "left_children")
    right = _ints(tree["right_children"], "right_children")
    split = _ints(tree["split_indices"], "split_indices")
    parents = _ints(tree["parents"], "parents")
    leaf = left == -1
    if np.any(leaf != (right == -1)):
        raise Malformed("a node has one child")
    deleted = leaf & (split == DELETED_NODE)
    owners = np.tile(np.flatnonzero(~leaf), 2)
    kids = np.concatenate([left[~leaf], right[~leaf]])
    if kids.size and (kids.min() < 1 or kids.max() >= nodes):  # node 0 is the root, nobody's child
        raise Malformed("a child index is out of range")
    expected = (~deleted).astype(np.int64)
    expected[0] = 0
    if np.any(np.bincount(kids, minlength=nodes) != expected) or np.any(parents[kids] != owners):
        raise Malformed("a node has no parent, two parents, or the wrong one")
    # Every node must reach the root through its parents (no loop cut off from the root):
    # pointer doubling follows 2^k parents at round k, so log2(nodes) rounds cover any path.
    up = np.zeros(nodes, dtype=np.int64)
    up[kids] = owners
    for _ in range(nodes.bit_length()):
        up = up[up]
    if np.any(up != 0):
        raise Malformed("part of the tree is not connected to its root")
    if np.any(split[~leaf] < 0) or np.any(split[~leaf] >= num_feature):
        raise Malformed(f"a split uses a feature beyond the {num_feature} the model has")
    _check_categories(tree, ~leaf, nodes)


def _check_categories(tree: dict[str, Any], internal: np.ndarray, nodes: int) -> None:
    kinds = _ints(tree.get("split_type", np.zeros(nodes, dtype=np.int64)), "split_type")
    if np.any((kinds != 0) & (kinds != 1)):
        raise Malformed("a split type is neither numerical nor categorical")
    cat_nodes = _ints(tree.get("categories_nodes", ()), "categories_nodes")
    segments = _ints(tree.get("categories_segments", ()), "categories_segments")
    sizes = _ints(tree.get("categories_sizes", ()), "categories_sizes")
    categories = _ints(tree.get("categories", ()), "categories")
    if not len(cat_nodes) == len(segments) == len(sizes):
        raise Malformed("the category lists disagree in length")
    if not np.array_equal(np.sort(cat_nodes), np.flatnonzero(internal & (kinds == 1))):
        raise Malformed("the categorical splits and their category lists disagree")
    if len(segments) and (segments.min() < 0 or sizes.min() < 0 or (segments + sizes).max() > len(categories)):
        raise Malformed("a category list is out of range")
    if len(categories) and (categories.min() < 0 or categories.max() >= MAX_CATEGORY):
        raise Malformed("a category code is out of range")


def _ints(values: Any, what: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1 or (array.size and array.dtype.kind not in "iu"):
        raise Malformed(f"{what} is not a list of integers")
    return array.astype(np.int64)
