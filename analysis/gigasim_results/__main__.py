"""Command line: merge a sweep's results into one table, or write an HTML report.

    /usr/bin/python3 -m gigasim_results merge DIR [-o DIR/summary.h5] [--csv]
    /usr/bin/python3 -m gigasim_results report PATH [-o report.html]
    /usr/bin/python3 -m gigasim_results goodput GOODPUT.h5|GOODPUT.json [-o DIR]

with the package installed (analysis/README.md, "Installing"), or ``PYTHONPATH=analysis`` from the
repository root.

Exit status: 0 on success; 2 on bad arguments (e.g. merge of a directory without manifest.csv,
or a goodput result without curves); 3 when a file cannot be written ("PATH: error: no space
left on device", nothing left behind).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import List, Optional

from .report import write_report
from .sweep import NotASweepDir, WriteError, counts, merge, save


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python3 -m gigasim_results",
        description="Analysis of gigasim result files (HDF5). Schema and columns: analysis/README.md.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    m = sub.add_parser(
        "merge", help="merge a sweep's result files into one table (HDF5, optionally CSV)",
        description="Merge a planned sweep (DIR/manifest.csv, DIR/results/*.h5 and *.error) into one "
                    "table with one row per point: point_id, index, seed, swept parameters, status "
                    "(ok/failed/missing), error, every /summary key and a few run attributes. "
                    "Read it back with pandas.read_hdf(OUT, 'runs').")
    m.add_argument("dir", metavar="DIR", help="sweep directory (made by: gigasim sweep plan SWEEP.yaml -o DIR)")
    m.add_argument("-o", "--output", metavar="OUT", help="HDF5 file to write (default: DIR/summary.h5)")
    m.add_argument("--csv", action="store_true", help="also write the table as CSV next to OUT (same stem, .csv)")
    r = sub.add_parser(
        "report", help="write one self-contained HTML report",
        description="Write one self-contained HTML page (figures embedded as PNG) with a summary table, "
                    "step breakdown, link utilization, ECMP imbalance, bus bandwidth and ETTR figures.")
    r.add_argument("path", metavar="PATH", help="a sweep directory, a directory of .h5 result files, or one .h5 file")
    r.add_argument("-o", "--output", metavar="HTML", default="report.html", help="HTML file to write (default: report.html)")
    gp = sub.add_parser(
        "goodput", help="plot ETTR against checkpoint interval and against job size",
        description="Plot the curves of a gigasim goodput result: ETTR against checkpoint interval (Monte Carlo "
                    "with 95 %% CI, the closed form, the Young/Daly interval marked) and ETTR against job size "
                    "(at fixed intervals and at each size's Young/Daly interval). Writes DIR/ettr_vs_interval.png "
                    "and/or DIR/ettr_vs_gpus.png, whichever the result has curves for.")
    gp.add_argument("path", metavar="PATH",
                    help="gigasim goodput -o result (.h5) or its --json output saved to a .json file; made with "
                         "--sweep-interval FROM:TO:COUNT and/or --sweep-gpus FROM:TO:COUNT")
    gp.add_argument("-o", "--output", metavar="DIR", default=".", help="directory for the PNG files (default: .)")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "merge":
        try:
            df = merge(args.dir)
        except NotASweepDir as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        out = args.output or os.path.join(args.dir, "summary.h5")
        try:
            written = save(df, out, csv=args.csv)
        except WriteError as e:
            print(e, file=sys.stderr, flush=True)
            # Leave at once: PyTables' exit handlers can crash on a file whose write failed.
            sys.stdout.flush()
            os._exit(3)
        c = counts(df)
        print(f"{len(df)} points: {c['ok']} ok, {c['failed']} failed, {c['missing']} missing")
        for path in written:
            print(f"wrote {path}")
        return 0
    if not os.path.exists(args.path):
        print(f"error: {args.path}: no such file or directory", file=sys.stderr)
        return 2
    if args.command == "goodput":
        from .goodput import write_figures
        try:
            written = write_figures(args.path, args.output)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        for path in written:
            print(f"wrote {path}")
        return 0
    print(f"wrote {write_report(args.path, args.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
