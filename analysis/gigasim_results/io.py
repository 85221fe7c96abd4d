"""Reading gigasim result files (schema "gigasim-results", written by sim/results/results_writer.cpp).

A result file holds root attributes (run metadata), ``/config`` (the resolved YAML texts),
``/params`` (flat sweep parameters), ``/summary`` (scalar floats) and tables stored as groups of
equal-length 1-D column datasets. See analysis/README.md for the schema, table by table.

Only h5py, numpy and pandas are used. The HDF5 file is never held open between calls: metadata is
read eagerly by :func:`open_run` and every :meth:`Run.table` call opens and closes the file again,
so result files can be renamed or deleted while a :class:`Run` is alive.
"""

from __future__ import annotations

import errno
import os
from typing import Any, Dict, List

import h5py
import numpy as np
import pandas as pd

SCHEMA_NAME = "gigasim-results"
#: Schema major versions this reader understands ("1.x").
SUPPORTED_MAJOR_VERSIONS = ("1",)
#: The tables gigasim writes, in the order :attr:`Run.tables` lists them.
KNOWN_TABLES = ("steps", "collectives", "slowdown", "groups", "nodes", "links")


def _to_python(value: Any) -> Any:
    """Converts an HDF5 attribute value to plain Python (int, float, str, bool or a list of them)."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [_to_python(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return _to_python(value.item())
    if isinstance(value, (list, tuple)):
        return [_to_python(v) for v in value]
    return value


def _attrs(obj: h5py.HLObject) -> Dict[str, Any]:
    return {name: _to_python(value) for name, value in obj.attrs.items()}


def _is_table(obj: Any) -> bool:
    return isinstance(obj, h5py.Group) and _to_python(obj.attrs.get("kind")) == "table"


def _read_column(ds: h5py.Dataset) -> Any:
    """One column as a numpy array (numbers), an object array of str, or a pandas.Categorical."""
    if ds.ndim != 1:
        raise ValueError(f"{ds.name}: table columns must be 1-D, got shape {ds.shape}")
    mapping = h5py.check_enum_dtype(ds.dtype)
    if mapping is not None:
        # Categories are the enum names ordered by value; values outside the enum become NaN.
        items = sorted(mapping.items(), key=lambda kv: kv[1])
        names = [name for name, _ in items]
        values = np.array([value for _, value in items], dtype=np.int64)
        raw = np.asarray(ds[()], dtype=np.int64)
        pos = np.searchsorted(values, raw)
        clipped = np.minimum(pos, max(len(values) - 1, 0))
        valid = (pos < len(values)) & (values[clipped] == raw) if len(values) else np.zeros(raw.shape, bool)
        codes = np.where(valid, pos, -1)
        return pd.Categorical.from_codes(codes, categories=names)
    if h5py.check_string_dtype(ds.dtype) is not None:
        return np.asarray(ds.asstr()[()], dtype=object)
    return ds[()]


def read_table(group: h5py.Group) -> pd.DataFrame:
    """A table group (attrs ``kind="table"``, ``columns``) of an open file as a DataFrame, columns in
    the order of ``columns``; ``df.attrs["units"]`` maps columns with a ``units`` attribute to it.
    Raises ValueError for a listed column without a dataset or columns of different lengths."""
    where = f"{group.file.filename}: table {group.name.lstrip('/')!r}"
    columns = [str(c) for c in _to_python(group.attrs["columns"])]
    data: Dict[str, Any] = {}
    units: Dict[str, str] = {}
    for column in columns:
        if column not in group:
            raise ValueError(f"{where} lists column {column!r} but has no such dataset")
        ds = group[column]
        data[column] = _read_column(ds)
        if "units" in ds.attrs:
            units[column] = str(_to_python(ds.attrs["units"]))
    lengths = {len(v) for v in data.values()}
    if len(lengths) > 1:
        raise ValueError(f"{where} has columns of different lengths {sorted(lengths)}")
    df = pd.DataFrame(data, columns=columns)
    df.attrs["units"] = units
    return df


class Run:
    """One gigasim result file.

    Built by :func:`open_run`. Attributes (all plain Python values, read once when opened):

    - ``path``: the file's path (str).
    - ``meta``: root attributes, e.g. ``meta["status"]``, ``meta["network_model"]``.
    - ``params``: flat sweep parameters (``{"topology.servers": "32"}``); empty outside sweeps.
    - ``summary``: scalar results, str -> float (``summary["step_time_mean_s"]``).
    - ``config``: the resolved YAML texts, ``{"run_yaml": ..., "topology_yaml": ..., "workload_yaml": ...}``.
    - ``tables``: names of the tables in the file; load one with :meth:`table`.
    """

    def __init__(self, path: str, meta: Dict[str, Any], params: Dict[str, Any], summary: Dict[str, float],
                 config: Dict[str, str], tables: List[str]):
        self.path = path
        self.meta = meta
        self.params = params
        self.summary = summary
        self.config = config
        self.tables = tables

    @property
    def status(self) -> str:
        """``"ok"`` or ``"failed"`` (then ``meta["error"]`` says why)."""
        return self.meta.get("status", "")

    def table(self, name: str) -> pd.DataFrame:
        """Loads table ``name`` as a DataFrame.

        Columns come in the order of the table's ``columns`` attribute; string columns hold str,
        HDF5 enum columns are ``pandas.Categorical`` (categories = enum names in value order).
        ``df.attrs["units"]`` maps each column that has a ``units`` attribute to its unit string.
        Raises KeyError (listing the available tables) for an unknown name.
        """
        if name not in self.tables:
            raise KeyError(f"{self.path}: no table {name!r}; available tables: {', '.join(self.tables)}")
        with h5py.File(self.path, "r") as f:
            return read_table(f[name])

    def __repr__(self) -> str:
        m = self.meta
        return (f"Run({self.path!r}, status={self.status!r}, topology={m.get('topology_kind')!r}, "
                f"workload={m.get('workload_kind')!r}, network_model={m.get('network_model')!r}, "
                f"tables={self.tables!r})")


def open_run(path: "str | os.PathLike[str]") -> Run:
    """Opens a gigasim result file and reads its metadata, params, summary and config.

    Raises FileNotFoundError if ``path`` does not exist, and ValueError if it is not an HDF5 file,
    not a gigasim-results file (missing or wrong ``schema`` attribute) or of an unsupported major
    schema version. Tables are read on demand with :meth:`Run.table`.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(errno.ENOENT, "no such result file", path)
    if os.path.isdir(path):
        raise ValueError(f"{path}: is a directory, not a gigasim-results file")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ValueError(f"{path}: not a gigasim-results file (cannot open it as HDF5: {e})") from e
    with f:
        schema = _to_python(f.attrs.get("schema"))
        if schema != SCHEMA_NAME:
            found = "no 'schema' attribute" if schema is None else f"schema {schema!r}"
            raise ValueError(f"{path}: not a gigasim-results file ({found}, expected schema {SCHEMA_NAME!r})")
        meta = _attrs(f)
        version = str(meta.get("schema_version", ""))
        if version.split(".")[0] not in SUPPORTED_MAJOR_VERSIONS:
            raise ValueError(f"{path}: unsupported gigasim-results schema_version {version!r} "
                             f"(this reader understands {', '.join(v + '.x' for v in SUPPORTED_MAJOR_VERSIONS)})")
        params = _attrs(f["params"]) if "params" in f else {}
        summary = {k: float(v) for k, v in _attrs(f["summary"]).items()} if "summary" in f else {}
        config: Dict[str, str] = {}
        if "config" in f:
            for name, ds in f["config"].items():
                if isinstance(ds, h5py.Dataset):
                    config[name] = ds.asstr()[()] if h5py.check_string_dtype(ds.dtype) else _to_python(ds[()])
        present = [name for name, obj in f.items() if _is_table(obj)]
    tables = [t for t in KNOWN_TABLES if t in present] + sorted(t for t in present if t not in KNOWN_TABLES)
    return Run(path, meta, params, summary, config, tables)
