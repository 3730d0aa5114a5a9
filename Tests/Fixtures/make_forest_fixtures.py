"""Reference values for Earmark's random forest (Sources/Classical), computed with scikit-learn.

Writes two files under Tests/Fixtures/forest/:

forest_exact.safetensors: the deterministic case. 200 training and 100 test rows x 8 features x 3
(unbalanced) classes; forests with bootstrap=False and max_features=None under five settings
(CONFIGS). Without bootstrap and with every feature a candidate, scikit-learn's only randomness is
the order it visits the features in, which decides between splits of exactly equal quality (common
in small nodes: the Gini value depends only on class counts). The fixture therefore records each
tree's `rand_r_state` (the seed of scikit-learn's xorshift feature draws, taken from the tree's
random_state as its Splitter does) and the Swift test replays the same draws, so ties are broken
alike. The features are continuous random floats: no two values of a feature are equal, so the
sorted order of a node's samples (and the order weights are summed in) is unique. Per setting
"<name>/...": rand_r_state (I32, one per tree), proba_train, proba_test (F64), predict_train,
predict_test (I32), importances (F64), and the first tree's node arrays tree_feature (I32, -1 at
leaves), tree_threshold (F64); the hyper-parameters are in the metadata under the setting's name.

forest_bootstrap.safetensors: a noisier 400 + 400 rows x 10 features x 3 classes problem and
scikit-learn's test accuracy for RandomForestClassifier(n_estimators=50) (bootstrap, sqrt features)
with random_state 0..9 ("accuracies", F64); the Swift forest must come within 2 points on average.

Run: python3 Tests/Fixtures/make_forest_fixtures.py  (needs scikit-learn, numpy, safetensors)
"""
import json

import numpy as np
import sklearn
from sklearn.ensemble import RandomForestClassifier

from fixture_io import save

CONFIGS = {
    "full": dict(n_estimators=3),
    "depth": dict(n_estimators=3, max_depth=4),
    "leaf": dict(n_estimators=3, min_samples_leaf=5),
    "split": dict(n_estimators=2, min_samples_split=12, max_depth=7),
    "balanced": dict(n_estimators=2, max_depth=6, class_weight="balanced"),
}


def make_data(rng, rows, features, noise):
    """Continuous features; the class follows two noisy linear scores (unbalanced classes)."""
    x = rng.normal(size=(rows, features)).astype(np.float32)
    score1 = x[:, 0] + 0.8 * x[:, 1] - 0.5 * x[:, 2] + noise * rng.normal(size=rows)
    score2 = x[:, 3] - 0.7 * x[:, 4] + 0.3 * x[:, 0] * x[:, 5] + noise * rng.normal(size=rows)
    y = np.where(score1 > 0.4, 0, np.where(score2 > 0.3, 1, 2)).astype(np.int32)
    return x, y


def tree_arrays(tree):
    feature = tree.tree_.feature.astype(np.int32)
    feature[feature < 0] = -1
    threshold = np.where(feature < 0, 0.0, tree.tree_.threshold)
    return feature, threshold


def exact_case():
    rng = np.random.default_rng(11)
    x, y = make_data(rng, 300, 8, noise=0.5)
    x_train, y_train, x_test = x[:200], y[:200], x[200:]
    tensors = {"x_train": x_train, "y_train": y_train, "x_test": x_test}
    metadata = {"sklearn_version": sklearn.__version__}
    for name, params in CONFIGS.items():
        forest = RandomForestClassifier(bootstrap=False, max_features=None, random_state=7, **params)
        forest.fit(x_train, y_train)
        # Splitter.init: self.rand_r_state = self.random_state.randint(0, RAND_R_MAX)
        tensors[f"{name}/rand_r_state"] = np.array(
            [np.random.RandomState(t.random_state).randint(0, 2147483647) for t in forest.estimators_])
        reference = [tree_arrays(t) for t in forest.estimators_]
        tensors[f"{name}/proba_train"] = forest.predict_proba(x_train)
        tensors[f"{name}/proba_test"] = forest.predict_proba(x_test)
        tensors[f"{name}/predict_train"] = forest.predict(x_train)
        tensors[f"{name}/predict_test"] = forest.predict(x_test)
        tensors[f"{name}/importances"] = forest.feature_importances_
        tensors[f"{name}/tree_feature"], tensors[f"{name}/tree_threshold"] = reference[0]
        metadata[name] = json.dumps(params)
        print(f"{name}: {forest.estimators_[0].tree_.node_count} nodes, "
              f"train accuracy {np.mean(forest.predict(x_train) == y_train):.3f}")
    save("forest/forest_exact.safetensors", tensors, metadata)


def bootstrap_case():
    rng = np.random.default_rng(12)
    x, y = make_data(rng, 800, 10, noise=1.0)
    x_train, y_train, x_test, y_test = x[:400], y[:400], x[400:], y[400:]
    accuracies = [np.mean(RandomForestClassifier(n_estimators=50, random_state=seed).fit(x_train, y_train)
                          .predict(x_test) == y_test) for seed in range(10)]
    print(f"bootstrap: sklearn accuracy {np.mean(accuracies):.4f} (+- {np.std(accuracies):.4f})")
    save("forest/forest_bootstrap.safetensors",
         {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test,
          "accuracies": np.array(accuracies, dtype=np.float64)},
         {"sklearn_version": sklearn.__version__, "n_estimators": "50"})


if __name__ == "__main__":
    exact_case()
    bootstrap_case()
