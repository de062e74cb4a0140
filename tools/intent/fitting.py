"""Fit the intent classifier's linear models side by side, one per core.

The model is a linear SVM, or on request logistic regression (see :data:`LOGISTIC_C`).
Training fits up to eight models: the
full model and the TF-IDF first stage on every example, and each of them again on every
calibration fold for out-of-fold scores. liblinear uses one
core per fit and keeps its random generator process-wide, so concurrent fits run in worker
processes (joblib's loky), never in threads: the models are exactly those of fitting one
after the other. Small problems are fitted in this process, where starting workers would
cost more than it saves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import numpy as np
from joblib import Parallel, delayed
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from tools.embeddings.parallel import usable_cores
from tools.intent.calibration import decision_scores

RANDOM_STATE = 0
"""Seed for every stochastic step, so training is deterministic."""

PARALLEL_MIN_NONZEROS = 2_000_000
"""Feature matrices with fewer stored values (summed over the fits) are fitted in-process.

A thousand-example catalogue with TF-IDF features trains in about a second, which is what
starting the worker processes costs; ten thousand examples with encoder features take a
minute per core.
"""


Head: TypeAlias = Literal["svm", "logistic"]
"""The kind of linear model that scores the intents."""

LinearModel: TypeAlias = LinearSVC | LogisticRegression
"""A fitted model of either head."""

LOGISTIC_C = 10.0
"""Inverse regularisation of the logistic head (chosen on Banking77 training folds).

With 10 examples per intent on Banking77 (5 folds of the training set, the int8 MiniLM's layers
4-6) logistic regression at this C was 0.8 point more accurate than the SVM (84.25%
against 83.49%; C=30 no better). It is not the default: on the bundled catalogue it moved
a furious message from the sentiment hand-off (with its apology) to a complaint.
"""


def build_model(head: Head = "svm") -> LinearModel:
    """A fresh, unfitted model of ``head`` with the classifier's hyper-parameters."""
    if head == "logistic":
        return LogisticRegression(C=LOGISTIC_C, class_weight="balanced", max_iter=2000)
    return LinearSVC(C=1.0, class_weight="balanced", random_state=RANDOM_STATE, max_iter=5000)


@dataclass(frozen=True)
class Fit:
    """One model of ``head`` to fit on ``features`` (sparse or dense rows) labelled ``labels``.

    With ``train_rows`` it learns from those rows only; with ``held_out`` the result is
    ``(classes, scores of the held-out rows)`` instead of the model, which keeps the
    answer from a worker process small.
    """

    features: Any
    labels: np.ndarray
    train_rows: np.ndarray | None = None
    held_out: np.ndarray | None = None
    head: Head = "svm"


FitResult: TypeAlias = LinearModel | tuple[np.ndarray, np.ndarray]
"""A fitted model, or ``(classes, scores)`` for a fit with held-out rows."""


def run_fit(fit: Fit) -> FitResult:
    """Fit one model (see :class:`Fit`)."""
    features, labels = fit.features, fit.labels
    if fit.train_rows is not None:
        features, labels = features[fit.train_rows], labels[fit.train_rows]
    model = build_model(fit.head).fit(features, labels)
    if fit.held_out is None:
        return model
    return np.asarray(model.classes_), decision_scores(model, fit.features[fit.held_out])


def _stored_values(fit: Fit) -> int:
    features = fit.features
    size = features.nnz if hasattr(features, "nnz") else int(np.size(features))
    rows = features.shape[0]
    used = len(fit.train_rows) if fit.train_rows is not None else rows
    return int(size * used / max(rows, 1))


def run_fits(fits: Sequence[Fit], workers: int | None = None) -> list[FitResult]:
    """Fit every model in ``fits``; return their results in the same order.

    ``workers`` defaults to the usable cores when the problem is large enough to gain from
    them (see :data:`PARALLEL_MIN_NONZEROS`), and to one otherwise.
    """
    if workers is None:
        large = sum(_stored_values(fit) for fit in fits) >= PARALLEL_MIN_NONZEROS
        workers = usable_cores() if large else 1
    workers = max(1, min(workers, len(fits)))
    if workers == 1:
        return [run_fit(fit) for fit in fits]
    # The largest fits first, so the last one to start is a short one.
    order = sorted(range(len(fits)), key=lambda index: -_stored_values(fits[index]))
    results = Parallel(n_jobs=workers, backend="loky")(
        delayed(run_fit)(fits[index]) for index in order
    )
    by_index = dict(zip(order, results, strict=True))
    return [by_index[index] for index in range(len(fits))]


def linear_parts(model: LinearModel) -> tuple[np.ndarray, np.ndarray]:
    """(coef, intercept) with one row per class, also for a two-class model."""
    coef = np.asarray(model.coef_, dtype=np.float64)
    intercept = np.asarray(model.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:
        coef = np.vstack([-coef, coef]) / 2.0
        intercept = np.array([-intercept[0], intercept[0]]) / 2.0
    return coef, intercept
