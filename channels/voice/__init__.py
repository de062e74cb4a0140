"""Voice mode: speech to text, text to speech and end-of-turn detection around the turn runner.

A call (`channels.voice.call.VoiceCall`) takes the customer's audio from a transport (the
browser's WebSocket or Twilio Media Streams), transcribes it as it streams, starts a turn when
the customer stops speaking, and speaks the reply sentence by sentence as it is drafted.
"""
