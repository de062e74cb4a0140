"""Conversations as a service: the turn runner, live events, server records, leases."""
