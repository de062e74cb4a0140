"""Tandem graphs package."""
