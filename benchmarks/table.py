"""The generated part of BENCHMARKS.md: one section per machine entry of benchmarks/results.json
(results_store), each a table of Earmark beside the peers. The figure helpers (`value`, `ratio`,
`percent`, `limits`) are the ones benchmarks/notes_check.py checks the hand-written notes with, so a
note and the table cannot disagree about what a figure is. Standard library only.
"""
import statistics

import results_store

BEGIN = "<!-- generated results: begin (benchmarks/run.py rewrites this part) -->"
END = "<!-- generated results: end -->"

# (figure key, label, target: at least this many times the faster peer). CNN training 3x and RNN
# inference 2x are the targets of the second speed round (3x / 2x on every CPU family met so far).
MODEL_ROWS = [
    ("cnn_train_windows_per_s", "CNN training, windows/s (fwd + bwd + Adam, batch 32)", 3.0),
    ("rnn_train_windows_per_s", "RNN training, windows/s (fwd + bwd + Adam, batch 32)", 2.0),
    ("cnn_infer_windows_per_s", "CNN inference, windows/s (batch 32)", 1.5),
    ("rnn_infer_windows_per_s", "RNN inference, windows/s (batch 32)", 2.0),
]
PEER_NAMES = [("keras", "Keras"), ("pytorch", "PyTorch")]
COMMON = {"windows", "batch_size", "window_count", "warmup_passes", "timed_passes"}   # shown once, not per peer
PREDICT_KEYS = {"predict_10s_clip_seconds", "predict_startup_seconds", "predict_10s_clip_seconds_warm",
                "predict_10s_clip_seconds_first_in_process"}
KNOWN = ({k for k, _, _ in MODEL_ROWS} | PREDICT_KEYS |
         {"mfcc_windows_per_s", "mfcc_windows_per_s_all_cores", "cnn_train_peak_rss_mib", "cnn_train_sgemm_gflops",
          "rnn_train_sgemm_gflops", "clean_seconds_per_s_44k", "clean_seconds_per_s_16k",
          "clean_seconds_per_s_44k_all_cores", "clean_seconds_per_s_16k_all_cores", "fma_peak_gflops"})


def fmt(v):
    return "-" if v is None else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}")


def value(entry, fw, key):
    """The median figure `key` of framework `fw` ("earmark", "keras", ...), or None."""
    f = entry.get(fw, {}).get("figures", {}).get(key)
    return None if f is None else f["value"]


def ratio(entry, key):
    """Earmark over the faster peer for a model row, or None."""
    ours, peer = value(entry, "earmark", key), faster_peer(entry, key)
    return ours / peer if ours and peer else None


def limits(entry):
    """sgemm limits in GFLOP/s by `cnn_train`, ...: the median over the run's rounds. An entry recorded
    before per-round limits were kept has its training limits' rounds among Earmark's figures
    (`cnn_train_sgemm_gflops`) and only the last round's inference limits; `limits_basis` says which."""
    rounds = entry.get("sgemm_limit_gflops_rounds")
    if rounds:
        return {k: statistics.median(v) for k, v in rounds.items()}
    out = dict(entry.get("sgemm_limit_gflops", {}))
    for kind in ("cnn", "rnn"):
        f = entry.get("earmark", {}).get("figures", {}).get(f"{kind}_train_sgemm_gflops")
        if f:
            out[f"{kind}_train"] = statistics.median(f["rounds"])
    return out


def limits_basis(entry):
    if entry.get("sgemm_limit_gflops_rounds"):
        return "the median over rounds of each limit"
    return ("the median over rounds for training; the last round's for inference (this entry predates "
            "per-round limits)")


def percent(entry, fw, key):
    """A model figure's FLOP rate over the median sgemm limit of its products, in percent, or None."""
    kind, what = key.split("_")[0], "train" if "_train_" in key else "infer"
    limit, fpw = limits(entry).get(f"{kind}_{what}"), entry.get("flops_per_window", {}).get(f"{kind}_{what}")
    v = value(entry, fw, key)
    return 100 * v * fpw / 1e9 / limit if v and limit and fpw else None


def fma_peak(entry):
    """The CPU's FMA peak over all cores in GFLOP/s (`bench`'s register-only FMA chains): the highest of
    the run's rounds, each the best of its timed runs. A ceiling, so the most generous figure is kept."""
    f = entry.get("earmark", {}).get("figures", {}).get("fma_peak_gflops")
    return max(f.get("rounds") or [f["value"]]) if f else None


