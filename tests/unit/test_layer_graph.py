"""The int8 MiniLM graph with chosen layers exposed: built once, cached, checked on every read."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tools.embeddings import layer_graph as module
from tools.embeddings.layer_graph import cache_file, layer_graph, read_cached
from tools.embeddings.onnx_encoder import WEIGHTS_SHA256, model_path

LAYERS = (4, 5, 6)


@pytest.fixture(scope="module")
def published() -> bytes:
    return model_path().read_bytes()


@pytest.fixture(scope="module")
def built(published: bytes, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A cache folder holding the graph of layers 4-6, and that graph."""
    folder = tmp_path_factory.mktemp("layer-graphs")
    graph, _ = layer_graph(published, WEIGHTS_SHA256, LAYERS, folder)
    return folder, graph


def _no_rebuild(*_: object, **__: object) -> tuple[bytes, list[str]]:
    raise AssertionError("the graph was rebuilt instead of read from the cache")


def test_a_cached_graph_is_read_back_as_built(
    built: tuple[Path, bytes], published: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, graph = built
    assert [path.name for path in folder.iterdir()] == [
        f"{WEIGHTS_SHA256[:16]}-layers-4-5-6.onnx"
    ]  # no temporary file left beside it
    monkeypatch.setattr(module, "with_layer_outputs", _no_rebuild)
    again, names = layer_graph(published, WEIGHTS_SHA256, LAYERS, folder)
    assert again == graph
    assert len(names) == 3 and names[-1] == "last_hidden_state"


def test_a_later_process_uses_the_cache_without_importing_onnx(built: tuple[Path, bytes]) -> None:
    folder, _ = built
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tools.embeddings.layer_graph import configure_layer_graph_cache\n"
        "from tools.embeddings.onnx_encoder import OnnxEmbedder\n"
        f"configure_layer_graph_cache(Path({str(folder)!r}))\n"
        "features = OnnxEmbedder().layer_features(['where is my refund'], [4, 5, 6])\n"
        "print(features.shape, 'onnx' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["(1,", "1152)", "False"]


def test_a_damaged_cache_file_is_rebuilt(
    built: tuple[Path, bytes], published: bytes, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, graph = built
    damaged = cache_file(tmp_path, WEIGHTS_SHA256, LAYERS)
    data = bytearray(cache_file(built[0], WEIGHTS_SHA256, LAYERS).read_bytes())
    data[-100] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="SHA-256"):
        read_cached(damaged, WEIGHTS_SHA256, LAYERS)
    with caplog.at_level(logging.WARNING, logger=module.__name__):
        again, _ = layer_graph(published, WEIGHTS_SHA256, LAYERS, tmp_path)
    assert again == graph
    assert "rebuilding" in caplog.text
    assert read_cached(damaged, WEIGHTS_SHA256, LAYERS)[0] == graph  # written anew


def test_a_file_for_other_layers_or_another_model_is_not_used(
    built: tuple[Path, bytes], tmp_path: Path
) -> None:
    source = cache_file(built[0], WEIGHTS_SHA256, LAYERS)
    other = cache_file(tmp_path, WEIGHTS_SHA256, (5, 6))
    other.write_bytes(source.read_bytes())
    with pytest.raises(ValueError, match="other layers"):
        read_cached(other, WEIGHTS_SHA256, (5, 6))
    with pytest.raises(ValueError, match="another model"):
        read_cached(source, "0" * 64, LAYERS)
    truncated = tmp_path / "truncated.onnx"
    truncated.write_bytes(source.read_bytes()[:200])
    with pytest.raises(ValueError):
        read_cached(truncated, WEIGHTS_SHA256, LAYERS)


def test_a_folder_that_cannot_be_written_only_costs_the_cache(
    built: tuple[Path, bytes], published: bytes, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would be")
    graph, names = layer_graph(published, WEIGHTS_SHA256, LAYERS, blocked)
    assert graph == built[1] and len(names) == 3
