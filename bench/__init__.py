"""Benchmarks that measure Tandem components on public datasets in `../shared/datasets`."""