def ceiling(entry, key):
    """A model row's ceiling in windows/s: the FMA peak over the FLOPs of its products per window, what
    it would reach if its products ran at the peak and every other operation cost nothing; or None."""
    kind, what = key.split("_")[0], "train" if "_train_" in key else "infer"
    peak, fpw = fma_peak(entry), entry.get("flops_per_window", {}).get(f"{kind}_{what}")
    return peak * 1e9 / fpw if peak and fpw else None


def faster_peer(entry, key):
    """The faster peer's figure for a model row, or None."""
    peers = [v for v in (value(entry, fw, key) for fw, _ in PEER_NAMES) if v]
    return max(peers) if peers else None


def whole_run_products(entry):
    """Seconds the whole run's CNN training products take alone, (at the sgemm limit, at the FMA peak):
    the windows its steps went through x the CNN's training FLOPs per window; or None."""
    windows = whole_run(entry, "earmark", "train", "trained_windows")
    fpw = entry.get("flops_per_window", {}).get("cnn_train")
    limit, peak = limits(entry).get("cnn_train"), fma_peak(entry)
    if not (windows and fpw and limit and peak):
        return None
    return windows * fpw / limit / 1e9, windows * fpw / peak / 1e9


def cold_clip(entry, fw):
    """Per-clip work of one whole `predict` process: the whole process minus its start-up."""
    if fw == "earmark":
        whole = value(entry, "earmark", "predict_10s_clip_seconds")
        start = value(entry, "earmark", "predict_startup_seconds")
    else:
        whole = value(entry, "keras_predict", "predict_10s_clip_seconds_batched")
        start = value(entry, "keras_predict", "predict_startup_seconds")
    return whole - start if whole and start else None


def whole_run(entry, side, kind, what):
    """A whole-run figure: side "earmark" or "reference", kind "train" or "predict",
    what "seconds" or "peak_rss_mib"."""
    r = entry.get("whole_run", {}).get(side, {}).get(kind)
    return None if r is None else r.get(what)


def yes(ok):
    return "yes" if ok else "**no**"


def header(entry, current):
    e, m = entry["earmark"], entry["earmark"]["machine"]
    rounds = entry.get("rounds", 0)
    lines = [f"### {results_store.cpu_label(m)}, OpenBLAS {entry.get('openblas_version', 'not recorded')} "
             f"{m.get('blas_core')} kernels{' (this run)' if current else ''}", "",
             f"Generated by `make bench` ({rounds} round{'s' if rounds != 1 else ''}, "
             "Earmark and the peers alternately; "
             f"each figure is the median over rounds of each run's median of {e['settings'].get('timed_passes')} "
             f"timed passes) on {entry.get('generated')}.", ""]
    if entry.get("conditions"):
        lines += [f"**{entry['conditions']}**", ""]
    lines += [f"- Machine: {results_store.cpu_label(m)}, {m.get('cores')} cores, {entry.get('memory')}; {entry.get('os')}.",
              f"- Earmark: {entry.get('swift')}; OpenBLAS {entry.get('openblas_version', 'not recorded')}, "
              f"{m.get('blas_core')} kernels (openblas_get_corename); "
              f"{e['settings'].get('parallelism')}; FTZ/DAZ {e['settings'].get('ftz_daz')}; "
              f"build `{entry.get('build')}`.",
              f"- OpenBLAS environment: OPENBLAS_CORETYPE={m.get('OPENBLAS_CORETYPE')}, "
              f"OPENBLAS_L2_SIZE={m.get('OPENBLAS_L2_SIZE')} (the same for every process of the run)."]
    for fw, name in PEER_NAMES + [("features", "Features"), ("keras_predict", "Keras predict")]:
        s = entry.get(fw, {}).get("settings", {})
        if s:
            lines.append(f"- {name}: " + ", ".join(f"{k} {v}" for k, v in sorted(s.items()) if k not in COMMON))
    if e["settings"].get("mfcc_windows"):
        lines.append(f"- Audio: `bench` writes the inputs (benchmarks/peers read the same files): MFCC on "
                     f"{e['settings']['mfcc_windows']}; cleaning of 30 s 16-bit WAVs at 44.1 kHz and 16 kHz "
                     "(tone bursts with quiet gaps); `predict` of a 10 s 44.1 kHz clip with the reference CNN "
                     "(10 classes, seeded random weights) as a whole process, from spawn to exit with the CSV "
                     "written, median of 5 runs after one warm-up (Keras: the same, `python keras_predict.py --once`); "
                     "start-up alone: `predict --version` / a Python process that imports Keras, librosa and "
                     "python_speech_features and exits; warm: the clip again in the same process after the first "
                     "(decode, resample, gate, MFCC, network, mean; no CSV), median of 5.")
    lines += [f"- Windows: {e['settings'].get('window_count')} windows, {e['settings'].get('windows')}, "
              f"batch {e['settings'].get('batch_size')}; every framework trains and infers on the same windows.",
              "- sgemm limit: `cblas_sgemm` alone on the products Earmark's layers issue (each layer reports "
              "them: im2col products, the 16, 25 or 36 Winograd products of eligible 3x3 convolutions, the output crop, "
              "the LSTM's column blocks; forward and backward, the fused plan's for inference), arranged as "
              "Earmark runs them (data-parallel: each core multiplies its replica's share of the batch at the "
              "same time); `(x%)` beside a figure is its FLOP rate (those FLOPs per window x windows/s) over "
              f"that limit ({limits_basis(entry)}). A peer's percentage uses Earmark's counts, so above 100% "
              "means it needs fewer operations or runs them faster than these products (oneDNN's direct "
              "convolutions, fused LSTM)."]
    return lines


