"""Shared pieces of the intent benchmarks: dataset loading, flags and calibration numbers.

Every benchmark takes ``--encoder auto|on|off`` (``auto`` uses the pretrained encoder when
the ``encoder`` extra is installed) and ``--datasets DIR`` (default ``../shared/datasets``),
and prints ``skipped: ...`` and exits 0 when its dataset is absent.
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

DEFAULT_DATASETS = Path(__file__).resolve().parents[1] / ".." / "shared" / "datasets"
SEED = 0


def parser(description: str) -> argparse.ArgumentParser:
    """Return an argument parser with the flags every intent benchmark shares."""
    result = argparse.ArgumentParser(description=description)
    result.add_argument("--encoder", choices=["auto", "on", "off"], default="auto")
    result.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    return result


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
    return f"engine:   {classifier.engine} (temperature {classifier.temperature:.3f})"
