"""Reference values for Earmark's evaluation metrics, computed with scikit-learn.

Writes Tests/Fixtures/metrics/roc.safetensors: scores (with ties) and binary labels, sklearn's
roc_auc_score, roc_auc_score(max_fpr=0.1) (McClish-standardised partial AUC) and max_fpr=0.3; and
a 3-class truth/prediction pair with sklearn's per-class precision, recall and F1.
Run: python3 Tests/Fixtures/make_metric_fixtures.py
"""
import numpy as np
from sklearn.metrics import precision_recall_fscore_support, roc_auc_score, confusion_matrix

from fixture_io import save

rng = np.random.default_rng(5)
labels = (rng.random(200) < 0.3).astype(np.int32)
scores = np.round(rng.normal(loc=labels * 1.2, scale=1.0), 1).astype(np.float32)  # rounding makes ties
truth = rng.integers(0, 3, 60).astype(np.int32)
predicted = np.where(rng.random(60) < 0.7, truth, rng.integers(0, 3, 60)).astype(np.int32)
p, r, f, s = precision_recall_fscore_support(truth, predicted, labels=[0, 1, 2], zero_division=0)
save("metrics/roc.safetensors", {
    "scores": scores, "labels": labels,
    "auc": np.array([roc_auc_score(labels, scores.astype(np.float64))], dtype=np.float64),
    "pauc_0.1": np.array([roc_auc_score(labels, scores.astype(np.float64), max_fpr=0.1)], dtype=np.float64),
    "pauc_0.3": np.array([roc_auc_score(labels, scores.astype(np.float64), max_fpr=0.3)], dtype=np.float64),
    "truth": truth, "predicted": predicted,
    "confusion": confusion_matrix(truth, predicted, labels=[0, 1, 2]).astype(np.int32),
    "precision": p, "recall": r, "f1": f,
})
