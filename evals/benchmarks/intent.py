"""Intent benchmarks with Tandem's own classifier, as benchmark rows.

The measuring is in :mod:`bench` (one implementation each, also run as
``python -m bench.intent_*``); these adapters choose the classifier's options and
thresholds from the deployment's settings:

- Banking77: stratified 5-fold cross-validation on ``train.csv``
  (:mod:`bench.intent_banking77`), and with 10 examples per intent
  (:mod:`bench.intent_fewshot`).
- CLINC150: train on ``train``, evaluate on ``val``, out-of-scope recall by the class, the
  classifier's fitted rejection threshold and the ``intent_confidence_threshold`` setting
  (:mod:`bench.intent_clinc150`).
- Bitext: a stratified 80/20 held-out split (:mod:`bench.intent_bitext`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from bench import intent_banking77, intent_bitext, intent_clinc150, intent_fewshot
from bench.intent_common import IntentOptions
from bench.result import BenchmarkResult
from config.settings import Settings, get_settings

BASELINE = "TF-IDF+SVM"
"""What the same-run baseline is: the classifier's TF-IDF block and linear SVM alone."""


def with_baseline(
    result: BenchmarkResult,
    options: IntentOptions,
    measure: Callable[[IntentOptions], BenchmarkResult],
) -> BenchmarkResult:
    """Put the TF-IDF+SVM baseline, measured in this run, beside each of ``result``'s metrics.

    ``measure`` runs the same benchmark with other options. Nothing is added when the
    result was itself measured without an encoder, or was not measured at all.
    """
    if result.status != "ok" or options.encoder == "off":
        return result
    if result.details.get("engine", "").count("+") == 0:
        return result
    baseline = measure(replace(options, encoder="off", encoders=None, head="svm"))
    for metric, value in baseline.metrics.items():
        if metric not in result.metrics:
            continue
        same_run = f"{BASELINE} {value:.4f} (this run)"
        earlier = result.reference.get(metric)
        result.reference[metric] = f"{same_run}; {earlier}" if earlier else same_run
        result.details[f"{metric}_baseline"] = value
    return result


def banking77(datasets: Path, settings: Settings | None = None) -> BenchmarkResult:
    """Stratified 5-fold cross-validation of the classifier on Banking77's ``train.csv``."""
    options = IntentOptions.from_settings(settings or get_settings())
    result = intent_banking77.run(datasets, options)
    return with_baseline(result, options, lambda other: intent_banking77.run(datasets, other))


def banking77_fewshot(datasets: Path, settings: Settings | None = None) -> BenchmarkResult:
    """Banking77 with 10 training examples per intent, tested on each held-out fold."""
    options = IntentOptions.from_settings(settings or get_settings())
    result = intent_fewshot.run(datasets, options)
    return with_baseline(result, options, lambda other: intent_fewshot.run(datasets, other))


def clinc150(datasets: Path, settings: Settings | None = None) -> BenchmarkResult:
    """CLINC150 ``train`` → ``val``: in-scope accuracy and out-of-scope recall."""
    settings = settings or get_settings()
    options = IntentOptions.from_settings(settings)
    threshold = settings.intent_confidence_threshold
    result = intent_clinc150.run(datasets, threshold, options)
    return with_baseline(
        result, options, lambda other: intent_clinc150.run(datasets, threshold, other)
    )


def bitext(datasets: Path, settings: Settings | None = None) -> BenchmarkResult:
    """Stratified 80/20 held-out split of the Bitext customer-support sample."""
    options = IntentOptions.from_settings(settings or get_settings())
    return intent_bitext.run(datasets, options)
