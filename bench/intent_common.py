"""Shared pieces of the intent benchmarks: dataset loading, options, decisions and scores.

Each intent benchmark (:mod:`bench.intent_banking77`, :mod:`bench.intent_clinc150`,
:mod:`bench.intent_fewshot`, :mod:`bench.intent_bitext`) has one ``run`` function that
returns a :class:`bench.result.BenchmarkResult`; its ``main`` prints that result and
``tandem eval benchmarks`` shows it in its table, so both report the same numbers.

Every benchmark takes ``--encoder auto|on|off`` (``auto`` uses the pretrained encoders that
are installed), ``--encoders NAME,...`` (which ones: ``all-MiniLM-L6-v2``,
``all-mpnet-base-v2``) and ``--datasets DIR`` (default ``../shared/datasets``), and prints
``skipped: ...`` and exits 0 when its dataset is absent. The accuracy benchmarks keep the
encoder vectors of the dataset's texts in ``~/.cache/tandem/intent-embeddings`` (keyed by
model, layers and text hash), so a rerun encodes nothing new; ``--no-embedding-cache`` turns
that off.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bench.result import DEFAULT_DATASETS, BenchmarkResult

if TYPE_CHECKING:
    from config.settings import Settings
    from tools.intent import IntentClassifier, IntentPrediction
    from tools.intent.engines import EncoderMode
    from tools.intent.fitting import Head

DEFAULT_EMBEDDING_CACHE = Path.home() / ".cache" / "tandem" / "intent-embeddings"
SEED = 0
FOLDS = 5

__all__ = [
    "DEFAULT_DATASETS",
    "DEFAULT_EMBEDDING_CACHE",
    "FOLDS",
    "SEED",
    "DatasetMissing",
    "IntentOptions",
    "accuracy_scores",
    "cv_folds",
    "ece_of",
    "embedding_memo",
    "engine_details",
    "engine_line",
    "few_shot_draw",
    "load_banking77",
    "load_bitext",
    "load_clinc150",
    "load_line",
    "new_classifier",
    "options_from",
    "parser",
    "print_result",
]


class DatasetMissing(Exception):
    """A benchmark's dataset is absent; the message says where it was looked for."""


@dataclass(frozen=True)
class IntentOptions:
    """The classifier's feature set and where encoder vectors are remembered between runs.

    ``encoders`` names the pretrained encoders to use together (``None``: the first installed
    choice of the ``intent_encoder_models`` setting). ``embedding_cache`` is the folder for
    :func:`embedding_memo` (``None``: remember within the run only). ``head`` chooses the
    linear model (``None``: the classifier's default, the SVM).
    """

    encoder: EncoderMode = "auto"
    encoders: tuple[str, ...] | None = None
    cascade: bool = True
    label_names: bool = True
    embedding_cache: Path | None = None
    head: Head | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> IntentOptions:
        """The options the deployment's settings choose (its ``intent_encoder`` mode)."""
        return cls(encoder=settings.intent_encoder)


def parser(description: str, embedding_cache: bool = True) -> argparse.ArgumentParser:
    """Return an argument parser with the flags every intent benchmark shares.

    ``embedding_cache`` adds ``--embedding-cache DIR`` / ``--no-embedding-cache``.
    """
    result = argparse.ArgumentParser(description=description)
    result.add_argument("--encoder", choices=["auto", "on", "off"], default="auto")
    result.add_argument(
        "--encoders",
        type=lambda value: [name for name in value.split(",") if name],
        default=None,
        help="comma-separated pretrained encoders to use together "
        "(default: the first installed choice of the intent_encoder_models setting)",
    )
    result.add_argument(
        "--no-label-names",
        dest="label_names",
        action="store_false",
        help="do not add each intent's name as a training example",
    )
    result.add_argument(
        "--no-cascade",
        dest="cascade",
        action="store_false",
        help="encode every message (no TF-IDF first stage)",
    )
    result.add_argument(
        "--head",
        choices=["svm", "logistic"],
        default=None,
        help="the linear model (default: svm)",
    )
    result.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    if embedding_cache:
        result.add_argument(
            "--embedding-cache",
            type=Path,
            default=DEFAULT_EMBEDDING_CACHE,
            help="folder keeping encoder vectors of the dataset's texts between runs",
        )
        result.add_argument(
            "--no-embedding-cache", dest="embedding_cache", action="store_const", const=None
        )
    return result


def options_from(args: argparse.Namespace) -> IntentOptions:
    """The :class:`IntentOptions` a command line parsed by :func:`parser` chose."""
    return IntentOptions(
        encoder=args.encoder,
        encoders=tuple(args.encoders) if args.encoders is not None else None,
        cascade=args.cascade,
        label_names=args.label_names,
        head=args.head,
        embedding_cache=getattr(args, "embedding_cache", None),
    )


def embedding_memo(options: IntentOptions) -> AbstractContextManager[None]:
    """The context in which encoder vectors are remembered (and kept in the cache folder)."""
    from tools.intent.encoder_memo import remembered_encoder_features

    return remembered_encoder_features(options.embedding_cache)


def new_classifier(options: IntentOptions) -> IntentClassifier:
    """An untrained intent classifier with the feature set ``options`` choose."""
    from tools.intent import IntentClassifier

    return IntentClassifier(
        options.encoder,
        options.encoders,
        options.cascade,
        label_names=options.label_names,
        head=options.head,
    )


def load_banking77(datasets: Path) -> tuple[list[str], list[str]]:
    """Banking77 ``train.csv`` as (texts, labels); raises :class:`DatasetMissing`."""
    path = datasets / "banking77" / "train.csv"
    if not path.is_file():
        raise DatasetMissing(f"Banking77 not found at {path}")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(row["text"], row["category"]) for row in csv.DictReader(handle)]
    return [t for t, _ in rows], [label for _, label in rows]


