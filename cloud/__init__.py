"""Clients for cloud services, shared by the libraries and the entry points."""
