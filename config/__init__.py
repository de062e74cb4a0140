"""Tandem config package."""
