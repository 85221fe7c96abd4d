"""gigasim_results: load gigasim's HDF5 result files into plain Python and pandas.

    import gigasim_results as g
    run = g.open_run("quickstart.h5")
    run.status, run.summary["step_time_mean_s"]
    steps = run.table("steps")          # pandas.DataFrame, units in steps.attrs["units"]

The schema is documented in analysis/README.md; it is written by sim/results/results_writer.cpp.
"""

from .io import Run, open_run

__all__ = ["open_run", "Run"]
