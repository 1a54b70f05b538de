"""A linear classifier over sentence embeddings and TF-IDF terms, stored as plain arrays.

Training uses scikit-learn's logistic regression; the result is kept as numbers (classes,
vocabulary, IDF, weights) in an .npz blob with no pickle in it, and prediction is a few numpy
products: well under a millisecond after the 3 ms embedding.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .text import EMBEDDING_DIM, embed, terms

# How much the sparse terms count against the embedding (both rows are unit length).
# Chosen by cross-validation on the training examples only (scripts/triage_eval.py --cv).
TERM_WEIGHT = 0.5
# Inverse regularisation strength of the logistic regression, chosen the same way.
C = 20.0
MIN_TERM_COUNT = 1
# Added to the logits of the other agencies' classes after training: moves the out-of-scope
# threshold chosen by cross-validation (at most 3 % of in-scope texts flagged) to 0.5.
OUT_OF_SCOPE_SHIFT = 0.8
OUT_PREFIX = "out:"


@dataclass(frozen=True)
class Classifier:
    classes: np.ndarray  # (k,) str
    vocabulary: dict[str, int]
    idf: np.ndarray  # (v,)
    weights: np.ndarray  # (k, EMBEDDING_DIM + v) float32
    bias: np.ndarray  # (k,)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), k) class probabilities."""
        logits = features(texts, self.vocabulary, self.idf) @ self.weights.T + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        logits /= logits.sum(axis=1, keepdims=True)
        return logits

    def to_bytes(self) -> bytes:
        terms_by_index = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            classes=self.classes.astype(str),
            terms=np.array(terms_by_index, dtype=str),
            idf=self.idf,
            weights=self.weights,
            bias=self.bias,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Classifier:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            vocabulary = {str(t): i for i, t in enumerate(z["terms"])}
            return cls(z["classes"], vocabulary, z["idf"], z["weights"], z["bias"])


def features(texts: Sequence[str], vocabulary: dict[str, int], idf: np.ndarray) -> np.ndarray:
    """[embedding | weighted, L2-normalised TF-IDF of the known terms], one row per text."""
    rows = np.zeros((len(texts), EMBEDDING_DIM + len(vocabulary)), dtype=np.float32)
    rows[:, :EMBEDDING_DIM] = embed(list(texts))
    for r, text in enumerate(texts):
        counts = Counter(t for t in terms(text) if t in vocabulary)
        if not counts:
            continue
        idx = np.fromiter((vocabulary[t] for t in counts), dtype=np.int64, count=len(counts))
        vals = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        vals = (1 + np.log(vals)) * idf[idx]
        rows[r, EMBEDDING_DIM + idx] = TERM_WEIGHT * vals / np.linalg.norm(vals)
    return rows


def train(
    texts: Sequence[str], labels: Sequence[str], weights: Sequence[float] | None = None
) -> Classifier:
    from sklearn.linear_model import LogisticRegression

    documents = [set(terms(t)) for t in texts]
    df = Counter(term for doc in documents for term in doc)
    kept = sorted(t for t, n in df.items() if n >= MIN_TERM_COUNT)
    vocabulary = {t: i for i, t in enumerate(kept)}
    n = len(texts)
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1 for t in kept], dtype=np.float32)
    x = features(texts, vocabulary, idf)
    model = LogisticRegression(C=C, max_iter=3000)
    model.fit(x, list(labels), sample_weight=None if weights is None else np.asarray(weights))
    classes = np.asarray(model.classes_).astype(str)
    bias = model.intercept_.astype(np.float32)
    bias[np.char.startswith(classes, OUT_PREFIX)] += OUT_OF_SCOPE_SHIFT
    return Classifier(
        classes=classes,
        vocabulary=vocabulary,
        idf=idf,
        weights=model.coef_.astype(np.float32),
        bias=bias,
    )
