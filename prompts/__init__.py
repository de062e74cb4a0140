"""Tandem prompts package."""
