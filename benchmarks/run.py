#!/usr/bin/env python3
"""Runs Earmark's `bench` and the peers (Keras, PyTorch, python_speech_features/librosa, the reference
cleaning, Keras's predict of one clip) alternately, several rounds in one go, and writes the
side-by-side medians into this machine's entry of benchmarks/results.json (one entry per CPU model and
OpenBLAS kernel: results_store.py) and the generated part of BENCHMARKS.md (table.py: one section
per entry). The hand-written notes are then checked against the tables (notes_check.py).

    python benchmarks/run.py [--rounds 3] [--whole-run]  # `make bench` (with --whole-run)
    python benchmarks/run.py --rounds 0 --whole-run      # the whole runs alone, kept beside this machine's rounds
    python benchmarks/run.py --check                     # `make bench-check`: Earmark alone vs this machine's entry
    python benchmarks/run.py --check-notes               # the notes against the committed tables (no run)
    python benchmarks/run.py --render                    # BENCHMARKS.md's tables again from results.json (no run)

Every process gets the same environment. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed by
default (--keep-openblas-env keeps them): this workplace sets them to force older kernels, which
would measure Haswell (AVX2) kernels on an AVX-512 CPU; `bench` verifies every product it times
against a Double-precision reference, so a wrong kernel fails loudly instead of giving a figure.
Only the standard library is used; the peers run with the venv's Python.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "benchmarks", "peers")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import notes_check  # noqa: E402
import results_store  # noqa: E402
import table  # noqa: E402


def environment(keep_openblas):
    env = dict(os.environ)
    if not keep_openblas:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def run_json(cmd, out, env, log):
    """Runs cmd (which writes JSON to `out`), echoing its table; returns the parsed JSON."""
    print("$ " + " ".join(cmd), flush=True)
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    log.write("$ " + " ".join(cmd) + "\n" + r.stdout + r.stderr + "\n")
    if r.returncode != 0:
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout[-2000:]}{r.stderr[-3000:]}")
    print("\n".join("    " + line for line in r.stdout.strip().splitlines()[-12:]), flush=True)
    with open(out) as f:
        return json.load(f)


def collect(docs):
    """Median over rounds of each figure of one framework's JSON documents."""
    figures = {}
    for doc in docs:
        for f in doc["figures"]:
            e = figures.setdefault(f["key"], {"label": f["label"], "unit": f["unit"], "rounds": [],
                                              "higher_is_better": f["higher_is_better"], "fractions": []})
            e["rounds"].append(f["value"])
            if f.get("sgemm_fraction") is not None:
                e["fractions"].append(f["sgemm_fraction"])
    for e in figures.values():
        e["value"] = statistics.median(e["rounds"])
        fractions = e.pop("fractions")
        e["sgemm_fraction"] = statistics.median(fractions) if fractions else None
    return {"settings": docs[-1].get("settings", {}), "machine": docs[-1].get("machine", {}), "figures": figures}


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def write_markdown(path, section):
    begin, end = table.BEGIN, table.END
    text = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n" + begin + "\n" + end + "\n"
    if begin in text and end in text:
        text = text[:text.index(begin)] + section + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def earmark_cmd(args, out, audio_dir, windows_out=None):
    cmd = [args.bench, "--json", out, "--repeats", str(args.repeats), "--audio-dir", audio_dir]
    if args.windows:
        cmd += ["--windows", args.windows]
    if windows_out:
        cmd += ["--write-windows", windows_out]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    return cmd