def load_clinc150(datasets: Path) -> dict[str, Any]:
    """CLINC150 ``data_train_val.json`` (keys train, val, oos_train, oos_val).

    Raises :class:`DatasetMissing` when absent. Only the train and validation splits are
    read: the test split is never used, for measuring or for choosing anything.
    """
    path = datasets / "clinc150" / "data_train_val.json"
    if not path.is_file():
        raise DatasetMissing(f"CLINC150 not found at {path}")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_bitext(datasets: Path) -> tuple[str, list[str], list[str]]:
    """The Bitext customer-support sample as (file name, texts, labels).

    Raises :class:`DatasetMissing` when no CSV is in ``datasets/bitext``.
    """
    folder = datasets / "bitext"
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        raise DatasetMissing(f"Bitext CSV not found in {folder}")
    with files[0].open(newline="", encoding="utf-8") as handle:
        rows = [(row["instruction"], row["intent"]) for row in csv.DictReader(handle)]
    return files[0].name, [t for t, _ in rows], [label for _, label in rows]


def accuracy_scores(predictions: Sequence[IntentPrediction], gold: list[str]) -> dict[str, float]:
    """Accuracy, macro-F1 and expected calibration error of top-intent predictions."""
    from sklearn.metrics import f1_score

    predicted = [p.intent for p in predictions]
    correct = sum(p == g for p, g in zip(predicted, gold, strict=True))
    return {
        "accuracy": correct / len(gold),
        "macro_f1": float(f1_score(gold, predicted, average="macro", zero_division=0)),
        "ece": ece_of(predictions, gold),
    }


def ece_of(predictions: Sequence[IntentPrediction], gold: list[str]) -> float:
    """Expected calibration error (15 bins) of predictions against gold labels."""
    from tools.intent.calibration import expected_calibration_error

    confidences = np.array([p.confidence for p in predictions])
    correct = np.array([p.intent == g for p, g in zip(predictions, gold, strict=True)])
    return expected_calibration_error(confidences, correct)


def engine_details(classifier: IntentClassifier) -> dict[str, Any]:
    """The trained classifier's feature set and fitted calibration, for a result's details."""
    return {
        "engine": classifier.engine,
        "head": classifier.head,
        "temperature": round(classifier.temperature, 4),
        "cascade_threshold": classifier.cascade_threshold,
    }


def engine_line(details: dict[str, Any]) -> str:
    """Describe the classifier's feature set and calibration (see :func:`engine_details`)."""
    head = "logistic regression" if details.get("head") == "logistic" else "linear SVM"
    line = f"engine:   {details['engine']} ({head}; temperature {details['temperature']:.3f}"
    threshold = details.get("cascade_threshold")
    if threshold is not None:
        line += f"; TF-IDF stage answers at confidence >= {threshold:.2f}"
    return line + ")"


def load_line() -> str:
    """The machine's load average, which makes timings on a shared machine pessimistic."""
    one, five, _ = os.getloadavg()
    return f"load:     average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def cv_folds(labels: list[str], folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) index pairs of the stratified, seeded k-fold split the benchmarks use."""
    from sklearn.model_selection import StratifiedKFold

    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    return list(splitter.split(np.zeros(len(labels)), labels))


def few_shot_draw(labels: list[str], pool: np.ndarray, shots: int, fold: int) -> list[int]:
    """Draw ``shots`` indices per label from ``pool``, seeded by ``fold``, labels sorted."""
    by_label: dict[str, list[int]] = defaultdict(list)
    for index in pool:
        by_label[labels[index]].append(int(index))
    sampler = random.Random(SEED + fold)
    return [index for label in sorted(by_label) for index in sampler.sample(by_label[label], shots)]


def print_result(result: BenchmarkResult, lines: Callable[[BenchmarkResult], list[str]]) -> int:
    """Print a benchmark's result (or why it was skipped); return the process exit code."""
    if result.status == "skipped":
        print(f"skipped: {result.reason}")
        return 0
    for line in lines(result):
        print(line)
    print(f"elapsed:  {result.seconds:.1f} s")
    print(load_line())
    return 0


def fold_summary(per_fold: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Mean accuracy (and its spread), macro-F1 and calibration error over the folds."""
    accuracies = [fold["accuracy"] for fold in per_fold]
    return {
        "accuracy": statistics.fmean(accuracies),
        "accuracy_std": statistics.pstdev(accuracies),
        "macro_f1": statistics.fmean(fold["macro_f1"] for fold in per_fold),
        "ece": statistics.fmean(fold["ece"] for fold in per_fold),
    }


def score_folds(
    texts: list[str],
    labels: list[str],
    splits: Iterable[tuple[Any, Any]],
    options: IntentOptions,
    progress: Callable[[str], None] | None = None,
) -> tuple[list[dict[str, float]], dict[str, Any]]:
    """Train on each split's training rows (indices) and score its test rows.

    Returns the per-fold scores and the engine details of the last classifier;
    ``progress`` receives one line per fold.
    """
    per_fold: list[dict[str, float]] = []
    engine: dict[str, Any] = {}
    with embedding_memo(options):
        for fold, (train_index, test_index) in enumerate(splits, 1):
            classifier = new_classifier(options).train(
                [texts[i] for i in train_index], [labels[i] for i in train_index]
            )
            predictions = classifier.predict_batch([texts[i] for i in test_index])
            scores = accuracy_scores(predictions, [labels[i] for i in test_index])
            per_fold.append(scores)
            engine = engine_details(classifier)
            if progress:
                progress(
                    f"fold {fold}:   accuracy {scores['accuracy']:.4f}  ECE {scores['ece']:.4f}"
                )
    return per_fold, engine
