"""Model files split over several packages: joining, extracting, and refusing what's missing."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from config.settings import get_settings
from tools.embeddings import encoders
from tools.embeddings.encoders import (
    MPNET,
    MPNET_HINT,
    MPNET_SHA256,
    encoder_available,
    load_encoder,
)
from tools.embeddings.pretrained import PretrainedEmbedder, PretrainedEncoderUnavailable
from tools.embeddings.split_package import (
    SplitArchive,
    SplitPackageMissing,
    default_model_cache,
    extract_split_archive,
)

ARCHIVE = SplitArchive(
    distribution="demo-model-part-{index}",
    part_file="demo_model_part_{index}/input/demo.zip.{index}",
    parts=3,
    folder="demo",
    files=("model.safetensors", "config.json"),
)


def _install_parts(site: Path, payload: dict[str, bytes], parts: int = 3) -> None:
    """Write a zip of ``payload`` split into ``parts`` fake installed distributions."""
    archive = site / "whole.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for name, data in payload.items():
            bundle.writestr(f"demo/{name}", data)
    blob = archive.read_bytes()
    archive.unlink()
    size = -(-len(blob) // parts)
    for number in range(1, parts + 1):
        index = f"{number:03d}"
        info = site / f"demo_model_part_{index}-0.0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: demo-model-part-{index}\n")
        target = site / f"demo_model_part_{index}" / "input" / f"demo.zip.{index}"
        target.parent.mkdir(parents=True)
        target.write_bytes(blob[(number - 1) * size : number * size])


def test_parts_are_joined_and_the_model_files_extracted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    weights = np.random.default_rng(0).bytes(50_000)  # incompressible, spans all parts
    _install_parts(site, {"model.safetensors": weights, "config.json": b"{}", "README.md": b"x"})
    monkeypatch.syspath_prepend(str(site))
    target = extract_split_archive(ARCHIVE, tmp_path / "cache" / "demo")
    assert (target / "model.safetensors").read_bytes() == weights
    assert (target / "config.json").read_bytes() == b"{}"
    assert not (target / "README.md").exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["demo"]  # no scratch left
    # A second call finds the files in place and does not need the parts any more.
    for part in site.glob("demo_model_part_*/input/*"):
        part.unlink()
    assert extract_split_archive(ARCHIVE, target) == target


def test_a_missing_part_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    _install_parts(site, {"model.safetensors": b"w", "config.json": b"{}"}, parts=2)
    monkeypatch.syspath_prepend(str(site))
    with pytest.raises(SplitPackageMissing, match="demo-model-part-003"):
        extract_split_archive(ARCHIVE, tmp_path / "cache" / "demo")
    assert not (tmp_path / "cache" / "demo").exists()


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """Settings re-read from the environment the test sets, and again afterwards."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_model_cache_follows_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    from config.settings import Settings
    from tools.embeddings.split_package import configure_model_cache
    from wiring.backends import load_intent_classifier

    monkeypatch.setenv("TANDEM_MODEL_CACHE", str(tmp_path / "models"))
    settings = Settings(data_dir=tmp_path / "data", intent_encoder="off")
    try:
        load_intent_classifier(settings, _tiny_catalogue())
        assert default_model_cache() == tmp_path / "models"
    finally:
        configure_model_cache(None)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_model_cache() == tmp_path / "xdg" / "tandem" / "models"


def _tiny_catalogue() -> Any:
    from prompts.catalogue import load_catalogue

    return load_catalogue()


def test_mpnet_without_its_parts_is_unavailable_with_the_install_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    monkeypatch.setenv("TANDEM_MODEL_CACHE", str(tmp_path))
    absent = SplitArchive("no-such-model-part-{index}", "x/{index}", 5, "m", ("model.safetensors",))
    monkeypatch.setattr(encoders, "MPNET_ARCHIVE", absent)
    load_encoder.cache_clear()
    try:
        assert not encoder_available(MPNET)
        with pytest.raises(PretrainedEncoderUnavailable, match=r"encoder-mpnet"):
            load_encoder(MPNET)
    finally:
        load_encoder.cache_clear()
    assert not encoder_available("no-such-encoder")


def test_extracted_weights_that_are_not_the_published_ones_are_refused(tmp_path: Path) -> None:
    pytest.importorskip("safetensors")
    pytest.importorskip("tokenizers")
    (tmp_path / "model.safetensors").write_bytes(b"a forged model")
    (tmp_path / "tokenizer.json").write_text("{}")
    assert hashlib.sha256(b"a forged model").hexdigest() != MPNET_SHA256
    with pytest.raises(PretrainedEncoderUnavailable, match="not the published all-mpnet"):
        PretrainedEmbedder(tmp_path, name=MPNET, sha256=MPNET_SHA256)
    with pytest.raises(PretrainedEncoderUnavailable, match=r"reinstall: .*encoder-mpnet"):
        PretrainedEmbedder(tmp_path, name=MPNET, sha256=MPNET_SHA256, hint=MPNET_HINT)


@pytest.mark.skipif(not encoder_available(MPNET), reason="all-mpnet-base-v2 parts not installed")
def test_mpnet_sentence_vectors() -> None:
    embedder = load_encoder(MPNET)
    assert embedder.name == MPNET and embedder.dimension == 768 and embedder.layer_count == 12
    food, bread, card, late = embedder.embed(
        [
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "My card has not arrived",
            "I am still waiting for my new card",
        ]
    )
    assert np.allclose(np.linalg.norm([food, bread, card, late], axis=1), 1.0, atol=1e-5)
    assert float(food @ bread) > 0.5 > abs(float(food @ card))
    assert float(card @ late) > float(card @ bread) + 0.3
    texts = ["hi", "why has my transfer to another bank still not arrived after three days"]
    batch = embedder.embed(texts)
    for text, row in zip(texts, batch, strict=True):
        assert np.allclose(embedder.embed([text])[0], row, atol=1e-5)
