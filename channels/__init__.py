"""Channels: every way a customer writes in (email, messaging, voice) on one path.

An adapter per channel turns the provider's inbound message into an `InboundMessage` and
renders an `OutboundReply` for the provider; everything between them is shared: the
`Inbox` deduplicates, identifies the sender, finds the conversation and starts the turn,
and `Delivery` sends every bot and human-agent reply back on the conversation's channel.
"""
