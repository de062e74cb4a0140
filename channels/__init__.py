"""Channel adapters: each provider's inbound webhooks and outbound replies."""
