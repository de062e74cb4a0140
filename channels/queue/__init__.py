"""Inbound channel messages through a queue: webhooks put them, one consumer takes them in."""
