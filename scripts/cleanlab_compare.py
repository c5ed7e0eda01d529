#!/usr/bin/env python3
"""Side by side: Shoal's label-error ranking and cleanlab's, on exactly the same inputs.

The inputs come from Shoal's label-noise evaluation (docs/evaluation/label-noise.md), run with an export
directory as its fifth argument; it writes one sub-directory per noise setting and probability source:

  labels.npy        given (noisy) labels, int32 [n]
  true_labels.npy   the clean labels, int32 [n]
  noise_mask.npy    1 where the given label was flipped, int32 [n]
  pred_probs.npy    the out-of-sample class probabilities Shoal used, float64 [n, K]
  shoal_flagged.npy                    Shoal's flagged examples, most suspect first, int32
  shoal_ranking_self_confidence.npy    every example, most suspect first, int32 [n]
  shoal_ranking_normalized_margin.npy  every example, most suspect first, int32 [n]
  meta.json         the setting, its parameters and the metrics Shoal printed

For each setting this runs cleanlab's confident learning on the same labels and pred_probs:
  find_label_issues(labels, pred_probs, filter_by='prune_by_noise_rate', return_indices_ranked_by='self_confidence')
  find_label_issues(labels, pred_probs)   (cleanlab's defaults)
and cleanlab.rank.get_label_quality_scores (self_confidence and normalized_margin) for the full rankings, and
prints precision, recall and average precision (AP) of each beside Shoal's, recomputed here from the exported
arrays with the same definitions as Shoal's RankingMetrics.

Needs numpy and cleanlab (pip install cleanlab; cleanlab's filter/count import scikit-learn). Where PyPI cannot be
reached, docs/evaluation/label-noise.md says how the run recorded there reconstructed cleanlab's source outside the
repository and ran it with Debian's python3-sklearn. --check-only loads and checks the exported files and prints
Shoal's metrics without cleanlab.

Usage: python3 scripts/cleanlab_compare.py EXPORT_DIR [--check-only]
"""
import json
import sys
from pathlib import Path

import numpy as np

FILES = ["labels", "true_labels", "noise_mask", "pred_probs", "shoal_flagged",
         "shoal_ranking_self_confidence", "shoal_ranking_normalized_margin"]


def load_setting(d):
    """Loads and checks one exported setting; raises ValueError naming the file on any inconsistency."""
    meta = json.loads((d / "meta.json").read_text())
    a = {}
    for name in FILES:
        f = d / (name + ".npy")
        if not f.exists():
            raise ValueError(f"{f}: missing")
        a[name] = np.load(f, allow_pickle=False)
    n, k = meta["n"], meta["num_classes"]
    for name in ("labels", "true_labels", "noise_mask", "shoal_ranking_self_confidence",
                 "shoal_ranking_normalized_margin"):
        if a[name].shape != (n,) or a[name].dtype != np.int32:
            raise ValueError(f"{d / (name + '.npy')}: expected int32 shape ({n},), got {a[name].dtype} {a[name].shape}")
    p = a["pred_probs"]
    if p.shape != (n, k) or p.dtype != np.float64:
        raise ValueError(f"{d / 'pred_probs.npy'}: expected float64 shape ({n}, {k}), got {p.dtype} {p.shape}")
    rows = p.sum(axis=1)
    if not np.allclose(rows, 1.0, atol=1e-6):
        worst = int(np.argmax(np.abs(rows - 1.0)))
        raise ValueError(f"{d / 'pred_probs.npy'}: row {worst} sums to {rows[worst]}, not 1")
    if ((a["labels"] < 0) | (a["labels"] >= k)).any():
        raise ValueError(f"{d / 'labels.npy'}: labels outside 0..{k - 1}")
    mask = a["noise_mask"].astype(bool)
    if not np.array_equal(mask, a["labels"] != a["true_labels"]):
        raise ValueError(f"{d / 'noise_mask.npy'}: does not equal labels != true_labels")
    for name in ("shoal_ranking_self_confidence", "shoal_ranking_normalized_margin"):
        if not np.array_equal(np.sort(a[name]), np.arange(n)):
            raise ValueError(f"{d / (name + '.npy')}: not a permutation of 0..{n - 1}")
    fl = a["shoal_flagged"]
    if fl.ndim != 1 or fl.dtype != np.int32 or len(np.unique(fl)) != len(fl) or ((fl < 0) | (fl >= n)).any():
        raise ValueError(f"{d / 'shoal_flagged.npy'}: expected distinct int32 indices within 0..{n - 1}")
    return meta, a


def precision(flagged, truth):
    return float(truth[flagged].mean()) if len(flagged) else 0.0


def recall(flagged, truth):
    pos = int(truth.sum())
    return float(truth[flagged].sum()) / pos if pos else 0.0


def average_precision(ranking, truth):
    """Mean over the positives of the precision at their rank (ranking: most suspect first), as RankingMetrics."""
    pos = int(truth.sum())
    if pos == 0:
        return 0.0
    hits = truth[ranking]
    tp = np.cumsum(hits)
    return float((tp[hits] / (np.flatnonzero(hits) + 1)).sum() / pos)


def most_suspect_first(scores):
    """Indices by increasing label-quality score; ties keep index order (a stable sort)."""
    return np.argsort(scores, kind="stable")


