"""gigasim_results: load gigasim's HDF5 result files into plain Python and pandas, merge sweeps,
plot and report.

    import gigasim_results as g
    run = g.open_run("quickstart.h5")
    run.status, run.summary["step_time_mean_s"]
    steps = run.table("steps")          # pandas.DataFrame, units in steps.attrs["units"]

    df = g.merge("sweep_dir")           # one row per sweep point: params, status, summary
    g.save(df, "sweep_dir/summary.h5")  # pandas.read_hdf(..., "runs"), + summary.csv
    g.link_util_heatmap(run).savefig("links.png")
    g.write_report("sweep_dir", "report.html")

    gp = g.load_goodput("goodput.h5")   # gigasim goodput -o goodput.h5 (or its --json output)
    g.ettr_vs_interval(gp).savefig("ettr_vs_interval.png")

Every plot function returns a matplotlib Figure and takes ``ax=None``: pass an Axes of your own
figure to draw into it (``g.busbw_curves(run, ax=ax)`` returns ``ax.figure``).

Install (offline, Debian's packages): ``/usr/bin/python3 -m pip install --user --break-system-packages
--no-build-isolation --no-deps ./analysis``; or use it in place with ``PYTHONPATH=analysis``.
Command line: ``python3 -m gigasim_results merge DIR`` / ``report PATH`` / ``goodput PATH``
(see ``--help``).
The schema is documented in analysis/README.md; it is written by sim/results/results_writer.cpp.
"""

#: Package version: gigasim's (``project(gigasim VERSION ...)`` in the top-level CMakeLists.txt; a
#: test checks they agree). analysis/pyproject.toml reads it from here.
__version__ = "0.1.0"

from .io import Run, open_run
from .sweep import merge, runs_table, save

#: Exported lazily (they import matplotlib): name -> submodule.
_LAZY = {name: "plots" for name in ("step_breakdown", "link_util_heatmap", "link_util_cdf", "ecmp_imbalance",
                                    "ecmp_imbalance_table", "busbw_curves", "ettr_curves", "goodput_curves",
                                    "slowdown_table", "slowdown_cdf")}
_LAZY["write_report"] = "report"
_LAZY.update({name: "goodput" for name in ("Goodput", "load_goodput", "run_goodput", "ettr_vs_interval", "ettr_vs_gpus")})


def __getattr__(name):
    """``gigasim_results.step_breakdown`` etc.: imports plots/report (and matplotlib) on first use."""
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["open_run", "Run", "merge", "runs_table", "save", *_LAZY]
