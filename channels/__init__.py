"""Channels that carry conversations to and from customers."""
