#!/usr/bin/env python3
"""How far a linear model trained on each missed target's own data gets (docs/classifier.md,
"In-domain references for the missed targets").

Each figure comes from a plain logistic or ridge regression over word unigrams and bigrams, fitted
to the very set its target is measured on and measured on held-out data of that set (its dev split,
or 5-fold cross-validation grouped by conversation or prompt). Vigil's shipped heads are smaller and
serve every set at once. Where even this in-domain model stays at or below a target, no amount of
tuning of a linear bag-of-n-grams classifier, the kind the classification issue asks for, should
be expected to reach it on this data. The last figure asks whether crisis-cssrs's user labels can
teach the behaviour rung (they cannot: chance).

    python3 bench/classifier-ceilings.py --data ../shared/data

Needs python3-numpy and python3-scipy (Debian packages). About a minute on 2 cores.
"""
import argparse
import collections
import json
import re
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from scipy.stats import mannwhitneyu, spearmanr

WORD = re.compile(r"[a-z0-9']+|[!?]")


def read(folder, key):
    labels = {}
    for line in open(folder / "labels.jsonl", encoding="utf-8"):
        d = json.loads(line)
        labels[d[key]] = d
    events = [json.loads(line) for line in open(folder / "events.jsonl", encoding="utf-8")]
    return events, labels


def grams(text):
    w = WORD.findall(text.lower())
    return set(w) | {a + " " + b for a, b in zip(w, w[1:])}


class Vocabulary:
    """Unigrams and bigrams seen in the training texts; rows L2-normalised binary indicators."""

    def __init__(self, texts, min_count=1):
        counts = collections.Counter(g for t in texts for g in grams(t))
        self.index = {g: i for i, g in enumerate(sorted(g for g, c in counts.items() if c >= min_count))}

    def matrix(self, texts):
        rows, cols = [], []
        for i, t in enumerate(texts):
            for g in grams(t):
                j = self.index.get(g)
                if j is not None:
                    rows.append(i)
                    cols.append(j)
        m = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(self.index)))
        norm = np.sqrt(np.asarray(m.sum(1))).ravel()
        norm[norm == 0] = 1
        return sp.diags(1 / norm) @ m


def softmax_fit(x, y, classes, l2, weights=None):
    """Multinomial logistic regression (L-BFGS), mean loss plus l2 * |W|^2."""
    n, v = x.shape
    target = np.eye(classes)[y]
    sw = np.ones((n, 1)) if weights is None else weights[:, None]

    def loss(w):
        wm = w.reshape(v + 1, classes)
        z = x @ wm[:-1] + wm[-1]
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        value = -np.sum(sw * target * np.log(p + 1e-12)) / n + l2 * np.sum(wm[:-1] ** 2)
        g = sw * (p - target) / n
        return value, np.vstack([x.T @ g + 2 * l2 * wm[:-1], g.sum(0)]).ravel()

    w = minimize(loss, np.zeros((v + 1) * classes), jac=True, method="L-BFGS-B",
                 options={"maxiter": 500}).x.reshape(v + 1, classes)
    return lambda xt: np.argmax(xt @ w[:-1] + w[-1], 1)


def ridge_cv(texts, y, folds, alpha):
    """Kernel ridge (linear kernel) predictions for every row, each from a model (and vocabulary)
    fitted on the other folds only."""
    out = np.zeros(len(y))
    for k in sorted(set(folds)):
        tr, te = folds != k, folds == k
        vocab = Vocabulary([t for t, m in zip(texts, tr) if m], min_count=2)
        xt = vocab.matrix([t for t, m in zip(texts, tr) if m])
        xe = vocab.matrix([t for t, m in zip(texts, te) if m])
        dual = np.linalg.solve((xt @ xt.T).toarray() + alpha * np.eye(tr.sum()), y[tr] - y[tr].mean())
        out[te] = xe @ (xt.T @ dual) + y[tr].mean()
    return out


def macro_f1(y, p, classes):
    f = []
    for c in range(classes):
        tp = np.sum((p == c) & (y == c))
        denominator = 2 * tp + np.sum((p == c) & (y != c)) + np.sum((p != c) & (y == c))
        f.append(2 * tp / denominator if denominator else 0.0)
    return float(np.mean(f))


def folds_by(ids, k=5, seed=20260105):
    rng = np.random.default_rng(seed)
    assigned = {c: rng.integers(0, k) for c in sorted(set(ids))}
    return np.array([assigned[c] for c in ids])


