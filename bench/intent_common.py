"""Shared pieces of the intent benchmarks: dataset loading, flags and calibration numbers.

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
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_DATASETS = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets"
DEFAULT_EMBEDDING_CACHE = Path.home() / ".cache" / "tandem" / "intent-embeddings"
SEED = 0


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


def embedding_memo(args: argparse.Namespace) -> Any:
    """The context in which encoder vectors are remembered (and kept in the cache folder)."""
    from tools.intent.encoder_memo import remembered_encoder_features

    return remembered_encoder_features(args.embedding_cache)


def load_banking77(datasets: Path) -> tuple[list[str], list[str]] | None:
    """Banking77 ``train.csv`` as (texts, labels), or None when absent."""
    path = datasets / "banking77" / "train.csv"
    if not path.is_file():
        print(f"skipped: Banking77 not found at {path}")
        return None
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [(row["text"], row["category"]) for row in csv.DictReader(handle)]
    return [t for t, _ in rows], [label for _, label in rows]


def load_clinc150(datasets: Path) -> dict[str, Any] | None:
    """CLINC150 ``data_train_val.json`` (keys train, val, oos_train, oos_val), or None."""
    path = datasets / "clinc150" / "data_train_val.json"
    if not path.is_file():
        print(f"skipped: CLINC150 not found at {path}")
        return None
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def load_bitext(datasets: Path) -> tuple[list[str], list[str]] | None:
    """The Bitext customer-support sample as (texts, labels), or None when absent."""
    folder = datasets / "bitext"
    files = sorted(folder.glob("*.csv")) if folder.is_dir() else []
    if not files:
        print(f"skipped: Bitext CSV not found in {folder}")
        return None
    with files[0].open(newline="", encoding="utf-8") as handle:
        rows = [(row["instruction"], row["intent"]) for row in csv.DictReader(handle)]
    return [t for t, _ in rows], [label for _, label in rows]


def ece_of(predictions: list[Any], gold: list[str]) -> float:
    """Expected calibration error (15 bins) of predictions against gold labels."""
    from tools.intent.calibration import expected_calibration_error

    confidences = np.array([p.confidence for p in predictions])
    correct = np.array([p.intent == g for p, g in zip(predictions, gold, strict=True)])
    return expected_calibration_error(confidences, correct)


def engine_line(classifier: Any) -> str:
    """Describe the classifier's feature set and calibration for the printout."""
    line = f"engine:   {classifier.engine} (temperature {classifier.temperature:.3f}"
    threshold = getattr(classifier, "cascade_threshold", None)
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


def new_classifier(args: argparse.Namespace) -> Any:
    """An untrained intent classifier with the feature set the command line chose."""
    from tools.intent import IntentClassifier

    return IntentClassifier(args.encoder, args.encoders, args.cascade, label_names=args.label_names)
