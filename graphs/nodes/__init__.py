"""Nodes of the support graph, one concern per module."""
