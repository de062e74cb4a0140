"""Load time of the int8 MiniLM encoder in a fresh process, with and without its layer cache.

Each run is a new Python process that imports the encoder, loads the model and builds its
ONNX Runtime session for the layers given (``OnnxEmbedder(layers=...)``); the time from the
first import to a ready session is measured inside the child. Three cases, run in turn:

- ``last layer``: the published graph as it is (what the knowledge base's search uses);
- ``layers L, cold cache``: an empty cache folder each run, so ``onnx`` reads and rebuilds the
  graph every time (the cost every process paid before the cache);
- ``layers L, cached``: the folder holds the built graph, so ``onnx`` is not imported.

Prints min / median / max wall and CPU seconds per case (CPU time is less disturbed by other
work on the machine), and whether the child imported ``onnx``.

    OMP_NUM_THREADS=1 .venv/bin/python -m bench.encoder_load [--runs 3] [--layers 5,6]

``--layers`` defaults to the layers the intent features use (`INTENT_ENCODER_LAYERS`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tools.intent.features import INTENT_ENCODER_LAYERS

ROOT = Path(__file__).resolve().parents[1]
FEATURE_LAYERS = ",".join(map(str, INTENT_ENCODER_LAYERS["all-MiniLM-L6-v2-int8"]))
"""The int8 encoder's layers the intent features use: what a deployment loads."""

CHILD = """
import resource, sys, time
started = time.perf_counter()
from pathlib import Path
from tools.embeddings.layer_graph import configure_layer_graph_cache
from tools.embeddings.onnx_encoder import OnnxEmbedder
configure_layer_graph_cache(Path(sys.argv[1]))
OnnxEmbedder(layers=[int(layer) for layer in sys.argv[2].split(",")])
usage = resource.getrusage(resource.RUSAGE_SELF)
print(time.perf_counter() - started, usage.ru_utime + usage.ru_stime, "onnx" in sys.modules)
"""


def load_once(folder: Path, layers: str) -> tuple[float, float, bool]:
    """Load the encoder for ``layers`` in a child process.

    Returns the wall seconds from the first import to a ready session, the child's CPU
    seconds (user + system, including the interpreter's start) and whether it imported onnx.
    """
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), layers],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    wall, cpu, imported = done.stdout.split()
    return float(wall), float(cpu), imported == "True"


def _spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def _case(name: str, runs: list[tuple[float, float, bool]]) -> str:
    wall = _spread([run[0] for run in runs])
    cpu = _spread([run[1] for run in runs])
    imported = "/".join(sorted({"yes" if run[2] else "no" for run in runs}))
    return f"{name:<28} {wall:<20} {cpu:<20} {imported}"


def main(argv: list[str] | None = None) -> int:
    """Time each case ``--runs`` times and print one line per case."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=3, help="Runs per case (default 3).")
    parser.add_argument(
        "--layers",
        default=FEATURE_LAYERS,
        help=f"Layers to expose (default {FEATURE_LAYERS}, the intent features').",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="tandem-encoder-load-") as scratch:
        base = Path(scratch)
        load_once(base / "warm", args.layers)  # fills the cache the cached case reads (not timed)
        last, cold, warm = [], [], []
        for run in range(args.runs):  # interleaved, so a change in the machine's load hits all
            last.append(load_once(base / "unused", "6"))
            cold.append(load_once(base / f"cold-{run}", args.layers))
            warm.append(load_once(base / "warm", args.layers))
    print(f"{'case':<28} {'wall s (min/med/max)':<20} {'CPU s (min/med/max)':<20} onnx imported")
    print(_case("last layer (published)", last))
    print(_case(f"layers {args.layers}, cold cache", cold))
    print(_case(f"layers {args.layers}, cached", warm))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