def machine(args, env):
    """This machine as `bench machine` describes it (CPU model, OpenBLAS core and version)."""
    r = subprocess.run([args.bench, "machine"], env=env, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{args.bench} machine failed ({r.returncode}): {r.stderr[-2000:]}")
    return json.loads(r.stdout)


def check(args, env, log):
    """Fresh Earmark runs against this machine's entry: report figures that dropped by more than the tolerance."""
    here = machine(args, env)
    entry = results_store.select(results_store.load(args.results), here)
    if entry is None or not entry["earmark"]["figures"]:     # none, or only whole runs recorded here
        print(results_store.nothing_to_compare(here))
        return 0
    print(f"comparing with the results of {results_store.key_of(here)} recorded {entry.get('generated')} "
          f"(OpenBLAS {entry.get('openblas_version')}; now {here.get('openblas_version')})")
    work = tempfile.mkdtemp(prefix="earmark-bench-")
    docs = [run_json(earmark_cmd(args, os.path.join(work, f"earmark-{r}.json"), os.path.join(work, "audio")),
                     os.path.join(work, f"earmark-{r}.json"), env, log)
            for r in range(args.rounds)]
    fresh = collect(docs)
    rows = results_store.compare(entry, fresh["machine"], fresh["figures"], args.tolerance)
    print(f"\n{'figure':<42} {'committed':>12} {'now':>12} {'change':>8}")
    for key, label, old, now, change, dropped in rows:
        print(f"{label[:42]:<42} {table.fmt(old):>12} {table.fmt(now):>12} {100 * change:>+7.1f}%"
              f"{'  DROPPED' if dropped else ''}")
    dropped = [r[0] for r in rows if r[5]]
    if dropped:
        print(f"\n{len(dropped)} figure(s) dropped by more than {100 * args.tolerance:.0f}%: {', '.join(dropped)}")
        return 1
    print(f"\nno figure dropped by more than {100 * args.tolerance:.0f}%")
    return 0


def check_notes(args):
    """The hand-written notes of BENCHMARKS.md against the tables of results.json; 1 when one contradicts them."""
    with open(args.markdown) as f:
        found = notes_check.problems(f.read(), results_store.load(args.results))
    for message in found:
        print(message)
    print(f"{len(found)} note(s) contradict the generated tables" if found else "every quoted figure matches its table")
    return 1 if found else 0


def rounds(args, env, log):
    """`--rounds` rounds of Earmark and every peer; returns the entry's round figures (no machine fields)."""
    work = tempfile.mkdtemp(prefix="earmark-bench-")
    windows = args.windows or os.path.join(work, "windows.safetensors")
    audio = os.path.join(work, "audio")     # bench writes the WAVs and the model file the peers read
    runs = {"earmark": [], "keras": [], "pytorch": [], "features": [], "keras_predict": []}
    for r in range(args.rounds):
        print(f"== round {r + 1} of {args.rounds}", flush=True)
        out = os.path.join(work, f"earmark-{r}.json")
        cmd = earmark_cmd(args, out, audio, None if args.windows else windows)
        runs["earmark"].append(run_json(cmd, out, env, log))
        for fw, script in (("keras", "keras_models.py"), ("pytorch", "torch_models.py"),
                           ("features", "features_peers.py"), ("keras_predict", "keras_predict.py")):
            out = os.path.join(work, f"{fw}-{r}.json")
            cmd = [args.python, os.path.join(PEERS, script), "--json", out, "--repeats", str(args.repeats)]
            if fw in ("keras", "pytorch"):
                cmd += ["--windows", windows]
            elif fw == "features":
                cmd += ["--audio-dir", audio]
            else:
                cmd += ["--model", os.path.join(audio, "model.safetensors"),
                        "--clip", os.path.join(audio, "clip_10s_44k.wav"),
                        "--earmark-csv", os.path.join(audio, "predictions.csv")]
            runs[fw].append(run_json(cmd, out, env, log))
    entry = {fw: collect(docs) for fw, docs in runs.items()}
    last = runs["earmark"][-1]
    limit_rounds = {}
    for doc in runs["earmark"]:
        for k, v in doc.get("sgemm_limit_gflops", {}).items():
            limit_rounds.setdefault(k, []).append(v)
    entry.update({
        "generated": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "rounds": args.rounds, "build": args.build,
        "swift": tool_version(["swift", "--version"]),
        "os": platform.platform(),
        "memory": f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB",
        "flops_per_window": last.get("flops_per_window", {}),
        # the percentages divide by the median limit over rounds (table.limits), as the figures are medians
        "sgemm_limit_gflops": {k: statistics.median(v) for k, v in limit_rounds.items()},
        "sgemm_limit_gflops_rounds": limit_rounds,
        "sgemm_products": last.get("products", []),
    })
    if args.conditions:
        entry["conditions"] = args.conditions
    return entry


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=3, help="rounds of Earmark + every peer (default 3; 0: none)")
    p.add_argument("--repeats", type=int, default=5, help="timed passes per run (each run reports their median)")
    p.add_argument("--windows", help="Earmark feature cache (safetensors X, y) to use instead of random windows")
    p.add_argument("--threads", type=int, help="OpenBLAS threads for Earmark (default: OpenBLAS's choice)")
    p.add_argument("--bench", default=os.path.join(ROOT, ".build", "release", "bench"))
    p.add_argument("--python", default=os.path.join(ROOT, "benchmarks", ".venv", "bin", "python"))
    p.add_argument("--build", default="EARMARK_NATIVE=1 swift build -c release", help="how bench was built (recorded)")
    p.add_argument("--keep-openblas-env", action="store_true", help="keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE")
    p.add_argument("--markdown", default=os.path.join(ROOT, "BENCHMARKS.md"))
    p.add_argument("--results", default=os.path.join(ROOT, "benchmarks", "results.json"))
    p.add_argument("--check", action="store_true", help="compare fresh Earmark runs with this machine's entry")
    p.add_argument("--check-notes", action="store_true", help="check the notes of --markdown against --results")
    p.add_argument("--render", action="store_true", help="rewrite the tables of --markdown from --results (no run)")
    p.add_argument("--whole-run", action="store_true",
                   help="also time the whole runs (train on 400 clips, predict 100), 3 of each side, after the rounds")
    p.add_argument("--conditions", help="a sentence printed above this run's table (e.g. measured under load)")
    p.add_argument("--tolerance", type=float, default=0.15, help="largest allowed drop for --check")
    args = p.parse_args()
    if args.check_notes:
        return check_notes(args)
    if args.render:
        store = results_store.load(args.results)
        results_store.save(store, args.results)
        write_markdown(args.markdown, table.markdown([(k, e, False) for k, e in results_store.ordered(store)]))
        return check_notes(args)
    env = environment(args.keep_openblas_env)
    log_path = os.path.join(tempfile.gettempdir(), "earmark-bench.log")
    with open(log_path, "w") as log:
        if args.check:
            return check(args, env, log)
        here = machine(args, env)
        store = results_store.load(args.results)
        previous = results_store.select(store, here)
        if args.rounds > 0:
            entry = rounds(args, env, log)
        elif previous is not None and args.whole_run:
            entry = dict(previous)              # the whole runs join this machine's recorded rounds
        elif args.whole_run:                    # no rounds recorded on this machine yet: the whole runs alone
            entry = {"earmark": {"machine": here, "settings": {}, "figures": {}}, "rounds": 0,
                     "generated": "(no rounds recorded)", "build": args.build, "os": platform.platform(),
                     "swift": tool_version(["swift", "--version"]),
                     "memory": f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"}
            if args.conditions:
                entry["conditions"] = args.conditions
        else:
            sys.exit("--rounds 0 needs --whole-run")
        if args.whole_run:
            import whole_run
            entry["whole_run"] = whole_run.run(ROOT, args.bench, args.python, env, log)
            if args.conditions:
                entry["whole_run"]["conditions"] = args.conditions
        elif previous is not None and "whole_run" in previous:
            entry["whole_run"] = previous["whole_run"]   # kept until the next --whole-run on this machine
        results_store.put(store, here, entry)
    results_store.save(store, args.results)
    key = results_store.key_of(here)
    section = table.markdown([(k, e, k == key) for k, e in results_store.ordered(store, key)])
    write_markdown(args.markdown, section)
    print("\n" + "\n".join(table.section(store["machines"][key], True)))
    print(f"\nwrote {args.markdown} and {args.results} (log: {log_path})")
    return check_notes(args)


if __name__ == "__main__":
    sys.exit(main())
