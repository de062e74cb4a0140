"""The int8 MiniLM graph with chosen layers' hidden states as outputs, built once and cached.

The published ``model.onnx`` outputs only the last layer. :func:`with_layer_outputs` reads it
with the ``onnx`` package and adds the hidden states after the requested layers (the outputs
of their final LayerNorm, found by the weights they normalise with). Reading and rebuilding
the graph costs more than running it, so :func:`layer_graph` writes the result to a cache
folder, keyed by the published file's SHA-256 and the layers, and later processes load those
bytes without importing ``onnx`` at all.

A cache file is one header line (JSON: the key, the output names, the SHA-256 of the graph
that follows) and the graph's bytes. It is written to a temporary file and renamed into
place, and its digest is checked on every read: a truncated or altered file is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tools.embeddings.split_package import default_model_cache

logger = logging.getLogger(__name__)

LAYERS = 6
"""Transformer layers of the model; layer 0 is the embeddings' output, layer 6 the last."""

_LAYER_NORM = re.compile(
    r"(?:^|\.)(?:embeddings|encoder\.layer\.(\d+)\.output)\.LayerNorm\.weight$"
)
"""The weight of the LayerNorm that ends the embeddings or a layer (not its attention's)."""

FORMAT = "tandem-onnx-layers/1"
"""Marks a cache file's header, so a file of another format is rebuilt, not misread."""

_configured_folder: Path | None = None


def configure_layer_graph_cache(folder: Path | None) -> None:
    """Cache layer graphs in ``folder`` from now on (None: beside the extracted models).

    Called at start-up by the composition root with a folder under the data folder.
    """
    global _configured_folder
    _configured_folder = folder


def layer_graph_cache() -> Path:
    """The folder layer graphs are cached in: the configured one, else the model cache."""
    return _configured_folder or default_model_cache() / "onnx-layers"


def with_layer_outputs(
    model: bytes, layers: Sequence[int], count: int = LAYERS
) -> tuple[bytes, list[str]]:
    """Return ``model`` with the hidden states of ``layers`` as graph outputs, and their names.

    ``names[i]`` is the output holding the states after ``layers[i]`` (0: the embeddings),
    each ``(batch, sequence, hidden)`` like the graph's own output; only those layers are
    added. Raises ``ValueError`` when the graph does not have one such LayerNorm for the
    embeddings and each of its ``count`` layers, or a layer is outside 0-``count``.
    """
    import onnx

    proto = onnx.load_from_string(model)
    graph = proto.graph
    found: dict[int, str] = {}
    for node in graph.node:
        if node.op_type != "LayerNormalization" or len(node.input) < 2:
            continue
        match = _LAYER_NORM.search(node.input[1])
        if match:
            found[int(match.group(1)) + 1 if match.group(1) else 0] = node.output[0]
    if sorted(found) != list(range(count + 1)):
        raise ValueError(f"expected the LayerNorms of layers 0-{count}, found {sorted(found)}")
    outside = [layer for layer in layers if layer not in found]
    if outside:
        raise ValueError(f"the graph has layers 0-{count}, not {outside}")
    existing = {output.name for output in graph.output}
    template = graph.output[0].type
    for layer in dict.fromkeys(layers):
        if found[layer] not in existing:
            graph.output.append(onnx.ValueInfoProto(name=found[layer], type=template))
    return proto.SerializeToString(), [found[layer] for layer in layers]


def cache_file(folder: Path, source_sha256: str, layers: Sequence[int]) -> Path:
    """Where the graph of ``layers`` built from the model with ``source_sha256`` is cached."""
    return folder / f"{source_sha256[:16]}-layers-{'-'.join(map(str, layers))}.onnx"


def read_cached(path: Path, source_sha256: str, layers: Sequence[int]) -> tuple[bytes, list[str]]:
    """Return the graph and output names cached at ``path``.

    Raises ``OSError`` when the file cannot be read and ``ValueError`` when it is not a
    complete cache file for this model and these layers.
    """
    data = path.read_bytes()
    header, separator, graph = data.partition(b"\n")
    if not separator:
        raise ValueError("no header line")
    meta = json.loads(header)
    if not isinstance(meta, dict):
        raise ValueError("the header is not a JSON object")
    expected = {"format": FORMAT, "source_sha256": source_sha256, "layers": list(layers)}
    if any(meta.get(key) != value for key, value in expected.items()):
        raise ValueError("built for another model or other layers")
    if hashlib.sha256(graph).hexdigest() != meta.get("sha256"):
        raise ValueError("the graph does not match its recorded SHA-256")
    names = meta.get("outputs")
    if not isinstance(names, list) or len(names) != len(layers):
        raise ValueError("the output names are missing")
    return graph, [str(name) for name in names]


def write_cached(
    path: Path, source_sha256: str, layers: Sequence[int], graph: bytes, names: list[str]
) -> None:
    """Write ``graph`` and its output names to ``path`` atomically (rename into place)."""
    header = {
        "format": FORMAT,
        "source_sha256": source_sha256,
        "layers": list(layers),
        "outputs": names,
        "sha256": hashlib.sha256(graph).hexdigest(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "wb") as sink:
            sink.write(json.dumps(header).encode() + b"\n" + graph)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def layer_graph(
    model: bytes, source_sha256: str, layers: Sequence[int], folder: Path | None = None
) -> tuple[bytes, list[str]]:
    """Return ``model`` with ``layers`` exposed and their output names, from the cache if there.

    ``source_sha256`` must be the digest of ``model`` (the caller has checked it). A missing
    or damaged cache file is rebuilt with ``onnx``; a folder that cannot be written only
    costs the cache.
    """
    path = cache_file(folder or layer_graph_cache(), source_sha256, layers)
    if path.exists():
        try:
            return read_cached(path, source_sha256, layers)
        except (OSError, ValueError) as error:
            logger.warning("rebuilding the layer graph cached at %s: %s", path, error)
    graph, names = with_layer_outputs(model, layers)
    try:
        write_cached(path, source_sha256, layers, graph, names)
    except OSError as error:
        logger.warning("could not cache the layer graph at %s: %s", path, error)
    return graph, names
