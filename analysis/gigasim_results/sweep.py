"""Merging a gigasim sweep into one table, and saving it.

A sweep directory (``gigasim sweep plan SWEEP.yaml -o DIR``) holds ``DIR/manifest.csv`` (columns
``point_id, index, seed, <one column per swept key>, run_file, output``) and, once run, one
``DIR/<output>`` result file per point (``results/<point_id>.h5``, root attribute ``status`` =
``"ok"`` or ``"failed"``) or, for a point that died before writing one, ``results/<point_id>.error``
(one line of text). :func:`merge` reads them the way ``gigasim sweep status`` does and returns one row
per point; :func:`save` writes that table to HDF5 (``pandas.read_hdf(path, "runs")``) and CSV.

    import gigasim_results as g
    df = g.merge("out")                         # one row per manifest point, manifest order
    df[df.status == "ok"].groupby("topology.oversubscription")["step_time_mean_s"].mean()
    g.save(df, "out/summary.h5")                # + out/summary.csv
"""

from __future__ import annotations

import errno
import os
from typing import Any, Dict, Iterable, List, Optional

import numpy as np
import pandas as pd

from .io import open_run

MANIFEST = "manifest.csv"
#: Manifest columns that are not swept parameters.
MANIFEST_FIXED = ("point_id", "index", "seed", "run_file", "output")
#: Root attributes of a result file copied into the merged table (after the /summary keys).
META_COLUMNS = ("wall_time_s", "network_model", "fidelity", "topology_kind", "workload_kind")
#: Statuses of a point.
STATUSES = ("ok", "failed", "missing")


class NotASweepDir(ValueError):
    """The directory given to :func:`merge` has no ``manifest.csv``."""


def is_sweep_dir(path: "str | os.PathLike[str]") -> bool:
    """True if ``path`` is a directory holding a ``manifest.csv``."""
    return os.path.isfile(os.path.join(os.fspath(path), MANIFEST))


def _numeric_or_str(values: pd.Series) -> pd.Series:
    """The column as numbers if every value parses as one (``""`` does not), else as str."""
    if values.map(lambda v: isinstance(v, str) and not v.strip()).any():
        return values.astype(str)
    try:
        return pd.to_numeric(values, errors="raise")
    except (ValueError, TypeError):
        return values.astype(str)


def _point_record(path: str, error_path: Optional[str]) -> Dict[str, Any]:
    """Status, error, summary and metadata of one point, as ``gigasim sweep status`` sees it."""
    rec: Dict[str, Any] = {"status": "missing", "error": ""}
    if os.path.isfile(path):
        try:
            run = open_run(path)
        except (OSError, ValueError):
            run = None  # unreadable (e.g. half-written): fall back to the .error note, as gigasim does
        if run is not None:
            rec["status"] = "ok" if run.status == "ok" else "failed"
            if rec["status"] == "failed":
                rec["error"] = str(run.meta.get("error", f"status {run.status}"))
            rec.update(run.summary)
            rec.update({k: run.meta[k] for k in META_COLUMNS if k in run.meta})
            return rec
    if error_path and os.path.isfile(error_path):
        with open(error_path, encoding="utf-8", errors="replace") as f:
            rec["error"] = f.readline().rstrip("\r\n")
        rec["status"] = "failed"
    return rec


def _assemble(fixed: pd.DataFrame, records: List[Dict[str, Any]]) -> pd.DataFrame:
    """Joins the per-point columns (``fixed``) with status, error, summary keys and metadata."""
    summary_keys: List[str] = []
    for rec in records:
        for key in rec:
            if key not in ("status", "error") and key not in META_COLUMNS and key not in summary_keys:
                summary_keys.append(key)
    summary_keys = [k for k in summary_keys if k not in fixed.columns]
    df = fixed.reset_index(drop=True).copy()
    df["status"] = [r["status"] for r in records]
    df["error"] = [str(r.get("error", "")) for r in records]
    for key in summary_keys:
        df[key] = pd.Series([r.get(key, np.nan) for r in records], dtype=float)
    for key in META_COLUMNS:
        values = [r.get(key) for r in records]
        if key == "wall_time_s":
            df[key] = pd.Series([np.nan if v is None else v for v in values], dtype=float)
        else:
            df[key] = ["" if v is None else str(v) for v in values]
    return df