def model_rows(entry):
    lines = []
    for key, label, factor in MODEL_ROWS:
        def cell(fw):
            v, p = value(entry, fw, key), percent(entry, fw, key)
            return "-" if v is None else (f"{fmt(v)} ({p:.0f}%)" if p is not None else fmt(v))
        r = ratio(entry, key)
        lines.append(f"| {label} | {cell('earmark')} | {cell('keras')} | {cell('pytorch')} | "
                     f">= {factor}x faster peer | {'-' if r is None else f'{r:.2f}x'} | "
                     f"{'-' if r is None else yes(r >= factor)} |")
    return lines


def audio_rows(entry):
    lines = []
    psf = value(entry, "features", "mfcc_windows_per_s_python_speech_features")
    lib = value(entry, "features", "mfcc_windows_per_s_librosa")
    cores = entry["earmark"]["machine"].get("cores", "all")
    # the headline compares one thread with one thread; the whole-process row is recorded beside it
    for key, what, target in (("mfcc_windows_per_s", "one thread", True),
                              ("mfcc_windows_per_s_all_cores", f"one process, {cores} threads", False)):
        ours = value(entry, "earmark", key)
        r = ours / psf if ours and psf else None
        met = "" if r is None or not target else yes(r >= 30)
        lines.append(f"| MFCC, windows/s (0.1 s at 16 kHz; Earmark {what}; peers one thread) | "
                     f"{fmt(ours) if ours else 'not measured'} | python_speech_features {fmt(psf)} | "
                     f"librosa {fmt(lib)} | "
                     f"{'>= 30x python_speech_features, one thread each side' if target else '(recorded)'} | "
                     f"{'-' if r is None else f'{r:.1f}x psf'} | {met} |")
    for rate, what in (("44k", "44.1 kHz 16-bit WAV: decode, resample to 16 kHz, envelope gate"),
                       ("16k", "16 kHz 16-bit WAV: decode, envelope gate")):
        ref = value(entry, "features", f"clean_seconds_per_s_{rate}")
        ours = value(entry, "earmark", f"clean_seconds_per_s_{rate}")
        r = ours / ref if ours and ref else None
        lines.append(f"| Cleaning, seconds of audio per second ({what}; Earmark one file, one thread) | {fmt(ours)} | "
                     f"librosa.load + pandas envelope {fmt(ref)} | | (recorded: one thread each side) | "
                     f"{'-' if r is None else f'{r:.2g}x'} | |")
        ours = value(entry, "earmark", f"clean_seconds_per_s_{rate}_all_cores")
        r = ours / ref if ours and ref else None
        lines.append(f"| Cleaning, seconds of audio per second ({what}; Earmark one file per core, {cores} at once) | "
                     f"{fmt(ours) if ours else 'not measured'} | librosa.load + pandas envelope {fmt(ref)} | | "
                     f">= 10x the reference | {'-' if r is None else f'{r:.2g}x'} | "
                     f"{'-' if r is None else yes(r >= 10)} |")
    return lines


