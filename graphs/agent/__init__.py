"""The model-driven path: the chat model plans the turn, the policy gate enforces the rules."""
