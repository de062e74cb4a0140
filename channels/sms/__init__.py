"""SMS through Twilio: signed webhooks, opt-out keywords, segment-aware plain-text replies."""
