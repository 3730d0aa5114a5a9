"""Unit tests of the benchmark scripts' logic that decides what is compared with what (standard library
only): the per-machine entries of results.json, `run.py --check` on a machine without an entry, the
median sgemm limit, the notes check, and augmentation_cost.py's configs and step times. Run by Tests/CLITests/BenchScriptsTests.swift (`make test`):

    python3 benchmarks/test_bench_scripts.py
"""
import io
import json
import os
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import ab_cores  # noqa: E402
import augmentation_cost  # noqa: E402
import notes_check  # noqa: E402
import results_store  # noqa: E402
import table  # noqa: E402

PRESCOTT = {"cpu": "Intel(R) Xeon(R) Processor", "blas_core": "Prescott", "openblas_version": "0.3.21"}
COOPERLAKE = {"cpu": "Intel(R) Xeon(R) Processor", "blas_core": "Cooperlake", "openblas_version": "0.3.21"}
EPYC = {"cpu": "AMD EPYC", "blas_core": "Cooperlake"}


def figure(v, higher=True, rounds=None):
    return {"label": "f", "unit": "u", "value": v, "rounds": rounds or [v], "higher_is_better": higher}


def entry(machine, cnn=5000.0):
    return {"earmark": {"machine": dict(machine), "settings": {},
                        "figures": {"cnn_train_windows_per_s": figure(cnn)}},
            "generated": "2026-01-01 00:00 UTC"}


def cnn(e):
    return e["earmark"]["figures"]["cnn_train_windows_per_s"]["value"]


def schema1(machine, cnn=5000.0):
    """A results.json of the first schema: one run at the top level."""
    return entry(machine, cnn)


class MachineEntryTests(unittest.TestCase):
    def test_a_run_on_another_cpu_or_kernel_selects_nothing(self):
        store = results_store.upgrade(schema1(EPYC))
        self.assertIsNone(results_store.select(store, PRESCOTT))
        self.assertIsNone(results_store.select(store, {"cpu": "AMD EPYC", "blas_core": "Zen"}))
        self.assertIsNone(results_store.select(store, {"cpu": "Intel(R) Xeon(R) Processor", "blas_core": "Cooperlake"}))
        self.assertIs(results_store.select(store, EPYC), store["machines"]["AMD EPYC / Cooperlake"])

    def test_the_same_cpu_with_other_kernels_is_another_entry(self):
        store = results_store.empty()
        results_store.put(store, COOPERLAKE, entry(COOPERLAKE, 5000))
        results_store.put(store, PRESCOTT, entry(PRESCOTT, 800))
        self.assertEqual(sorted(store["machines"]),
                         ["Intel(R) Xeon(R) Processor / Cooperlake", "Intel(R) Xeon(R) Processor / Prescott"])
        self.assertEqual(cnn(results_store.select(store, PRESCOTT)), 800)
        self.assertEqual(results_store.select(store, COOPERLAKE)["openblas_version"], "0.3.21")

    def test_a_new_run_replaces_only_its_own_machine(self):
        store = results_store.upgrade(schema1(EPYC, 5144))
        results_store.put(store, PRESCOTT, entry(PRESCOTT, 700))
        results_store.put(store, PRESCOTT, entry(PRESCOTT, 750))
        self.assertEqual(len(store["machines"]), 2)
        self.assertEqual(cnn(results_store.select(store, EPYC)), 5144)
        self.assertEqual(cnn(results_store.select(store, PRESCOTT)), 750)

    def test_two_generations_under_one_name_are_two_entries(self):
        zen4 = dict(EPYC, cpu_family="25", cpu_model_number="17")
        zen5 = dict(EPYC, cpu_family="26", cpu_model_number="2")
        store = results_store.empty()
        results_store.put(store, zen4, entry(zen4, 4387))
        results_store.put(store, zen5, entry(zen5, 6000))
        self.assertEqual(sorted(store["machines"]), ["AMD EPYC (family 25, model 17) / Cooperlake",
                                                     "AMD EPYC (family 26, model 2) / Cooperlake"])
        self.assertEqual(cnn(results_store.select(store, zen4)), 4387)
        self.assertEqual(cnn(results_store.select(store, zen5)), 6000)
        self.assertIsNone(results_store.select(store, dict(EPYC, cpu_family="25", cpu_model_number="1")))
        with self.assertRaises(ValueError):
            results_store.compare(results_store.select(store, zen4), zen5, {}, 0.15)

    def test_an_entry_without_cpu_numbers_matches_no_machine_that_reports_them(self):
        store = results_store.empty()
        results_store.put(store, EPYC, entry(EPYC))
        self.assertEqual(sorted(store["machines"]), ["AMD EPYC / Cooperlake"])
        self.assertNotIn("cpu_family", store["machines"]["AMD EPYC / Cooperlake"])
        self.assertIsNone(results_store.select(store, dict(EPYC, cpu_family="26", cpu_model_number="2")))
        self.assertIn("AMD EPYC (family 26, model 2)/Cooperlake",
                      results_store.nothing_to_compare(dict(EPYC, cpu_family="26", cpu_model_number="2")))

    def test_compare_refuses_figures_of_another_machine(self):
        old = results_store.put(results_store.empty(), EPYC, entry(EPYC))
        with self.assertRaises(ValueError):
            results_store.compare(old, PRESCOTT, {"cnn_train_windows_per_s": figure(700)}, 0.15)

    def test_compare_flags_a_drop_beyond_the_tolerance(self):
        old = results_store.put(results_store.empty(), PRESCOTT, entry(PRESCOTT, 1000))
        rows = results_store.compare(old, PRESCOTT, {"cnn_train_windows_per_s": figure(800)}, 0.15)
        self.assertEqual(rows[0][5], True)
        rows = results_store.compare(old, PRESCOTT, {"cnn_train_windows_per_s": figure(900)}, 0.15)
        self.assertEqual(rows[0][5], False)

    def test_the_committed_file_is_read_per_machine(self):
        store = results_store.load(os.path.join(HERE, "results.json"))
        self.assertGreaterEqual(len(store["machines"]), 1)
        for key, e in store["machines"].items():
            self.assertEqual(key, results_store.key_of(e))
            self.assertEqual(e["earmark"]["machine"]["blas_core"], e["blas_core"])

    def test_save_and_load_keep_every_entry(self):
        store = results_store.empty()
        results_store.put(store, EPYC, entry(EPYC))
        results_store.put(store, PRESCOTT, entry(PRESCOTT))
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "results.json")
            results_store.save(store, path)
            self.assertEqual(results_store.load(path), store)


