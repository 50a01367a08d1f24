"""The embedders, with the real offline MiniLM model (loaded once per session)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vestige_client.embed import DEFAULT_MODEL, resolve_embedder
from vestige_client.errors import EmbeddingError

# Documented in docs/CONFIGURATION.md and frozen: registered databases depend on it.
DEFAULT_HASH = "9f898d2fee2422ff51cab74f4702db33d6e6f12384234f7b35303fda7cd3a8ea"


def test_the_default_model_hash_is_the_documented_one() -> None:
    embedder = resolve_embedder(DEFAULT_MODEL)
    assert (embedder.name, embedder.dimension, embedder.hash) == (DEFAULT_MODEL, 384, DEFAULT_HASH)


def test_documents_and_queries_embed_to_unit_vectors_that_rank_by_meaning() -> None:
    embedder = resolve_embedder(DEFAULT_MODEL)
    docs = embedder.embed_documents(["The cat sleeps on the sofa", "Quarterly revenue grew by 8%"])
    query = embedder.embed_query("where is the kitten napping?")
    assert query.shape == (384,) and query.dtype == np.float32
    assert np.allclose([np.linalg.norm(v) for v in [*docs, query]], 1.0, atol=1e-5)
    assert float(query @ docs[0]) > float(query @ docs[1])
    assert embedder.embed_query("where is the kitten napping?") is query, (
        "repeated queries come from the cache"
    )


def test_matryoshka_truncation_keeps_the_first_dimensions_renormalised() -> None:
    full = resolve_embedder(DEFAULT_MODEL).embed_query("truncate me")
    short = resolve_embedder(f"{DEFAULT_MODEL}@128")
    vector = short.embed_query("truncate me")
    assert short.dimension == 128 and vector.shape == (128,)
    assert np.allclose(vector, full[:128] / np.linalg.norm(full[:128]), atol=1e-5)
    assert short.hash != resolve_embedder(DEFAULT_MODEL).hash


@pytest.mark.parametrize("spec", [f"{DEFAULT_MODEL}@0", f"{DEFAULT_MODEL}@x", "@128", f"{DEFAULT_MODEL}@512"])
def test_a_bad_truncation_is_refused(spec: str) -> None:
    with pytest.raises(EmbeddingError, match=r"positive|has 384 dimensions"):
        resolve_embedder(spec)


def test_a_model_that_is_not_on_disk_is_an_error_not_a_download(tmp_path: Path) -> None:
    embedder = resolve_embedder(str(tmp_path / "no-such-model"))
    with pytest.raises(EmbeddingError, match="cannot load the embedding model"):
        embedder.embed_query("hello")
