"""Tandem memory package."""