class CheckWithoutEntryTests(unittest.TestCase):
    def test_check_says_there_is_nothing_to_compare_and_runs_nothing(self):
        with tempfile.TemporaryDirectory() as d:
            bench = os.path.join(d, "bench")   # `bench machine` answers; any benchmark run would fail the test
            with open(bench, "w") as f:
                f.write("#!/bin/sh\n[ \"$1\" = machine ] || { echo 'ran a benchmark' >&2; exit 3; }\n"
                        f"echo '{json.dumps(PRESCOTT)}'\n")
            os.chmod(bench, os.stat(bench).st_mode | stat.S_IXUSR)
            results = os.path.join(d, "results.json")
            with open(results, "w") as f:
                json.dump(schema1(EPYC), f)
            r = subprocess.run([sys.executable, os.path.join(HERE, "run.py"), "--check", "--bench", bench,
                                "--results", results], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("no committed results for Intel(R) Xeon(R) Processor/Prescott: nothing to compare; "
                      "run make bench to record them", r.stdout)
        self.assertNotIn("DROPPED", r.stdout)


class TableTests(unittest.TestCase):
    def test_percentages_use_the_median_limit_of_the_rounds(self):
        e = entry(PRESCOTT, 1000)
        e["flops_per_window"] = {"cnn_train": 1e8}
        e["sgemm_limit_gflops"] = {"cnn_train": 400.0}              # the last round's
        e["sgemm_limit_gflops_rounds"] = {"cnn_train": [100.0, 400.0, 200.0]}
        self.assertAlmostEqual(table.limits(e)["cnn_train"], 200.0)
        self.assertAlmostEqual(table.percent(e, "earmark", "cnn_train_windows_per_s"), 50.0)

    def test_an_old_entry_takes_the_training_limit_from_its_rounds(self):
        e = entry(EPYC, 1000)
        e["sgemm_limit_gflops"] = {"rnn_train": 247.6, "rnn_infer": 247.8}
        e["earmark"]["figures"]["rnn_train_sgemm_gflops"] = figure(247.6, rounds=[265.1, 275.9, 247.6])
        self.assertAlmostEqual(table.limits(e)["rnn_train"], 265.1)
        self.assertAlmostEqual(table.limits(e)["rnn_infer"], 247.8)

    def test_the_mfcc_headline_is_one_thread_against_one_thread(self):
        e = entry(PRESCOTT)
        e["earmark"]["figures"].update({"mfcc_windows_per_s": figure(100000),
                                        "mfcc_windows_per_s_all_cores": figure(190000)})
        e["features"] = {"figures": {"mfcc_windows_per_s_python_speech_features": figure(4000)}}
        e["earmark"]["machine"]["cores"] = "2"
        rows = table.audio_rows(e)
        self.assertIn("Earmark one thread", rows[0])
        self.assertIn("25.0x psf | **no** |", rows[0])
        self.assertIn("(recorded)", rows[1])


    def test_whole_run_rows_judge_five_times_faster_and_a_third_of_the_memory(self):
        e = entry(PRESCOTT)
        e["earmark"]["figures"] = {}
        side = lambda s, m: {"train": {"seconds": s, "peak_rss_mib": m}, "predict": {"seconds": s, "peak_rss_mib": m}}
        e["whole_run"] = {"earmark": side(100.0, 400.0), "reference": side(450.0, 1500.0)}
        rows = table.whole_run_rows(e)
        self.assertIn("| 4.5x | **no** |", rows[0])
        self.assertIn("0.27 of the reference | yes |", rows[1])
        self.assertIn("No rounds recorded", "\n".join(table.section(e)))

    def test_the_ceiling_is_the_highest_peak_over_the_products_flops(self):
        e = entry(PRESCOTT, 1000)
        e["earmark"]["figures"]["fma_peak_gflops"] = figure(180.0, rounds=[150.0, 200.0, 180.0])
        e["earmark"]["figures"]["rnn_infer_windows_per_s"] = figure(40000)
        e["pytorch"] = {"figures": {"cnn_train_windows_per_s": figure(400), "rnn_infer_windows_per_s": figure(30000)}}
        e["flops_per_window"] = {"cnn_train": 1e8, "rnn_infer": 4e6}
        e["sgemm_limit_gflops_rounds"] = {"cnn_train": [100.0], "rnn_infer": [160.0]}
        self.assertAlmostEqual(table.fma_peak(e), 200.0)
        self.assertAlmostEqual(table.ceiling(e, "cnn_train_windows_per_s"), 2000.0)
        rows = table.ceiling_rows(e)
        self.assertIn("| 200 | | | (the ceiling) |", rows[0])
        cnn_row = next(r for r in rows if "CNN training at" in r)
        # 2,000 windows/s at the peak is 5x PyTorch's 400: 3x needs 60% of the peak, 120% of the sgemm limit
        self.assertIn("| 2,000 | | | 3.0x the faster peer needs 60% of the peak, 120% of the sgemm limit | 5.00x | "
                      "within the ceiling |", cnn_row)
        rnn_row = next(r for r in rows if "RNN inference at" in r)
        # 50,000 windows/s at the peak is 1.67x PyTorch's 30,000: 2x is above it
        self.assertIn("| 50,000 | | | 2.0x the faster peer needs 120% of the peak, 150% of the sgemm limit | 1.67x | "
                      "**above the ceiling** |", rnn_row)
        self.assertFalse(any("RNN training at" in r for r in rows))   # no FLOP count: no row

    def test_the_whole_run_products_alone_are_set_against_a_fifth_of_the_reference(self):
        e = entry(PRESCOTT)
        e["earmark"]["figures"]["fma_peak_gflops"] = figure(200.0)
        e["flops_per_window"] = {"cnn_train": 2e7}
        e["sgemm_limit_gflops_rounds"] = {"cnn_train": [160.0]}
        e["whole_run"] = {"earmark": {"train": {"seconds": 40.0, "peak_rss_mib": 1, "trained_windows": 160000}},
                          "reference": {"train": {"seconds": 100.0, "peak_rss_mib": 9}}}
        self.assertEqual(table.whole_run_products(e), (20.0, 16.0))
        row = table.whole_run_rows(e)[2]
        self.assertIn("(160,000 windows x 20.0 MFLOP)", row)
        self.assertIn("| 20.0; 16.0 | | | 5x the reference allows 20.0 s for everything | 5.0x; 6.2x | "
                      "within the sgemm limit; within the FMA peak |", row)
        e["whole_run"]["reference"]["train"]["seconds"] = 90.0
        self.assertIn("**above** the sgemm limit; within the FMA peak", table.whole_run_rows(e)[2])

    def test_whole_runs_are_the_medians_of_alternating_runs(self):
        import whole_run
        r = whole_run.median_run([(31.0, 250.0), (28.5, 240.0), (40.2, 260.0)])
        self.assertEqual(r, {"seconds": 31.0, "peak_rss_mib": 250.0, "runs_seconds": [31.0, 28.5, 40.2]})
        e = entry(PRESCOTT)
        e["whole_run"] = {"earmark": {"train": dict(r, trained_windows=1)},
                          "reference": {"train": {"seconds": 124.0, "peak_rss_mib": 900.0}}}
        self.assertIn("wall seconds, median of 3 runs | 31 | reference_workflow.py 124 | | "
                      ">= 5x faster than the reference | 4.0x | **no** |", table.whole_run_rows(e)[0])

    def test_whole_run_output_gives_the_windows_trained(self):
        import whole_run
        output = "data: 400 files; 14350 training windows\nEpoch 1/2\n449/449 ...\nEpoch 2/2\n449/449 ...\n"
        self.assertEqual(whole_run.trained_windows(output), 28700)
        self.assertIsNone(whole_run.trained_windows("no data line"))


class NotesTests(unittest.TestCase):
    def store(self):
        e = entry(PRESCOTT, 5144.087)
        e["keras"] = {"figures": {"cnn_train_windows_per_s": figure(1745.0)}}
        store = results_store.empty()
        results_store.put(store, PRESCOTT, e)
        return store

    def test_a_note_that_matches_the_table_passes(self):
        text = ("<!-- notes on: Intel(R) Xeon(R) Processor / Prescott -->\n"
                "CNN training 5,144<!-- fig: value earmark cnn_train_windows_per_s --> is "
                "2.95x<!-- fig: ratio cnn_train_windows_per_s --> Keras.\n")
        self.assertEqual(notes_check.problems(text, self.store()), [])

    def test_a_note_may_quote_the_peak_and_a_ceiling(self):
        store = self.store()
        e = results_store.select(store, PRESCOTT)
        e["earmark"]["figures"]["fma_peak_gflops"] = figure(200.0, rounds=[190.0, 200.0])
        e["flops_per_window"] = {"cnn_train": 2e7}
        text = ("<!-- notes on: Intel(R) Xeon(R) Processor / Prescott -->\n"
                "A peak of 200<!-- fig: peak gflops --> GFLOP/s caps CNN training at "
                "10,000<!-- fig: ceiling cnn_train_windows_per_s --> windows/s, "
                "5.73x<!-- fig: ceiling_ratio cnn_train_windows_per_s --> Keras.\n")
        self.assertEqual(notes_check.problems(text, store), [])
        wrong = text.replace("5.73x", "6.00x")
        self.assertEqual(len(notes_check.problems(wrong, store)), 1)

    def test_a_note_that_contradicts_the_table_is_reported_with_its_line(self):
        text = ("<!-- notes on: Intel(R) Xeon(R) Processor / Prescott -->\n\n"
                "The table's 4,800<!-- fig: value earmark cnn_train_windows_per_s --> windows/s.\n")
        found = notes_check.problems(text, self.store())
        self.assertEqual(len(found), 1)
        self.assertIn("BENCHMARKS.md:3: the note says 4,800", found[0])

    def test_a_quoted_figure_without_its_machine_is_reported(self):
        found = notes_check.problems("5,144<!-- fig: value earmark cnn_train_windows_per_s -->", self.store())
        self.assertEqual(len(found), 1)
        self.assertIn("notes on", found[0])

    def test_the_committed_notes_match_the_committed_tables(self):
        with open(os.path.join(os.path.dirname(HERE), "BENCHMARKS.md")) as f:
            found = notes_check.problems(f.read(), results_store.load(os.path.join(HERE, "results.json")))
        self.assertEqual(found, [])


class ConcurrentComparisonTests(unittest.TestCase):
    """ab_cores.py reads the model rows and the one-thread audio rows of bench's table, nothing else."""

    def test_reads_only_the_windows_per_second_rows(self):
        text = "\n".join([
            "figure                              median  unit       of sgemm limit  samples",
            "CNN training (fwd+bwd+Adam)           2156  windows/s             41%  2375 2080 2156",
            "CNN inference                        10747  windows/s             52%  10310 8491 10747",
            "CNN training products, sgemm alone     142  GFLOP/s                    142",
            "RNN inference                        27626.5  windows/s             62%  27626.5",
        ])
        self.assertEqual(ab_cores.figures(text), {("CNN", "training"): 2156.0, ("CNN", "inference"): 10747.0,
                                                  ("RNN", "inference"): 27626.5})

    def test_reads_the_one_thread_audio_rows(self):
        text = "\n".join([
            "MFCC (0.1 s windows, 16 kHz), 1 thread                       52958  windows/s                  53990",
            "MFCC (0.1 s windows, 16 kHz), 2 threads                     106311  windows/s                  116495",
            "Cleaning 44.1 kHz 16-bit WAV (decode, resample, gate)         2691  audio s/s                  2239 2726",
            "Cleaning 16 kHz 16-bit WAV, 2 files at once over 2 cores    8827  audio s/s                  8461",
        ])
        self.assertEqual(ab_cores.figures(text), {
            ("MFCC", "(0.1 s windows, 16 kHz), 1 thread"): 52958.0,
            ("Cleaning", "44.1 kHz 16-bit WAV (decode, resample, gate)"): 2691.0})

    def test_each_side_runs_one_thread_at_the_batch_asked_for(self):
        # a stand-in for bench that prints a model row whose figure is the --batch-size it was given
        with tempfile.TemporaryDirectory() as folder:
            fake = os.path.join(folder, "bench")
            with open(fake, "w") as f:
                f.write("#!/bin/sh\n"
                        "case \"$*\" in *'--replicas 1 --threads 1'*) ;; *) exit 3 ;; esac\n"
                        "while [ $# -gt 0 ]; do [ \"$1\" = --batch-size ] && b=$2; shift; done\n"
                        "echo \"RNN inference  $b  windows/s\"\n")
            os.chmod(fake, os.stat(fake).st_mode | stat.S_IEXEC)
            args = ab_cores.argparse.Namespace(only="rnn", repeats=1, batch_size=16)
            first, second = ab_cores.run_pair(fake, fake, (0, 1), args)
        self.assertEqual(first, {("RNN", "inference"): 16.0})
        self.assertEqual(second, {("RNN", "inference"): 16.0})


class AugmentationCostTests(unittest.TestCase):
    def test_the_configs_are_the_reference_cnn_with_only_name_epochs_and_the_section_changed(self):
        with open(os.path.join(os.path.dirname(HERE), "cfg", "conv.yaml")) as f:
            base = f.read()
        for variant in augmentation_cost.VARIANTS:
            text = augmentation_cost.config_text(base, variant, 2)
            self.assertIn(f"name: aug_{variant}\n", text)
            self.assertIn("  epochs: 2\n", text)
            self.assertNotIn("epochs: 10", text)
            self.assertEqual(text.count("augmentation:"), 0 if variant == "none" else 1)
            kept = [line for line in base.splitlines() if not line.startswith("name:") and "epochs:" not in line]
            self.assertEqual([line for line in text.splitlines() if line in kept], kept)

    def test_ms_per_step_is_the_median_epochs_seconds_over_its_steps(self):
        history = io.StringIO("epoch,loss,accuracy,val_loss,val_accuracy,seconds\n"
                              "1,0.9,0.5,0.2,0.9,1.350\n2,0.8,0.6,0.2,0.9,0.900\n3,0.8,0.6,0.2,0.9,2.400\n")
        output = "data: 400 of 400 listed files usable; 14350 training windows\n"
        # 14,350 windows are 449 steps of 32 (the last one short)
        self.assertAlmostEqual(augmentation_cost.milliseconds_per_step(output, history), 1350 / 449)
        with self.assertRaises(SystemExit):
            augmentation_cost.milliseconds_per_step("no data line", io.StringIO("seconds\n1\n"))


if __name__ == "__main__":
    unittest.main()
