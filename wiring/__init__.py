"""The composition root: reads `Settings` once and builds every backend Tandem runs on.

Entry points (the server's lifespan, the CLI, evaluation runs, benchmarks, LangGraph Studio)
ask `wiring.root.Root` for what they need; nothing below this package reads settings.
"""