def sst5(data):
    events, labels = read(data / "sentiment-sst5", "event_id")
    names = ["very_negative", "negative", "neutral", "positive", "very_positive"]
    split = {s: [(e["text"], names.index(labels[e["event_id"]]["sentiment"])) for e in events
                 if labels[e["event_id"]]["split"] == s] for s in ("train", "dev")}
    vocab = Vocabulary([t for t, _ in split["train"]])
    xtr, ytr = vocab.matrix([t for t, _ in split["train"]]), np.array([y for _, y in split["train"]])
    xdv, ydv = vocab.matrix([t for t, _ in split["dev"]]), np.array([y for _, y in split["dev"]])
    print("sentiment-sst5: five-class accuracy on the dev split of a model trained on its train split only"
          " (target 0.45)")
    for l2 in (1e-5, 3e-5, 1e-4, 3e-4):
        print(f"  l2 {l2:g}: {np.mean(softmax_fit(xtr, ytr, 5, l2)(xdv) == ydv):.3f}")


def dailydialog(data):
    events, labels = read(data / "polarity-dailydialog", "event_id")
    names = ["negative", "neutral", "positive"]
    rows = [(e["conversation_id"], e["text"], names.index(labels[e["event_id"]]["polarity"]))
            for e in events if e["event_id"] in labels]
    folds = folds_by([c for c, _, _ in rows])
    y = np.array([p for _, _, p in rows])
    texts = [t for _, t, _ in rows]
    print("polarity-dailydialog: macro-F1, 5-fold cross-validation by conversation, trained on"
          " DailyDialog alone with balanced class weights (target 0.60)")
    for l2 in (1e-5, 3e-5, 1e-4, 3e-4):
        predicted = np.zeros(len(y), dtype=int)
        for k in range(5):
            tr, te = folds != k, folds == k
            vocab = Vocabulary([t for t, m in zip(texts, tr) if m])
            counts = np.bincount(y[tr], minlength=3)
            model = softmax_fit(vocab.matrix([t for t, m in zip(texts, tr) if m]), y[tr], 3, l2,
                                (tr.sum() / (3 * counts))[y[tr]])
            predicted[te] = model(vocab.matrix([t for t, m in zip(texts, te) if m]))
        print(f"  l2 {l2:g}: {macro_f1(y, predicted, 3):.3f}")


def esconv(data):
    events, labels = read(data / "affective", "conversation_id")
    seeker = collections.defaultdict(list)
    for e in events:
        if e["conversation_id"].startswith("esconv") and e["role"] == "HUMAN":
            seeker[e["conversation_id"]].append((e["turn"], e["text"]))
    ids = sorted(c for c, l in labels.items() if c.startswith("esconv") and l.get("final_intensity") is not None
                 and len(seeker[c]) >= 6)
    first = [" ".join(t for _, t in sorted(seeker[c])[:3]) for c in ids]
    last = [" ".join(t for _, t in sorted(seeker[c])[-3:]) for c in ids]
    initial = np.array([labels[c]["initial_intensity"] for c in ids], dtype=float)
    final = np.array([labels[c]["final_intensity"] for c in ids], dtype=float)
    improvement = initial - final
    folds = folds_by(ids)
    # The first and last messages' words are marked apart for the direct prediction.
    both = [f + " " + " ".join("end_" + w for w in WORD.findall(l.lower())) for f, l in zip(first, last)]
    print(f"ESConv ({len(ids)} conversations with six or more seeker messages): Spearman with the seeker's"
          " improvement (target 0.25), ridge regression on ESConv's own intensity labels, 5-fold CV")
    for alpha in (1, 3, 10):
        pi, pf = ridge_cv(first, initial, folds, alpha), ridge_cv(last, final, folds, alpha)
        direct = ridge_cv(both, improvement, folds, alpha)
        print(f"  alpha {alpha}: predicted initial - predicted final {spearmanr(pi - pf, improvement)[0]:.3f}"
              f" (initial alone {spearmanr(pi, initial)[0]:.3f}, final alone {spearmanr(pf, final)[0]:.3f});"
              f" improvement predicted directly {spearmanr(direct, improvement)[0]:.3f}")


