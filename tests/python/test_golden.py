"""Golden outputs: what gigasim prints and the /summary it writes, pinned in tests/golden/.

Every case below is run again and compared with its files in tests/golden/:
  CASE.txt           the command, its exit code, stdout and stderr (with --progress log: the
                     estimate, start and ok lines; the progress lines are left out);
  CASE.summary.json  the /summary attributes of the result file (the `gigasim run` cases).
The cases: every example (the quickstart, the three topology-comparison fabrics at full size,
link-failure-16k scaled to 512 GPUs as test_examples.py runs it, the goodput-100k command, the
validation tables of examples/validation/nccl-multinode/run and megatron-table1/run --rows small)
and the bench cases step405b, moe and allreduce at 1,024 GPUs (run files from bench/run's own
functions). The quickstart output quoted in README.md and examples/quickstart/README.md must
match the quickstart's golden report.

Tolerance. Text is compared line by line: the words exactly, every number within 1e-6 relative
(1e-12 absolute near zero) or, for a number printed with decimals, within one unit of its last
printed digit (a value that moves by far less than 1e-6 can still round the other way). Summary
attributes: the same keys, strings exactly, numbers within 1e-6 relative (1e-12 absolute).
Masked before comparing, and masked in the golden files: clock times (hh:mm:ss), wall times
(`wall ...`, the estimate's `... of wall time`, the megatron table's `wall s` column), the
`cost` line after its flow count, peak RSS and the estimated memory (it counts the actor stacks,
GIGASIM_STACK_KIB), and the paths of the temporary directory and of the repository. Summary keys
that measure the machine are left out (*wall*, peak_rss_bytes, topology_build_s).

Update: GIGASIM_UPDATE_GOLDEN=1 (or `scripts/test --update-golden`) rewrites tests/golden/ from
this build instead of comparing (and removes the files of cases that no longer exist); the
rewritten files then show in `git diff` for review. The README quotes are not rewritten: fix
them by hand when their test fails. See tests/golden/README.md.
"""

import importlib.machinery
import importlib.util
import json
import math
import os
import re
import subprocess
import sys

import h5py
import pytest

from gigasim_test import GIGASIM_BIN, PYTHON, REPO, gigasim, link_failure_at_512_gpus, require_binary, write_run

GOLDEN = os.path.join(REPO, "tests", "golden")
UPDATE = os.environ.get("GIGASIM_UPDATE_GOLDEN", "") not in ("", "0")
REL_TOL, ABS_TOL = 1e-6, 1e-12
LOG = ["--progress", "log", "--progress-interval", "3600"]  # estimate, start and ok lines on stderr
VOLATILE_SUMMARY = re.compile(r".*wall.*|peak_rss_bytes|topology_build_s")

_TIME = r"[\d.]+(?:e[-+]?\d+)? ?(?:[mun]?s|min|h)\b"
MASKS = [
    (re.compile(r"^\d\d:\d\d:\d\d "), "hh:mm:ss "),
    (re.compile(_TIME + r" to " + _TIME + r" of wall time"), "<t> to <t> of wall time"),
    (re.compile(r"\bwall " + _TIME), "wall <t>"),
    (re.compile(r"^(\s*cost\s+[\d,]+ flows) \|.*$"), r"\1 | ..."),
    (re.compile(r"peak RSS [\d.]+ ?[KMGT]?i?B"), "peak RSS <mem>"),
    # It counts the actor stacks, GIGASIM_STACK_KIB (256 KiB under scripts/test-sanitize).
    (re.compile(r"estimate: [\d.]+ ?[KMGT]?i?B of memory"), "estimate: <mem> of memory"),
]
# Progress lines ([step i/n] ...): how many are printed depends on the wall time.
DROP = re.compile(r"^hh:mm:ss gigasim: \[step \d+/\d+\] ")
# The megatron table's last column (wall seconds per row): rows start with the model size.
MEGATRON_WALL = [(re.compile(r"^(\s*[\d.]+B\s.*?)\s+[\d.]+$"), r"\1 <t>")]


# ---- the cases -------------------------------------------------------------------------------------

def _bench():
    """bench/run as a module (its run files are the benchmark's definition of each case)."""
    loader = importlib.machinery.SourceFileLoader("gigasim_bench_run", os.path.join(REPO, "bench", "run"))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    keep, sys.dont_write_bytecode = sys.dont_write_bytecode, True  # no bench/__pycache__
    try:
        loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = keep
    return module


def _run(tmp, run_file, name, *extra):
    """`gigasim run` from the repository root; returns (argv shown, process, result file)."""
    out = str(tmp / f"{name}.h5")
    args = ["run", run_file, "-o", out, *extra, *LOG]
    return ["gigasim", *args], gigasim(*args, cwd=REPO), out


def _run_dict(tmp, run, name, sets=()):
    extra = [a for s in sets for a in ("--set", s)]
    return _run(tmp, write_run(tmp, run, name), name, *extra)