def merge(sweep_dir: "str | os.PathLike[str]") -> pd.DataFrame:
    """One row per point of the sweep in ``sweep_dir``, in manifest order.

    Columns: ``point_id`` (str), ``index`` (int), ``seed`` (int; float NaN where the sweep sets no
    seeds), one column per swept parameter as named in the manifest (numeric where every value
    parses as a number, else str), ``status`` (``"ok"``, ``"failed"`` or ``"missing"``), ``error``
    (``""`` unless failed), every ``/summary`` key of the points' result files (float, NaN where a
    file lacks it), then ``wall_time_s`` (float) and ``network_model``, ``fidelity``,
    ``topology_kind``, ``workload_kind`` (str, ``""`` without a result file).
    ``df.attrs["param_columns"]`` lists the parameter columns.

    Raises :class:`NotASweepDir` (a ValueError) if ``sweep_dir`` has no ``manifest.csv``.
    """
    sweep_dir = os.fspath(sweep_dir)
    if not is_sweep_dir(sweep_dir):
        raise NotASweepDir(f"{sweep_dir}: not a sweep directory (no {MANIFEST}; "
                           f"create one with: gigasim sweep plan SWEEP.yaml -o {sweep_dir})")
    manifest = pd.read_csv(os.path.join(sweep_dir, MANIFEST), dtype=str, keep_default_na=False)
    missing = [c for c in ("point_id", "output") if c not in manifest.columns]
    if missing:
        raise NotASweepDir(f"{sweep_dir}/{MANIFEST}: missing column(s) {', '.join(missing)}")
    params = [c for c in manifest.columns if c not in MANIFEST_FIXED]
    fixed = pd.DataFrame({"point_id": manifest["point_id"].astype(str)})
    for col in ("index", "seed"):
        if col in manifest.columns:
            fixed[col] = _numeric_or_str(manifest[col].replace("", np.nan))
    for col in params:
        fixed[col] = _numeric_or_str(manifest[col])
    records = []
    for output in manifest["output"]:
        path = os.path.join(sweep_dir, output)
        records.append(_point_record(path, os.path.splitext(path)[0] + ".error"))
    df = _assemble(fixed, records)
    df.attrs["param_columns"] = params
    return df


def runs_table(paths: Iterable["str | os.PathLike[str]"]) -> pd.DataFrame:
    """Like :func:`merge`, for result files outside a sweep: one row per file, in the given order.

    ``point_id`` is the file's stem and ``path`` its path; parameter columns come from each file's
    ``/params`` (all of them, except ``point_id`` and ``seed``). A file that cannot be read as a
    gigasim result file is a ``"failed"`` row whose ``error`` says why.
    """
    paths = [os.fspath(p) for p in paths]
    param_rows: List[Dict[str, str]] = []
    records = []
    for path in paths:
        rec = _point_record(path, None)
        params: Dict[str, str] = {}
        try:
            params = {k: str(v) for k, v in open_run(path).params.items() if k not in ("point_id", "seed")}
        except (OSError, ValueError) as e:
            rec = {"status": "failed", "error": str(e)}
        param_rows.append(params)
        records.append(rec)
    fixed = pd.DataFrame({"point_id": [os.path.splitext(os.path.basename(p))[0] for p in paths], "path": paths})
    names: List[str] = []
    for row in param_rows:
        names += [k for k in row if k not in names]
    for name in names:
        fixed[name] = _numeric_or_str(pd.Series([row.get(name, "") for row in param_rows], dtype=object))
    df = _assemble(fixed, records)
    df.attrs["param_columns"] = names
    return df


