"""The Wisconsin Breast Cancer (Diagnostic) data: scikit-learn's copy or the Kaggle CSV."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

#: Class names by label: 1 means malignant, as the diagnosis column's "M".
CLASS_NAMES = ("benign", "malignant")


@dataclass
class BreastCancerData:
    """Features (a DataFrame with the 30 measurement columns) and 0/1 labels (1 = malignant)."""

    features: pd.DataFrame
    labels: np.ndarray
    source: str


def load_embedded() -> BreastCancerData:
    """The copy scikit-learn ships (569 rows, 30 features); needs no network."""
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    features = bunch.frame.drop(columns=["target"])
    features.columns = [_kaggle_name(c) for c in features.columns]
    # scikit-learn codes benign as 1; the Kaggle file (and the W1 document) call
    # malignant the positive class.
    labels = (bunch.target.to_numpy() == 0).astype("int32")
    return BreastCancerData(features, labels, "scikit-learn's embedded copy")


def load_kaggle_csv(path: str | os.PathLike[str]) -> BreastCancerData:
    """Kaggle's ``data.csv``: ``id``, ``diagnosis`` (M/B), 30 features, a trailing empty column."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(
            f"No CSV at {path}. Download data.csv from "
            "https://www.kaggle.com/uciml/breast-cancer-wisconsin-data, or omit --csv "
            "to use the copy scikit-learn ships."
        )
    frame = pd.read_csv(path)
    frame = frame.loc[:, ~frame.columns.str.startswith("Unnamed")]
    if "diagnosis" not in frame.columns:
        raise ValueError(
            f"{path} has no 'diagnosis' column; expected Kaggle's breast-cancer CSV "
            f"(columns id, diagnosis, radius_mean, ...). Found: {list(frame.columns)[:6]}..."
        )
    unknown = set(frame["diagnosis"].unique()) - {"M", "B"}
    if unknown:
        raise ValueError(f"{path}: diagnosis must be M or B, found {sorted(unknown)}.")
    labels = (frame["diagnosis"] == "M").to_numpy().astype("int32")
    features = frame.drop(columns=[c for c in ("id", "diagnosis") if c in frame.columns])
    return BreastCancerData(features.astype("float64"), labels, str(path))


def _kaggle_name(sklearn_name: str) -> str:
    """'mean radius' → 'radius_mean', 'radius error' → 'radius_se' (Kaggle's names)."""
    words = sklearn_name.split(" ")
    kind, measure = words[0], "_".join(words[1:])
    if kind == "mean":
        return f"{measure}_mean"
    if kind == "worst":
        return f"{measure}_worst"
    return f"{'_'.join(words[:-1])}_se"
