"""WhatsApp through Meta's Cloud API: webhook verification, payloads, Graph API replies."""