def predict_rows(entry):
    ours = value(entry, "earmark", "predict_10s_clip_seconds")
    ref = value(entry, "keras_predict", "predict_10s_clip_seconds")
    batched = value(entry, "keras_predict", "predict_10s_clip_seconds_batched")
    r1 = ref / ours if ours and ref else None
    r2 = batched / ours if ours and batched else None
    lines = [f"| `predict` one 10 s clip, whole process, seconds (spawn to CSV written) | {fmt(ours)} | "
             f"predict.py's way (one `model.predict` per window) {fmt(ref)}; "
             f"all windows in one call {fmt(batched)} | | >= 20x faster than Keras | "
             f"{'-' if r1 is None else f'{r1:.1f}x'}; {'-' if r2 is None else f'{r2:.1f}x'} | "
             f"{'-' if r1 is None else yes(r1 >= 20)}; {'-' if r2 is None else yes(r2 >= 20)} |"]
    parts = [("of which process start-up, seconds (`predict --version`; Python: the imports)",
              value(entry, "earmark", "predict_startup_seconds"),
              value(entry, "keras_predict", "predict_startup_seconds")),
             ("of which the clip, cold, seconds (whole process minus start-up: model load and the first clip; "
              "Keras all windows in one call)",
              cold_clip(entry, "earmark"), cold_clip(entry, "keras")),
             ("one 10 s clip in-process, warm, seconds (after the first; Keras all windows in one call)",
              value(entry, "earmark", "predict_10s_clip_seconds_warm"),
              value(entry, "keras_predict", "predict_10s_clip_seconds_warm"))]
    for label, e, k in parts:
        r = k / e if e and k else None
        lines.append(f"| {label} | {fmt(e) if e else 'not measured'} | {fmt(k) if k else 'not measured'} | | "
                     f"(recorded) | {'-' if r is None else f'{r:.1f}x'} | |")
    return lines


def ceiling_rows(entry):
    """The FMA peak, and each model row's ceiling at it beside the faster peer: a target above the
    ceiling's ratio cannot be met in that run by any code with these operation counts."""
    peak = fma_peak(entry)
    if not peak:
        return []
    lines = [f"| FMA peak, all cores, GFLOP/s (register-only FMA chains, one thread per core; the highest "
             f"round; no product runs faster) | {fmt(peak)} | | | (the ceiling) | | |"]
    for key, label, factor in MODEL_ROWS:
        c, peer = ceiling(entry, key), faster_peer(entry, key)
        if c is None:
            continue
        r = c / peer if peer else None
        kind, what = key.split("_")[0], "train" if "_train_" in key else "infer"
        limit, fpw = limits(entry).get(f"{kind}_{what}"), entry["flops_per_window"][f"{kind}_{what}"]
        of_limit = f", {factor * peer * fpw / 1e9 / limit * 100:.0f}% of the sgemm limit" if limit and peer else ""
        lines.append(f"| Ceiling: {label.split(',')[0]} at the FMA peak, windows/s (its products' FLOPs per "
                     f"window at the peak, every other operation free) | {fmt(c)} | | | "
                     + ("-" if r is None else f"{factor}x the faster peer needs {factor / r * 100:.0f}% of the "
                        f"peak{of_limit}")
                     + f" | {'-' if r is None else f'{r:.2f}x'} | "
                     + ("-" if r is None else "within the ceiling" if r >= factor else "**above the ceiling**")
                     + " |")
    return lines


def whole_run_rows(entry):
    w = entry.get("whole_run")
    if not w:
        return []
    lines = []
    for kind, what in (("train", w.get("train_label", "train --mode conv")),
                       ("predict", w.get("predict_label", "predict"))):
        es, rs = whole_run(entry, "earmark", kind, "seconds"), whole_run(entry, "reference", kind, "seconds")
        em, rm = whole_run(entry, "earmark", kind, "peak_rss_mib"), whole_run(entry, "reference", kind, "peak_rss_mib")
        r = rs / es if es and rs else None
        runs = len(whole_run(entry, "earmark", kind, "runs_seconds") or [])
        seconds = f"wall seconds, median of {runs} runs" if runs > 1 else "wall seconds"
        lines.append(f"| Whole run: {what}, {seconds} | {fmt(es)} | reference_workflow.py {fmt(rs)} | | "
                     f">= 5x faster than the reference | {'-' if r is None else f'{r:.1f}x'} | "
                     f"{'-' if r is None else yes(r >= 5)} |")
        r = em / rm if em and rm else None
        lines.append(f"| Whole run: {what}, peak RSS of the process, MiB | {fmt(em)} | "
                     f"reference_workflow.py {fmt(rm)} | | "
                     f"<= 1/3 of the reference | {'-' if r is None else f'{r:.2f} of the reference'} | "
                     f"{'-' if r is None else yes(r <= 1 / 3)} |")
        if kind == "train" and (products := whole_run_products(entry)) and rs:
            windows = whole_run(entry, "earmark", "train", "trained_windows")
            at_limit, at_peak = products
            lines.append(f"| Whole run: its CNN training products alone ({windows:,} windows x "
                         f"{entry['flops_per_window']['cnn_train'] / 1e6:.1f} MFLOP), seconds at the sgemm limit; "
                         f"at the FMA peak | {at_limit:.1f}; {at_peak:.1f} | | | "
                         f"5x the reference allows {rs / 5:.1f} s for everything | "
                         f"{rs / at_limit:.1f}x; {rs / at_peak:.1f}x | "
                         f"{'within' if rs / at_limit >= 5 else '**above**'} the sgemm limit; "
                         f"{'within' if rs / at_peak >= 5 else '**above**'} the FMA peak |")
    return lines


