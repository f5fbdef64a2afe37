"""Seed sweeps: the same per-seed figures on one worker, a process pool and a Dask cluster;
seeds in order; ``jobsim sweep`` and ``jobsim compare`` on the command line; ``--set``."""

from __future__ import annotations

import json
import multiprocessing
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import jobsim
from jobsim.cli import main
from jobsim.errors import InvalidArgument
from jobsim.replay import parse_seeds, run_scenario, seed_metrics, sweep

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"
SEEDS = list(range(1, 9))
PERIOD = 6 * 3600.0  # the shop's quiet first hours: quick, and still seed-dependent


@pytest.fixture(scope="module")
def one_worker() -> jobsim.replay.SweepResult:
    return sweep(SHOP, SEEDS, workers=1, period=PERIOD)


def test_one_worker_runs_each_seed_as_run_scenario_would(
    one_worker: jobsim.replay.SweepResult,
) -> None:
    assert one_worker.seeds == SEEDS
    assert one_worker.per_seed[2] == seed_metrics(run_scenario(SHOP, seed=3, period=PERIOD).summary)
    assert len({json.dumps(row, sort_keys=True) for row in one_worker.per_seed}) > 1  # seeds differ


def test_process_pool_gives_identical_per_seed_results(
    one_worker: jobsim.replay.SweepResult,
) -> None:
    # spawn: forking a process that runs threads (pytest-xdist's) is deprecated.
    with ProcessPoolExecutor(
        max_workers=2, mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        pooled = jobsim.sweep(SHOP, SEEDS, pool, period=PERIOD)
    assert pooled.per_seed == one_worker.per_seed
    assert pooled.distribution == one_worker.distribution
    default = sweep(SHOP, SEEDS, workers=2, period=PERIOD)  # the spawned pool of its own
    assert default.as_dict() == one_worker.as_dict()


def test_dask_local_cluster_gives_identical_per_seed_results(
    one_worker: jobsim.replay.SweepResult, capsys: pytest.CaptureFixture[str]
) -> None:
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        # distributed's own start-up may warn (ports, deprecated options of its deps); the
        # figures it returns are what this test checks.
        warnings.simplefilter("ignore")
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            result = sweep(SHOP, SEEDS, client.get_executor(), period=PERIOD)
            address = cluster.scheduler_address
            status = main(["sweep", str(SHOP), "--seeds", "1-8", "--for", "6h",
                           "--dask", address, "--format", "json"])  # fmt: skip
    assert result.per_seed == one_worker.per_seed
    assert status == 0
    assert json.loads(capsys.readouterr().out)["per_seed"] == one_worker.per_seed


def test_results_come_back_in_seed_order_with_progress() -> None:
    seen: list[tuple[int, int]] = []
    result = sweep(
        SHOP, [5, 2, 9], workers=1, period=3600, on_progress=lambda d, t: seen.append((d, t))
    )
    assert result.seeds == [5, 2, 9]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    alone = seed_metrics(run_scenario(SHOP, seed=2, period=3600).summary)
    assert result.per_seed[1] == alone


def test_distribution_is_nearest_rank_across_seeds(one_worker: jobsim.replay.SweepResult) -> None:
    processed = sorted(row["processed"] for row in one_worker.per_seed)
    spread = one_worker.distribution["processed"]
    assert spread["p50"] == processed[3]  # ceil(0.5 * 8) - 1
    assert spread["p95"] == processed[7]
    assert (spread["min"], spread["max"]) == (processed[0], processed[-1])
    assert {"busy_peak", "deaths", "retries", "latency_p95.critical"} <= set(
        one_worker.distribution
    )


def test_parse_seeds() -> None:
    assert parse_seeds("1-3") == [1, 2, 3]
    assert parse_seeds("7, 1-2,2") == [7, 1, 2]
    for bad in ("", "a-b", "5-1", "-3"):
        with pytest.raises(InvalidArgument, match="--seeds"):
            parse_seeds(bad)


def test_bad_sweeps_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="at least one seed"):
        sweep(SHOP, [], workers=1)
    with pytest.raises(InvalidArgument, match="not a directory"):
        sweep(tmp_path / "missing", [1], workers=1)
    with pytest.raises(InvalidArgument, match="no setting 'THREADS'"):
        sweep(SHOP, [1], workers=1, settings={"THREADS": "4"})


def test_set_overrides_concurrency_and_constants() -> None:
    run = run_scenario(
        SHOP, seed=1, period=3600, settings={"concurrency": "20", "SALE_FACTOR": "1"}
    )
    assert run.sim.concurrency == 20
    assert run.summary["settings"] == {"SALE_FACTOR": 1.0, "concurrency": 20}
    for settings, message in (
        ({"concurrency": "0"}, "whole number of threads"),
        ({"SALE_FACTOR": "lots"}, "SALE_FACTOR is a float"),
        ({"SALE_HOURS": "1"}, "only numbers, booleans and strings"),
        ({"nope": "1"}, "settable: concurrency, "),
    ):
        with pytest.raises(InvalidArgument, match=message):
            run_scenario(SHOP, seed=1, period=3600, settings=settings)


def test_cli_sweep_report_and_compare(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "sweep.html"
    assert main(["sweep", str(SHOP), "--seeds", "1-3", "--for", "2h", "--workers", "1",
                 "--format", "json", "--report", str(report),
                 "--progress", "always"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    swept = json.loads(captured.out)
    assert swept["seeds"] == [1, 2, 3]
    assert "seeds 3/3" in captured.err
    html = report.read_text()
    assert html.count('class="histogram"') == len(swept["distribution"])
    assert main(["sweep", str(SHOP), "--seeds", "1-2", "--for", "1h", "--workers", "1",
                 "--set", "concurrency=3"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "across seeds" in out
    assert "busy_peak" in out
    runs = []
    for name, extra in (("a", []), ("b", ["--set", "concurrency=20"])):
        assert main(["simulate", str(SHOP), "--for", "2h", "--seed", "1", "--format", "json",
                     *extra]) == 0  # fmt: skip
        path = tmp_path / f"{name}.json"
        path.write_text(capsys.readouterr().out)
        runs.append(path)
    assert main(["compare", str(runs[0]), str(runs[1])]) == 0
    out = capsys.readouterr().out
    assert "concurrency=20" in out
    assert "all threads busy for" in out
    sweep_json = tmp_path / "sweep.json"
    sweep_json.write_text(json.dumps(swept))
    assert main(["compare", str(runs[0]), str(sweep_json)]) == 2
    assert "two runs or two sweeps" in capsys.readouterr().err
    assert main(["compare", str(tmp_path / "none.json"), str(runs[0])]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["sweep", str(SHOP), "--seeds", "x"]) == 2
    assert main(["sweep", str(SHOP), "--seeds", "1", "--workers", "0"]) == 2
    assert main(["simulate", str(SHOP), "--for", "1h", "--set", "concurrency"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
