"""Twilio's standard SMS keywords: opt-out, opt-in and help.

A message consisting of just one of these words (any case, surrounding spaces and
punctuation ignored) is a keyword. Twilio's carriers-mandated defaults: after an opt-out
keyword the number receives nothing more until it opts back in.
"""

from __future__ import annotations

from typing import Literal

Keyword = Literal["opt_out", "opt_in", "help"]

OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"})
OPT_IN = frozenset({"START", "YES", "UNSTOP"})
HELP = frozenset({"HELP", "INFO"})


def keyword(body: str) -> Keyword | None:
    """The keyword `body` is, if it is one."""
    word = body.strip().strip(".!?").upper()
    if word in OPT_OUT:
        return "opt_out"
    if word in OPT_IN:
        return "opt_in"
    if word in HELP:
        return "help"
    return None
