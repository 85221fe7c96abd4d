"""`gigasim goodput`: the JSON contract, --help, the /goodput HDF5 group read back, bad inputs, the
goodput figures and the goodput-100k example. Runs the real binary (GIGASIM_BIN, default
build/gigasim)."""

import json
import math
import os
import stat
import subprocess

import h5py
import pytest

import gigasim_results as g
from gigasim_results.__main__ import main as analysis_main

from gigasim_test import GIGASIM_BIN, QUICKSTART, REPO, gigasim

CONTRACT = ["--gpus", "16384", "--failures-per-1000-node-days", "3.79", "--checkpoint-interval", "60min",
            "--checkpoint-cost", "1min", "--restart-time", "10min"]


def goodput_json(*args):
    proc = gigasim("goodput", *args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def goodput_h5(tmp_path_factory):
    out = str(tmp_path_factory.mktemp("goodput") / "goodput.h5")
    proc = gigasim("goodput", "--gpus", "16384", "--sweep-interval", "5min:4h:6", "--sweep-gpus", "1024,4096,16384",
                   "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert os.path.isfile(out) and not os.path.exists(out + ".tmp")
    return out


def test_json_contract():
    j = goodput_json(*CONTRACT, "--days", "30", "--seed", "1")
    for key in ("ettr_monte_carlo", "ettr_closed_form", "interruptions", "optimal_checkpoint_interval_s"):
        assert key in j, key
    nodes, rate, days = 2048, 3.79, 30
    mtbf = 86400 * 1000 / (nodes * rate)
    assert j["mtbf_s"] == pytest.approx(mtbf)
    # Daly's exact expression for exponential failures (restart 10 min, interval 1 h, cost 1 min).
    tau, delta, r = 3600, 60, 600
    closed = tau / (mtbf * math.exp(r / mtbf) * math.expm1((tau + delta) / mtbf))
    assert j["ettr_closed_form"] == pytest.approx(closed)
    print(f"16k GPUs: ETTR Monte Carlo {j['ettr_monte_carlo']:.4f} {j['ettr_monte_carlo_ci95']}, closed form "
          f"{j['ettr_closed_form']:.4f}, first order {j['ettr_first_order']:.4f}; interruptions {j['interruptions']} "
          f"(N r T = {nodes * rate / 1000 * days:.1f})")
    assert abs(j["ettr_monte_carlo"] / j["ettr_closed_form"] - 1) < 0.02
    assert j["optimal_checkpoint_interval_s"] == pytest.approx(math.sqrt(2 * delta * mtbf))
    # Interruptions: Poisson with mean nodes x rate x days per replica (100 replicas: se = sqrt(mean / 100)).
    expected = nodes * rate / 1000 * days
    assert j["interruptions_expected"] == pytest.approx(expected)
    assert abs(j["interruptions"] - expected) < 4 * math.sqrt(expected / j["replicas"])
    assert [c["cause"] for c in j["causes"]] == ["all"]
    assert j["lost_gpu_hours"] == pytest.approx(sum(c["lost_gpu_hours"] for c in j["causes"]))
    fractions = j["time_fractions"]
    assert sum(fractions[k] for k in ("useful", "checkpoint", "lost_work", "downtime")) == pytest.approx(1)
    assert fractions["useful"] == pytest.approx(j["ettr_monte_carlo"])


def test_default_table_and_determinism():
    a = goodput_json("--gpus", "16384", "--seed", "7", "--replicas", "20")
    b = goodput_json("--gpus", "16384", "--seed", "7", "--replicas", "20")
    assert a == b
    assert goodput_json("--gpus", "16384", "--seed", "8", "--replicas", "20")["ettr_monte_carlo"] != a["ettr_monte_carlo"]
    assert a["failures_per_1000_node_days"] == pytest.approx(419 / 110.592)
    assert [c["cause"] for c in a["causes"]] == ["gpu", "dependency", "network", "maintenance", "host", "unknown"]
    assert sum(c["interruptions"] for c in a["causes"]) == pytest.approx(a["interruptions"])
    scaled = goodput_json("--gpus", "16384", "--rate-scale", "2", "--replicas", "5")
    assert scaled["failures_per_1000_node_days"] == pytest.approx(2 * 419 / 110.592)
    mtbf = goodput_json("--gpus", "8", "--mtbf", "100d", "--replicas", "5")
    assert mtbf["failures_per_1000_node_days"] == pytest.approx(10)


def test_step_time_from_a_run(tmp_path):
    run = str(tmp_path / "run.h5")
    proc = gigasim("run", QUICKSTART, "-o", run, "--progress", "none", cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    with h5py.File(run, "r") as f:
        step = float(f["summary"].attrs["step_time_mean_s"])
    j = goodput_json("--gpus", "128", "--from-run", run, "--checkpoint-interval", "1h", "--replicas", "5")
    assert j["step_time_s"] == pytest.approx(step)
    assert j["checkpoint_interval_s"] == pytest.approx(round(3600 / step) * step)
    assert j["lost_steps"] is not None
    bad = gigasim("goodput", "--gpus", "128", "--from-run", QUICKSTART)
    assert bad.returncode == 2 and "step_time_mean_s" in bad.stderr


def test_help_explains_every_input():
    proc = gigasim("goodput", "--help")
    assert proc.returncode == 0
    for flag in ("--gpus", "--gpus-per-node", "--failures-per-1000-node-days", "--mtbf", "--rates", "--rate-scale",
                 "--weibull-shape", "--checkpoint-interval", "--checkpoint-cost", "--detection-time", "--restart-time",
                 "--hot-spares", "--repair-time", "--step-time", "--from-run", "--days", "--replicas", "--seed",
                 "--sweep-interval", "--sweep-gpus", "--output", "--json"):
        assert flag in proc.stdout, flag
    for word in ("ETTR", "Young/Daly", "closed form", "Monte Carlo", "Llama 3"):
        assert word in proc.stdout, word


def test_hdf5_group_read_back(goodput_h5):
    with h5py.File(goodput_h5, "r") as f:
        assert f.attrs["schema"] == "gigasim-results"
        assert f.attrs["result_kind"] == "goodput"
        assert f.attrs["status"] == "ok"
        gp = f["goodput"]
        for key in ("ettr_monte_carlo", "ettr_closed_form", "optimal_checkpoint_interval_s", "mtbf_s", "gpus",
                    "checkpoint_interval_s", "checkpoint_cost_s", "restart_time_s", "detection_time_s", "days",
                    "replicas", "hot_spares", "failures_per_1000_node_days", "rates_source"):
            assert key in gp.attrs, key
        causes = gp["causes"]
        assert causes.attrs["kind"] == "table"
        assert list(causes.attrs["columns"])[:2] == ["cause", "rate"]
        assert list(causes["cause"].asstr()[:]) == ["gpu", "dependency", "network", "maintenance", "host", "unknown"]
        assert causes["lost_gpu_hours"].attrs["units"] == "GPU-h"
        assert causes["interruptions"][:].sum() == pytest.approx(gp.attrs["interruptions_mean"])
        assert len(gp["replicas/ettr"]) == gp.attrs["replicas"]
        assert gp["replicas/ettr"][:].mean() == pytest.approx(gp.attrs["ettr_monte_carlo"])
        curves = gp["curves"]
        assert {"gpus", "checkpoint_interval_s", "at_optimum", "ettr", "ettr_closed_form"} <= set(curves.attrs["columns"])
    run = g.open_run(goodput_h5)  # the generic loader accepts it too
    assert run.status == "ok"
    loaded = g.load_goodput(goodput_h5)
    assert loaded.attrs["gpus"] == 16384
    curves = loaded.curves
    # 16384 at the 6 swept intervals; every size at the default 1 h and at its own Young/Daly interval.
    assert set(curves["gpus"]) == {1024, 4096, 16384}
    assert curves["at_optimum"].sum() == 3
    assert (abs(curves["ettr"] / curves["ettr_closed_form"] - 1) < 0.05).all()


def test_figures_from_hdf5_and_json(goodput_h5, tmp_path, capsys):
    assert analysis_main(["goodput", goodput_h5, "-o", str(tmp_path / "h5")]) == 0
    for name in ("ettr_vs_interval.png", "ettr_vs_gpus.png"):
        path = tmp_path / "h5" / name
        assert path.is_file() and path.stat().st_size > 10000
    j = gigasim("goodput", "--gpus", "100000", "--checkpoint-interval", "10min", "--sweep-interval", "2min:1h:5",
                "--replicas", "10", "--json")
    assert j.returncode == 0, j.stderr
    (tmp_path / "g.json").write_text(j.stdout)
    assert analysis_main(["goodput", str(tmp_path / "g.json"), "-o", str(tmp_path / "json")]) == 0
    assert (tmp_path / "json" / "ettr_vs_interval.png").stat().st_size > 10000
    assert not (tmp_path / "json" / "ettr_vs_gpus.png").exists()  # one job size: no size curve
    # A result without curves is an error (exit 2); so is a missing file.
    flat = str(tmp_path / "flat.h5")
    assert gigasim("goodput", "--gpus", "64", "--replicas", "3", "-o", flat).returncode == 0
    assert analysis_main(["goodput", flat, "-o", str(tmp_path / "none")]) == 2
    assert analysis_main(["goodput", str(tmp_path / "missing.h5")]) == 2
    assert "no goodput curves" in capsys.readouterr().err
    # The report's ETTR figure reads the same table.
    fig = g.ettr_curves(g.open_run(goodput_h5))
    assert fig.axes[0].lines and fig.axes[1].lines
    # run_goodput drives the binary.
    gp = g.run_goodput(["--gpus", "1024", "--replicas", "3"], gigasim=GIGASIM_BIN)
    assert gp.attrs["gpus"] == 1024 and len(gp.causes) == 6


@pytest.mark.parametrize("args, message", [
    (["--failures-per-1000-node-days", "-1"], "--failures-per-1000-node-days -1: a failure rate cannot be negative"),
    (["--checkpoint-interval", "0"], "--checkpoint-interval 0: must be positive"),
    (["--checkpoint-interval", "60 parsecs"], "unknown duration unit 'parsecs'"),
    (["--restart-time", "-5min"], "--restart-time -5min: a duration cannot be negative"),
    (["--hot-spares", "some"], "--hot-spares some"),
    (["--days", "0"], "--days 0: must be positive"),
    (["--weibull-shape", "0"], "--weibull-shape 0"),
    (["--mtbf", "100d", "--failures-per-1000-node-days", "2"], "at most one of"),
    (["--sweep-interval", "10min:4h"], "FROM:TO:COUNT"),
    (["--rates", "/nonexistent/rates.yaml"], "no such file"),
])
def test_bad_inputs(tmp_path, args, message):
    out = str(tmp_path / "out.h5")
    proc = gigasim("goodput", "--gpus", "1024", *args, "-o", out)
    print(f"{' '.join(args)}: exit {proc.returncode}: {proc.stderr.strip()}")
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert proc.stdout == ""
    assert not os.path.exists(out) and not os.path.exists(out + ".tmp")


def test_bad_rates_file_names_the_line(tmp_path):
    rates = tmp_path / "rates.yaml"
    rates.write_text("causes:\n  - {name: gpu, rate: 1.0, per: rack}\n")
    proc = gigasim("goodput", "--gpus", "1024", "--rates", str(rates))
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"{rates}:2:")
    rates.write_text("causes:\n  - {name: gpu, rate: 1.0, per: gpu}\n  - {name: sw, rate: 0.5, replace_node: false}\n")
    j = goodput_json("--gpus", "1024", "--rates", str(rates), "--replicas", "5")
    assert j["failures_per_1000_node_days"] == pytest.approx(1.5)


def test_unwritable_output(tmp_path):
    out = str(tmp_path / "no_such_dir" / "goodput.h5")
    proc = gigasim("goodput", "--gpus", "1024", "-o", out)
    assert proc.returncode == 3, proc.stderr
    assert "output directory" in proc.stderr
    assert not os.path.exists(out) and not os.path.exists(out + ".tmp")
    assert proc.stdout == ""
    if os.geteuid() != 0:  # root writes into read-only directories
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
        proc = gigasim("goodput", "--gpus", "1024", "-o", str(ro / "goodput.h5"))
        assert proc.returncode == 3
        assert not os.listdir(ro)
    proc = gigasim("goodput", "--gpus", "1024", "-o", str(tmp_path))  # a directory
    assert proc.returncode == 3 and "is a directory" in proc.stderr


def test_example_goodput_100k(tmp_path):
    """examples/goodput-100k/run.sh: the numbers its README shows."""
    env = dict(os.environ, GIGASIM=GIGASIM_BIN)
    proc = subprocess.run([os.path.join(REPO, "examples", "goodput-100k", "run.sh"), str(tmp_path / "out")], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    print(proc.stdout)
    gp = g.load_goodput(tmp_path / "out" / "goodput.h5")
    assert gp.attrs["gpus"] == 100000
    assert gp.attrs["ettr_monte_carlo"] == pytest.approx(0.4014, abs=0.0005)
    assert gp.attrs["ettr_closed_form"] == pytest.approx(0.4008, abs=0.0005)
    assert gp.attrs["optimal_checkpoint_interval_s"] / 60 == pytest.approx(7.8, abs=0.05)
    best = gp.curves[(gp.curves["gpus"] == 100000) & gp.curves["at_optimum"].astype(bool)]["ettr"].iloc[0]
    assert best == pytest.approx(0.550, abs=0.001)
    for name in ("ettr_vs_interval.png", "ettr_vs_gpus.png", "goodput.txt"):
        assert (tmp_path / "out" / name).stat().st_size > 1000
