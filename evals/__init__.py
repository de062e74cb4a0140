"""Tandem's evaluation harness: versioned suites, metrics, reports, comparison, benchmarks.

`evals.loader` reads suites from `evals/suites/`, `evals.runner` plays them through the
real support graph, `evals.metrics` and `evals.compare` score and compare runs, and
`evals.benchmarks` runs the public datasets. `tandem eval` (`cli/eval.py`) drives it all.
"""