def param_columns(df: pd.DataFrame) -> List[str]:
    """The parameter columns of a merged table (``df.attrs["param_columns"]``, else the columns
    between ``seed``/``index``/``point_id`` and ``status`` — e.g. after reading it back from HDF5)."""
    if "param_columns" in df.attrs:
        return [c for c in df.attrs["param_columns"] if c in df.columns]
    cols = list(df.columns)
    if "status" not in cols:
        return []
    end = cols.index("status")
    lead = [i for i, c in enumerate(cols[:end]) if c in ("point_id", "index", "seed", "path")]
    return cols[(lead[-1] + 1 if lead else 0):end]


def _hdf_ready(df: pd.DataFrame) -> pd.DataFrame:
    """A copy PyTables' table format accepts: object columns as plain str (NaN -> ""), no extension dtypes."""
    out = pd.DataFrame(index=pd.RangeIndex(len(df)))
    for col in df.columns:
        s = df[col].reset_index(drop=True)
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            s = s.astype(object).where(s.notna(), "").map(str).astype(object)
        elif pd.api.types.is_bool_dtype(s.dtype):
            s = s.astype(np.int64)
        elif pd.api.types.is_extension_array_dtype(s.dtype):
            s = s.astype(float)
        out[str(col)] = s
    return out


def _atomic(path: str, write) -> None:
    """Calls ``write(tmp)`` on a temporary name next to ``path``, then renames it to ``path``."""
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


class WriteError(OSError):
    """A merged table could not be written; ``str()`` is "PATH: error: reason"."""


def _reason(path: str, exc: BaseException) -> str:
    """The system's reason a write to ``path`` failed, as gigasim prints it ("no space left on
    device"). PyTables reports HDF5's errors without an errno: the file system tells then."""
    err = getattr(exc, "errno", None)
    if isinstance(err, int) and err > 0:
        text = os.strerror(err)
    else:
        text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        try:
            st = os.statvfs(os.path.dirname(os.path.abspath(path)) or ".")
            if st.f_bavail * st.f_frsize < 64 * 1024:
                text = os.strerror(errno.ENOSPC)
        except OSError:
            pass
    return text[:1].lower() + text[1:]


def save(df: pd.DataFrame, path_h5: "str | os.PathLike[str]", csv: bool = True) -> List[str]:
    """Writes ``df`` to ``path_h5`` (key ``"runs"``, PyTables table format) and, with ``csv``, to
    the ``.csv`` of the same stem; both atomically, and both or neither. Returns the paths
    written. Raises ``WriteError`` ("PATH: error: no space left on device") when a file cannot be
    written; nothing is left behind then.

    Read back with ``pandas.read_hdf(path_h5, "runs")`` or ``pandas.read_csv(path_csv)``. String
    columns are stored as str with missing values as ``""``.
    """
    path_h5 = os.fspath(path_h5)
    parent = os.path.dirname(os.path.abspath(path_h5))
    table = _hdf_ready(df)
    jobs = [(path_h5, lambda tmp: table.to_hdf(tmp, key="runs", format="table", mode="w"))]
    if csv:
        jobs.append((os.path.splitext(path_h5)[0] + ".csv", lambda tmp: table.to_csv(tmp, index=False)))
    written: List[str] = []
    for path, write in jobs:
        try:
            os.makedirs(parent, exist_ok=True)
            _atomic(path, write)
        except Exception as e:  # noqa: BLE001 -- every failure becomes one clear message
            for done in written:
                os.remove(done)
            raise WriteError(f"{path}: error: {_reason(path, e)}") from e
        written.append(path)
    return written


def counts(df: pd.DataFrame) -> Dict[str, int]:
    """``{"ok": n, "failed": n, "missing": n}`` over the ``status`` column."""
    return {s: int((df["status"] == s).sum()) for s in STATUSES}