def whole_run_only(entry, current):
    """An entry with whole runs but no rounds yet: the machine and the whole-run rows."""
    m = entry["earmark"]["machine"]
    lines = [f"### {results_store.cpu_label(m)}, OpenBLAS {entry.get('openblas_version', 'not recorded')} "
             f"{m.get('blas_core')} kernels{' (this run)' if current else ''}", "",
             "No rounds recorded on this machine yet: only the whole runs "
             "(`run.py --rounds 0 --whole-run`).", ""]
    if entry.get("conditions"):
        lines += [f"**{entry['conditions']}**", ""]
    lines += [f"- Machine: {results_store.cpu_label(m)}, {m.get('cores')} cores, {entry.get('memory')}; {entry.get('os')}; "
              f"{entry.get('swift')}; build `{entry.get('build')}`; {m.get('blas_config')}.", "",
              "| figure | Earmark | reference | | target | Earmark / reference | met |",
              "|---|---:|---:|---|---|---:|---|"]
    w = entry["whole_run"]
    return lines + whole_run_rows(entry) + ["", f"Whole run ({w.get('generated')}): {w.get('description')}"]


def section(entry, current=False):
    """The markdown of one machine entry."""
    if not entry["earmark"]["figures"] and entry.get("whole_run"):
        return whole_run_only(entry, current)
    lines = header(entry, current)
    lines += ["", "| figure | Earmark | Keras | PyTorch | target | Earmark / faster peer | met |",
              "|---|---:|---:|---:|---|---:|---|"]
    lines += model_rows(entry) + audio_rows(entry) + predict_rows(entry) + whole_run_rows(entry)
    rss = {fw: value(entry, fw, "cnn_train_peak_rss_mib") for fw in ("earmark", "keras", "pytorch")}
    r = rss["earmark"] / rss["keras"] if rss["earmark"] and rss["keras"] else None
    lines.append(f"| CNN training peak RSS, MiB | {fmt(rss['earmark'])} | {fmt(rss['keras'])} | "
                 f"{fmt(rss['pytorch'])} | <= 1/4 of Keras | {'-' if r is None else f'{r:.2f} of Keras'} | "
                 f"{'-' if r is None else yes(r <= 0.25)} |")
    lim = limits(entry)
    for kind in ("cnn", "rnn"):
        if lim.get(f"{kind}_train"):
            lines.append(f"| sgemm alone on the {kind.upper()}'s training products, GFLOP/s (median of rounds) | "
                         f"{fmt(lim[f'{kind}_train'])} | | | (the limit) | | |")
    lines += ceiling_rows(entry)
    for key, f in sorted(entry["earmark"]["figures"].items()):
        if key not in KNOWN:
            lines.append(f"| {f['label']}, {f['unit']} | {fmt(f['value'])} | | | | | |")
    if w := entry.get("whole_run"):
        lines += ["", f"Whole run ({w.get('generated')}): {w.get('description')}"
                  + (f" **{w['conditions']}**" if w.get("conditions") else "")]
    return lines


def markdown(entries):
    """The generated part: `entries` is [(key, entry, is_current_run)], the current machine first."""
    lines = [BEGIN, "", "One section per CPU model and OpenBLAS kernel (benchmarks/results.json keeps one entry "
             "each; `make bench-check` compares only with the entry of the machine it runs on).", ""]
    for _, entry, current in entries:
        lines += section(entry, current) + [""]
    lines += ["Per-round values are in benchmarks/results.json.", "", END]
    return "\n".join(lines)
