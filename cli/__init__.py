"""Tandem cli package."""
