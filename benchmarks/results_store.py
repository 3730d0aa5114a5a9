"""benchmarks/results.json, one entry per machine: the figures of a CPU model with the OpenBLAS kernel
family it chose are only comparable with figures of the same pair, so a run on another CPU adds its own
entry instead of overwriting, and `make bench-check` compares only within one entry.

    {"schema": 2,
     "machines": {"<cpu> (family F, model M) / <OpenBLAS core>":
                      {"cpu": ..., "cpu_family": ..., "cpu_model_number": ..., "blas_core": ...,
                       "openblas_version": ..., "earmark": {...}, "keras": {...}, ..., "whole_run": {...}}}}

The CPU is its /proc/cpuinfo model name *and* its family and model numbers: a hypervisor may show one
name for several generations (these VMs call Zen 3, Zen 4 and Zen 5 alike "AMD EPYC", and Earmark picks
OpenBLAS's Cooperlake kernels on both Zen 4 and Zen 5). An entry recorded before the numbers were kept
has none and matches no machine that reports them.

A schema-1 file (one run's results at the top level) is read as one entry keyed by the machine it
recorded. Standard library only (`make bench-check` runs it with the system's python3).
"""
import json
import os

SCHEMA = 2


# What names a machine: the CPU (model name, family, model number) and OpenBLAS's kernel family.
IDENTITY = ("cpu", "cpu_family", "cpu_model_number", "blas_core")


def cpu_label(machine):
    """The CPU of a machine description: `AMD EPYC (family 26, model 2)`, or the name alone when the
    numbers were not recorded."""
    name = machine.get("cpu") or "unknown CPU"
    family, model = machine.get("cpu_family"), machine.get("cpu_model_number")
    if family is None:
        return name
    return f"{name} (family {family}, model {model})" if model is not None else f"{name} (family {family})"


def key_of(machine):
    """The entry name of a machine description (`bench machine`, a run's "machine" or an entry):
    the CPU (`cpu_label`) and the OpenBLAS core (openblas_get_corename)."""
    return f"{cpu_label(machine)} / {machine.get('blas_core') or 'unknown kernel'}"


def same_machine(a, b):
    """Whether two machine descriptions name the same CPU (name, family, model) with the same kernels."""
    return all(a.get(k) == b.get(k) for k in IDENTITY)


def described(machine):
    """`machine`'s identity in words, for messages: `AMD EPYC (family 26, model 2)/Cooperlake`."""
    return f"{cpu_label(machine)}/{machine.get('blas_core')}"


def empty():
    return {"schema": SCHEMA, "machines": {}}


def upgrade(doc):
    """A results document in the current schema: schema 1 becomes one entry keyed by its machine."""
    if "machines" in doc:
        return doc
    machine = doc.get("earmark", {}).get("machine", {})
    entry = dict(doc)
    entry.update(identity(machine))
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


def identity(machine):
    """The fields an entry keeps of the machine it was recorded on (absent numbers stay absent)."""
    fields = {k: machine.get(k) for k in IDENTITY if machine.get(k) is not None or k in ("cpu", "blas_core")}
    fields["openblas_version"] = machine.get("openblas_version", "not recorded")
    return fields


def select(store, machine):
    """The entry recorded on the same CPU (name, family, model) with the same OpenBLAS core as
    `machine`, or None.

    All must match exactly: the same CPU with other kernels (OPENBLAS_CORETYPE, another OpenBLAS
    build), another generation under the same name, or other CPUs with the same kernels are different
    machines for every BLAS-bound figure."""
    entry = store["machines"].get(key_of(machine))
    if entry is None or not same_machine(entry, machine):
        return None
    return entry


def put(store, machine, entry):
    """Stores `entry` under `machine`'s key (replacing that machine's previous entry only)."""
    entry = dict(entry)
    entry.update(identity(machine))
    store["machines"][key_of(machine)] = entry
    return entry


def nothing_to_compare(machine):
    """What `make bench-check` prints when this machine has no committed entry."""
    return (f"no committed results for {described(machine)}: nothing to compare; "
            "run make bench to record them")


def compare(entry, machine, fresh, tolerance):
    """Rows (key, label, committed, now, change, dropped) of fresh Earmark figures against `entry`.

    Raises ValueError when `entry` was recorded on another CPU or kernel than `machine`: figures of
    different machines must never be compared, even by a caller that skipped `select`."""
    if not same_machine(entry, machine):
        raise ValueError(f"results of {described(entry)} cannot be compared with a run on {described(machine)}")
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
