"""The graph LangGraph Studio (`langgraph dev`) loads: `langgraph.json` points here.

It is built by the composition root from the settings (environment and `.env`), without a
checkpointer: the LangGraph server brings its own persistence.
"""

from __future__ import annotations

from config.settings import get_settings
from wiring.root import Root

graph = Root(get_settings()).graph(None)