def row(label, flagged, truth, rank_sc, rank_nm):
    f = "-" if flagged is None else str(len(flagged))
    pr = "-" if flagged is None else f"{precision(flagged, truth):.3f}"
    rc = "-" if flagged is None else f"{recall(flagged, truth):.3f}"
    return (f"| {label} | {f} | {pr} | {rc} | {average_precision(rank_sc, truth):.3f} | "
            f"{average_precision(rank_nm, truth):.3f} |")


def main(argv):
    args = [x for x in argv[1:] if not x.startswith("--")]
    check_only = "--check-only" in argv[1:]
    if len(args) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 64
    root = Path(args[0])
    settings = sorted(d for d in root.iterdir() if (d / "meta.json").exists()) if root.is_dir() else []
    if not settings:
        print(f"no exported settings (sub-directories with meta.json) under {root}", file=sys.stderr)
        return 66
    if not check_only:
        try:
            import cleanlab
            from cleanlab.filter import find_label_issues
            from cleanlab.rank import get_label_quality_scores
        except ImportError:
            print("cleanlab is not installed: pip install cleanlab   (or run with --check-only to check the "
                  "exported files and print Shoal's metrics alone)", file=sys.stderr)
            return 2
        print(f"cleanlab {cleanlab.__version__}, numpy {np.__version__}")

    for d in settings:
        meta, a = load_setting(d)
        truth = a["noise_mask"].astype(bool)
        labels, p = a["labels"], a["pred_probs"]
        print(f"\n### {meta['noise']}; probabilities: {meta['probabilities']} ({d.name})")
        print(f"n={meta['n']}, actual noise rate {truth.mean():.3f}")
        print("| implementation | flagged | precision | recall | AP (self-confidence) | AP (normalized margin) |")
        print("|---|---|---|---|---|---|")
        print(row("Shoal", a["shoal_flagged"], truth, a["shoal_ranking_self_confidence"],
                  a["shoal_ranking_normalized_margin"]))
        s = meta["shoal"]
        recomputed = (len(a["shoal_flagged"]), precision(a["shoal_flagged"], truth), recall(a["shoal_flagged"], truth),
                      average_precision(a["shoal_ranking_self_confidence"], truth))
        printed = (s["flagged"], s["precision"], s["recall"], s["ap_self_confidence"])
        if recomputed[0] != printed[0] or not np.allclose(recomputed[1:], printed[1:], atol=1e-5):
            raise SystemExit(f"{d}: metrics recomputed from the files {recomputed} differ from Shoal's {printed}")
        if check_only:
            continue
        # n_jobs=1: cleanlab 2.0-2.2's multiprocessing path copies pred_probs into a float32 RawArray, which would
        # compare cleanlab on rounded probabilities; single-process it uses the very float64 values Shoal used.
        ranked = find_label_issues(labels, p, filter_by="prune_by_noise_rate",
                                   return_indices_ranked_by="self_confidence", n_jobs=1)
        default_mask = find_label_issues(labels, p, n_jobs=1)
        default = np.flatnonzero(default_mask)
        sc = most_suspect_first(get_label_quality_scores(labels, p, method="self_confidence"))
        nm = most_suspect_first(get_label_quality_scores(labels, p, method="normalized_margin"))
        print(row("cleanlab prune_by_noise_rate, ranked by self_confidence", ranked, truth, sc, nm))
        print(row("cleanlab find_label_issues defaults", default, truth, sc, nm))
        ours, theirs = set(a["shoal_flagged"].tolist()), set(ranked.tolist())
        union = ours | theirs
        print(f"flagged by both {len(ours & theirs)}, only Shoal {len(ours - theirs)}, only cleanlab "
              f"{len(theirs - ours)}, Jaccard {len(ours & theirs) / len(union) if union else 1.0:.4f}")
        same_order = len(ranked) == len(a["shoal_flagged"]) and np.array_equal(ranked, a["shoal_flagged"])
        if not same_order and len(ranked) == len(a["shoal_flagged"]) and ours == theirs:
            # cleanlab's order_label_issues sorts with numpy's default (unstable) argsort, Shoal breaks ties by index:
            # the orders may differ only among examples with exactly equal self-confidence
            self_conf = p[np.arange(len(labels)), labels]
            ties_only = np.array_equal(self_conf[ranked], self_conf[a["shoal_flagged"]])
            print(f"the two orders differ at {int((ranked != a['shoal_flagged']).sum())} positions, "
                  f"{'all of them between examples of exactly equal self-confidence' if ties_only else 'NOT only within ties'}")
        mask_equal = np.array_equal(np.sort(default), np.sort(ranked))
        print(f"Shoal's flagged list in the same order as cleanlab's ranked one: {'yes' if same_order else 'no'}; "
              f"cleanlab's two calls flag the same set: {'yes' if mask_equal else 'no'}; full rankings equal: "
              f"self-confidence {'yes' if np.array_equal(sc, a['shoal_ranking_self_confidence']) else 'no'}, "
              f"normalized margin {'yes' if np.array_equal(nm, a['shoal_ranking_normalized_margin']) else 'no'}")
    if check_only:
        print("\nchecked: every exported file loads with numpy and Shoal's metrics recompute to the printed ones "
              "(cleanlab not run: --check-only)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