def _script(tmp, path, *args):
    """A Python script of the repository (run with GIGASIM_BIN), from the repository root."""
    require_binary()
    proc = subprocess.run([PYTHON, os.path.join(REPO, path), *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env=dict(os.environ, GIGASIM_BIN=GIGASIM_BIN))
    return [path, *args], proc, None


def _topology_comparison(fabric):
    return lambda tmp: _run(tmp, "examples/topology-comparison/run.yaml", fabric, "--set",
                            f"topology=examples/topology-comparison/{fabric}.yaml")


def _bench_llm(case):
    def run(tmp):
        run_dict, sets = _bench().llm_case(case, 1024)
        return _run_dict(tmp, run_dict, f"bench-{case}-1024", sets)
    return run


def _bench_allreduce(tmp):
    run_dict, _ = _bench().allreduce_case(1024, "collapsed")
    return _run_dict(tmp, run_dict, "bench-allreduce-1024")


def _goodput(tmp):
    # examples/goodput-100k/run.sh's gigasim command.
    args = ["goodput", "--gpus", "100000", "--checkpoint-interval", "30min", "--checkpoint-cost", "1min",
            "--restart-time", "10min", "--sweep-interval", "2min:4h:16", "--sweep-gpus", "1024:100000:8",
            "-o", str(tmp / "goodput.h5")]
    return ["gigasim", *args], gigasim(*args, cwd=REPO), None


CASES = {
    "quickstart": lambda tmp: _run(tmp, "examples/quickstart/run.yaml", "quickstart"),
    "topology-comparison-fat_tree": _topology_comparison("fat_tree"),
    "topology-comparison-rail_optimized": _topology_comparison("rail_optimized"),
    "topology-comparison-rail_only": _topology_comparison("rail_only"),
    "link-failure-512": lambda tmp: _run_dict(tmp, link_failure_at_512_gpus(), "link-failure-512"),
    "goodput-100k": _goodput,
    "validation-nccl-multinode": lambda tmp: _script(tmp, "examples/validation/nccl-multinode/run"),
    "validation-megatron-table1": lambda tmp: _script(tmp, "examples/validation/megatron-table1/run", "--rows",
                                                      "small", "--keep", str(tmp / "megatron")),
    "bench-step405b-1024": _bench_llm("step405b"),
    "bench-moe-1024": _bench_llm("moe"),
    "bench-allreduce-1024": _bench_allreduce,
}
CASE_MASKS = {"validation-megatron-table1": MEGATRON_WALL}


# ---- masking and comparing -------------------------------------------------------------------------

def mask(text, tmp=None, extra=()):
    """Text as pinned: temporary and repository paths dropped, volatile parts masked, progress lines
    left out, lines rstripped."""
    if tmp is not None:
        text = text.replace(str(tmp) + os.sep, "").replace(str(tmp), "<tmp>")
    text = text.replace(REPO + os.sep, "")
    lines = []
    for line in text.splitlines():
        for pattern, repl in [*MASKS, *extra]:
            line = pattern.sub(repl, line)
        if not DROP.match(line):
            lines.append(line.rstrip())
    return lines


def report(argv, proc, tmp, extra=()):
    cmd = mask(" ".join(argv), tmp, extra)
    return [f"$ {cmd[0]}", f"exit {proc.returncode}", "--- stdout", *mask(proc.stdout, tmp, extra),
            "--- stderr", *mask(proc.stderr, tmp, extra)]


_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _last_digit(token):
    """One unit of the last printed digit of a number with decimals (None for integers)."""
    mantissa, _, exp = token.lower().partition("e")
    if "." not in mantissa:
        return None
    return 10.0 ** (int(exp or 0) - len(mantissa.split(".")[1]))


def numbers_close(a, b):
    x, y = float(a), float(b)
    if math.isclose(x, y, rel_tol=REL_TOL, abs_tol=ABS_TOL):
        return True
    units = [u for u in (_last_digit(a), _last_digit(b)) if u is not None]
    return bool(units) and abs(x - y) <= min(units) * (1 + 1e-9)


def lines_match(expected, actual, elided=False):
    """Words equal, numbers close; elided: `expected` ends with '...' standing for the rest of `actual`."""
    if elided:
        expected = expected[:-3]
    words_e, words_a = _NUM.split(expected), _NUM.split(actual)
    nums_e, nums_a = _NUM.findall(expected), _NUM.findall(actual)
    if elided:
        n = len(nums_e)
        if len(nums_a) < n or words_e[:n] != words_a[:n] or not words_a[n].startswith(words_e[n]):
            return False
        return all(numbers_close(e, a) for e, a in zip(nums_e, nums_a[:n]))
    return words_e == words_a and len(nums_e) == len(nums_a) and all(map(numbers_close, nums_e, nums_a))


def diff_lines(expected, actual):
    """The lines that differ, as a readable list (empty when everything matches)."""
    out = []
    for i in range(max(len(expected), len(actual))):
        e = expected[i] if i < len(expected) else "<missing>"
        a = actual[i] if i < len(actual) else "<missing>"
        if i >= len(expected) or i >= len(actual) or not lines_match(e, a):
            out.append(f"line {i + 1}:\n  golden: {e}\n  now:    {a}")
    return out


def summary_of(path):
    with h5py.File(path, "r") as f:
        attrs = dict(f["summary"].attrs)
    out = {}
    for k, v in sorted(attrs.items()):
        if VOLATILE_SUMMARY.fullmatch(k):
            continue
        if isinstance(v, bytes):
            v = v.decode()
        elif hasattr(v, "item"):
            v = v.item()
        out[k] = v
    return out


def summary_diff(expected, actual):
    out = [f"{k}: missing now" for k in sorted(set(expected) - set(actual))]
    out += [f"{k}: new (not in the golden file)" for k in sorted(set(actual) - set(expected))]
    for k in sorted(set(expected) & set(actual)):
        e, a = expected[k], actual[k]
        if isinstance(e, str) or isinstance(a, str):
            same = e == a
        else:
            same = (math.isnan(e) and math.isnan(a)) or math.isclose(e, a, rel_tol=REL_TOL, abs_tol=ABS_TOL)
        if not same:
            out.append(f"{k}: golden {e!r}, now {a!r}")
    return out


def golden_path(name, kind):
    return os.path.join(GOLDEN, f"{name}.{kind}")


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines()


def write_text(path, lines):
    os.makedirs(GOLDEN, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


# ---- the tests -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(CASES))
def test_golden(name, tmp_path):
    argv, proc, result = CASES[name](tmp_path)
    assert proc.returncode == 0, f"{' '.join(map(str, argv))} failed ({proc.returncode}):\n{proc.stderr}"
    text = report(argv, proc, tmp_path, CASE_MASKS.get(name, ()))
    summary = summary_of(result) if result else None
    txt, js = golden_path(name, "txt"), golden_path(name, "summary.json")
    if UPDATE:
        write_text(txt, text)
        if summary is not None:
            write_text(js, [json.dumps(summary, indent=1, sort_keys=True)])
        elif os.path.exists(js):
            os.remove(js)
        print(f"updated {os.path.relpath(txt, REPO)}" + (" and its summary" if summary is not None else ""))
        return
    how = "(if the change is intended: scripts/test --update-golden, or GIGASIM_UPDATE_GOLDEN=1, and review the diff)"
    assert os.path.exists(txt), f"no golden file {txt} {how}"
    diffs = diff_lines(read_lines(txt), text)
    assert not diffs, f"{name}: the printed output differs from {os.path.relpath(txt, REPO)} {how}:\n" + \
        "\n".join(diffs[:30])
    if summary is not None:
        with open(js, encoding="utf-8") as f:
            diffs = summary_diff(json.load(f), summary)
        assert not diffs, f"{name}: /summary differs from {os.path.relpath(js, REPO)} {how}:\n" + "\n".join(diffs)


def test_no_stale_golden_files():
    expected = {f"{n}.txt" for n in CASES} | {f"{n}.summary.json" for n in CASES} | {"README.md"}
    stale = sorted(f for f in os.listdir(GOLDEN) if f not in expected) if os.path.isdir(GOLDEN) else []
    if UPDATE:
        for f in stale:
            os.remove(os.path.join(GOLDEN, f))
        return
    assert not stale, f"tests/golden/ holds files of no case: {stale} (scripts/test --update-golden removes them)"


def quoted_quickstart(readme):
    """The quickstart report quoted in a README: the code block that starts with its first line."""
    lines = read_lines(os.path.join(REPO, readme))
    for i, line in enumerate(lines):
        if line.startswith("gigasim run examples/quickstart/run.yaml -> quickstart.h5"):
            end = lines.index("```", i)
            return mask("\n".join(lines[i:end]))
    pytest.fail(f"{readme}: no quoted output of `gigasim run examples/quickstart/run.yaml`")


@pytest.mark.parametrize("readme", ["README.md", "examples/quickstart/README.md"])
def test_readme_quotes_the_golden_quickstart(readme):
    """The README's block must be the golden stdout's first lines; lines it leaves out at the end
    may only be the `cost` line (it depends on the machine) and the `Read it:` hint; a quoted line
    ending in '...' elides the rest of the line."""
    golden = read_lines(golden_path("quickstart", "txt"))
    stdout = golden[golden.index("--- stdout") + 1:golden.index("--- stderr")]
    quoted = quoted_quickstart(readme)
    assert len(quoted) <= len(stdout), f"{readme} quotes more lines than the quickstart prints"
    diffs = [f"  {readme}: {q}\n  golden:    {g}" for q, g in zip(quoted, stdout)
             if not lines_match(q, g, elided=q.endswith("..."))]
    assert not diffs, f"{readme} no longer quotes what the quickstart prints (tests/golden/quickstart.txt):\n" + \
        "\n".join(diffs)
    left_out = [g for g in stdout[len(quoted):] if not re.match(r"\s*cost\s|Read it:", g)]
    assert not left_out, f"{readme} leaves out lines of the quickstart's report: {left_out}"
