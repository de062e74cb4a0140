"""Tandem evals package."""