def crisis_behaviour(data, disclosures):
    events, labels = read(data / "crisis-cssrs", "conversation_id")
    posts = [(e["conversation_id"], e["text"]) for e in events
             if labels[e["conversation_id"]]["cssrs"] in ("Behavior", "Attempt", "Ideation")]
    y = np.array([1 if labels[u]["cssrs"] in ("Behavior", "Attempt") else 0 for u, _ in posts])
    vocab = Vocabulary([t for _, t in posts], min_count=3)
    written, written_labels = read(disclosures, "event_id")
    rung = [(e["text"], written_labels[e["event_id"]]["level"]) for e in written
            if written_labels[e["event_id"]].get("level")]
    xw = vocab.matrix([t for t, _ in rung])
    behaviour = np.array([1 if level == "behavior" else 0 for _, level in rung])
    print("crisis-cssrs: a head told posts of Behavior/Attempt users from posts of Ideation users (user labels"
          " only), ranking the written disclosures' behaviour rung above their other rungs (AUC; 0.5 is chance)")
    weights = np.where(y == 1, (y == 0).sum() / y.sum(), 1.0)
    for l2 in (1e-4, 1e-3, 1e-2):
        x = vocab.matrix([t for _, t in posts])
        model_scores = _binary_scores(x, y, weights, l2, xw)
        auc = mannwhitneyu(model_scores[behaviour == 1], model_scores[behaviour == 0]).statistic / (
            behaviour.sum() * (1 - behaviour).sum())
        print(f"  l2 {l2:g}: AUC {auc:.3f} ({behaviour.sum()} behaviour, {(1 - behaviour).sum()} other rungs)")


def _binary_scores(x, y, weights, l2, xt):
    n, v = x.shape

    def loss(w):
        z = x @ w[:-1] + w[-1]
        p = 1 / (1 + np.exp(-z))
        value = -np.sum(weights * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))) / n \
            + l2 * np.sum(w[:-1] ** 2)
        g = weights * (p - y) / n
        return value, np.concatenate([x.T @ g + 2 * l2 * w[:-1], [g.sum()]])

    w = minimize(loss, np.zeros(v + 1), jac=True, method="L-BFGS-B", options={"maxiter": 300}).x
    return xt @ w[:-1] + w[-1]


def pushback(data):
    events, labels = read(data / "pushback-xstest", "event_id")
    prompts = {e["conversation_id"]: e["text"] for e in events if e["turn"] == 0}
    rows = [(re.match(r"xstest-(\d+)-", e["conversation_id"]).group(1), prompts[e["conversation_id"]], e["text"],
             1 if labels[e["event_id"]]["pushback"] else 0) for e in events if e["event_id"] in labels]
    folds = folds_by([p for p, _, _, _ in rows])
    y = np.array([r[3] for r in rows])

    def opening(text, tokens=60):
        w = WORD.findall(text.lower())[:tokens]
        return " ".join(w)

    print("pushback-xstest: F1, 5-fold cross-validation grouped by prompt, trained on XSTest alone (target 0.95)")
    for name, texts in (("the reply's first 60 tokens", [opening(r) for _, _, r, _ in rows]),
                        ("the whole reply", [r for _, _, r, _ in rows]),
                        ("the reply's first 60 tokens and the prompt (marked apart)",
                         [opening(r) + " " + " ".join("p_" + w for w in WORD.findall(p.lower())) for _, p, r, _ in rows])):
        for l2 in (3e-5, 1e-4):
            predicted = np.zeros(len(y), dtype=int)
            for k in range(5):
                tr, te = folds != k, folds == k
                vocab = Vocabulary([t for t, m in zip(texts, tr) if m], min_count=2)
                model = softmax_fit(vocab.matrix([t for t, m in zip(texts, tr) if m]), y[tr], 2, l2)
                predicted[te] = model(vocab.matrix([t for t, m in zip(texts, te) if m]))
            tp = np.sum((predicted == 1) & (y == 1))
            print(f"  {name}, l2 {l2:g}: {2 * tp / (2 * tp + np.sum(predicted != y)):.3f}")


def main():
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=here.parent / "shared" / "data")
    parser.add_argument("--disclosures", type=Path, default=here / "streams-app/src/test/resources/dev/vigil"
                        "/classify/eval-sample/crisis-disclosures")
    args = parser.parse_args()
    sst5(args.data)
    dailydialog(args.data)
    esconv(args.data)
    pushback(args.data)
    crisis_behaviour(args.data, args.disclosures)


if __name__ == "__main__":
    main()
