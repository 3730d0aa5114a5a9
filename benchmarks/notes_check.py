"""Checks the hand-written notes of BENCHMARKS.md against the generated tables, so that no note
quotes a figure the table contradicts.

A note that quotes a figure of a table says which one, in an HTML comment right after the number:

    <!-- notes on: AMD EPYC / Cooperlake -->          (once: the results.json entry the notes below quote)
    ... Earmark's RNN inference is at ~105%<!-- fig: percent earmark rnn_infer_windows_per_s --> of ...
    ... not the 1.98x<!-- fig: ratio rnn_infer_windows_per_s --> of the median ...
    ... The table's 142,648<!-- fig: value earmark mfcc_windows_per_s --> is ...

`value FW KEY` is a framework's median figure, `ratio KEY` Earmark over the faster peer, `percent FW KEY`
a figure over the median sgemm limit, `peak gflops` the FMA peak, `ceiling KEY` a model row's ceiling
at that peak and `ceiling_ratio KEY` that ceiling over the faster peer (the table's helpers compute
them all). The number before the
comment must equal the figure rounded to the digits the note shows. Run by benchmarks/run.py after it
writes the tables (a contradiction fails the run) and by `run.py --check-notes` (the test suite).
"""
import re

import table

MACHINE = re.compile(r"<!-- notes on: (.+?) -->")
FIGURE = re.compile(r"([0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:x|%)?<!-- fig: ([a-z_]+(?: [a-z0-9_]+)+) -->")


def expected(entry, spec):
    """The figure a `fig:` comment names, or raises ValueError for a malformed one."""
    words = spec.split()
    if words[0] == "value" and len(words) == 3:
        return table.value(entry, words[1], words[2])
    if words[0] == "ratio" and len(words) == 2:
        return table.ratio(entry, words[1])
    if words[0] == "percent" and len(words) == 3:
        return table.percent(entry, words[1], words[2])
    if words[0] == "peak" and words[1:] == ["gflops"]:
        return table.fma_peak(entry)
    if words[0] == "ceiling" and len(words) == 2:
        return table.ceiling(entry, words[1])
    if words[0] == "ceiling_ratio" and len(words) == 2:
        c, peer = table.ceiling(entry, words[1]), table.faster_peer(entry, words[1])
        return c / peer if c and peer else None
    raise ValueError(f"unknown figure '{spec}' (value FW KEY, ratio KEY, percent FW KEY, peak gflops, "
                     "ceiling KEY or ceiling_ratio KEY)")


def same(note, figure):
    """Whether the note's number is the figure rounded to the note's digits."""
    text = note.replace(",", "")
    digits = len(text.split(".")[1]) if "." in text else 0
    return round(figure, digits) == round(float(text), digits)


def problems(markdown, store):
    """One message per note number that differs from the table (or names no figure / no machine)."""
    out, machine = [], None
    for n, line in enumerate(markdown.splitlines(), 1):
        for m in MACHINE.finditer(line):
            machine = m.group(1)
        for m in FIGURE.finditer(line):
            number, spec = m.group(1), m.group(2)
            entry = store["machines"].get(machine) if machine else None
            if entry is None:
                out.append(f"BENCHMARKS.md:{n}: '{number}' quotes {spec} but no '<!-- notes on: CPU / CORE -->' "
                           f"before it names a results.json entry (got {machine!r})")
                continue
            try:
                want = expected(entry, spec)
            except ValueError as e:
                out.append(f"BENCHMARKS.md:{n}: {e}")
                continue
            if want is None:
                out.append(f"BENCHMARKS.md:{n}: '{number}' quotes {spec}, which the {machine} entry does not have")
            elif not same(number, want):
                out.append(f"BENCHMARKS.md:{n}: the note says {number} but the {machine} table has {want:.4g} ({spec})")
    return out
