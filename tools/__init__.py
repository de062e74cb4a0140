"""Tandem tools package."""
