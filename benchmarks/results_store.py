"""benchmarks/results.json, one entry per machine: the figures of a CPU model with the OpenBLAS kernel
family it chose are only comparable with figures of the same pair, so a run on another CPU adds its own
entry instead of overwriting, and `make bench-check` compares only within one entry.

    {"schema": 2,
     "machines": {"<cpu> / <OpenBLAS core>": {"cpu": ..., "blas_core": ..., "openblas_version": ...,
                                              "earmark": {...}, "keras": {...}, ..., "whole_run": {...}}}}

A schema-1 file (one run's results at the top level) is read as one entry keyed by the machine it
recorded. Standard library only (`make bench-check` runs it with the system's python3).
"""
import json
import os

SCHEMA = 2


def machine_key(cpu, core):
    """The entry name of a CPU model (/proc/cpuinfo model name) and OpenBLAS core (openblas_get_corename)."""
    return f"{cpu or 'unknown CPU'} / {core or 'unknown kernel'}"


def key_of(machine):
    """The entry name of a machine description (`bench machine` or a run's "machine")."""
    return machine_key(machine.get("cpu"), machine.get("blas_core"))


def empty():
    return {"schema": SCHEMA, "machines": {}}


def upgrade(doc):
    """A results document in the current schema: schema 1 becomes one entry keyed by its machine."""
    if "machines" in doc:
        return doc
    machine = doc.get("earmark", {}).get("machine", {})
    entry = dict(doc)
    entry.update({"cpu": machine.get("cpu"), "blas_core": machine.get("blas_core"),
                  "openblas_version": machine.get("openblas_version", "not recorded")})
    return {"schema": SCHEMA, "machines": {key_of(machine): entry}}


def load(path):
    """The store at `path` (an empty store when the file does not exist)."""
    if not os.path.exists(path):
        return empty()
    with open(path) as f:
        return upgrade(json.load(f))


def save(store, path):
    """Writes the store (temp file + rename, so a failed write leaves the old file)."""
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(store, f, indent=2, sort_keys=True)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def select(store, machine):
    """The entry recorded on the same CPU model with the same OpenBLAS core as `machine`, or None.

    Both must match exactly: the same CPU with other kernels (OPENBLAS_CORETYPE, another OpenBLAS
    build) or other CPUs with the same kernels are different machines for every BLAS-bound figure."""
    entry = store["machines"].get(key_of(machine))
    if entry is None:
        return None
    if entry.get("cpu") != machine.get("cpu") or entry.get("blas_core") != machine.get("blas_core"):
        return None
    return entry


def put(store, machine, entry):
    """Stores `entry` under `machine`'s key (replacing that machine's previous entry only)."""
    entry = dict(entry)
    entry.update({"cpu": machine.get("cpu"), "blas_core": machine.get("blas_core"),
                  "openblas_version": machine.get("openblas_version", "not recorded")})
    store["machines"][key_of(machine)] = entry
    return entry


def nothing_to_compare(machine):
    """What `make bench-check` prints when this machine has no committed entry."""
    return (f"no committed results for {machine.get('cpu')}/{machine.get('blas_core')}: nothing to compare; "
            "run make bench to record them")


def compare(entry, machine, fresh, tolerance):
    """Rows (key, label, committed, now, change, dropped) of fresh Earmark figures against `entry`.

    Raises ValueError when `entry` was recorded on another CPU or kernel than `machine`: figures of
    different machines must never be compared, even by a caller that skipped `select`."""
    if entry.get("cpu") != machine.get("cpu") or entry.get("blas_core") != machine.get("blas_core"):
        raise ValueError(f"results of {entry.get('cpu')}/{entry.get('blas_core')} cannot be compared with a run "
                         f"on {machine.get('cpu')}/{machine.get('blas_core')}")
    rows = []
    for key, old in sorted(entry["earmark"]["figures"].items()):
        if key not in fresh:
            continue
        now = fresh[key]["value"]
        change = (now - old["value"]) / old["value"] if old["value"] else 0.0
        worse = -change if old["higher_is_better"] else change
        rows.append((key, old["label"], old["value"], now, change, worse > tolerance))
    return rows


def ordered(store, first_key=None):
    """(key, entry) pairs: `first_key` first, then the others, newest run first."""
    def last_run(entry):
        dates = [entry.get("generated", ""), entry.get("whole_run", {}).get("generated", "")]
        return max(d for d in dates if d[:1].isdigit()) if any(d[:1].isdigit() for d in dates) else ""
    items = sorted(store["machines"].items(), key=lambda kv: last_run(kv[1]), reverse=True)
    return sorted(items, key=lambda kv: kv[0] != first_key)
