"""Command-line errors: a missing run file, an output that cannot be written, a bad --set, usage
errors; each gets a clear message, the right exit code and no output file.

(The corpus of malformed input files is tests/corpus/, run by test_corpus.py.)
"""

import os
import stat

import pytest

from gigasim_test import QUICKSTART, gigasim


def assert_nothing_written(out):
    assert not os.path.exists(out), "an output file was written"
    assert not os.path.exists(out + ".tmp"), "a temporary output file was left behind"


def test_missing_run_file(tmp_path):
    out = str(tmp_path / "out.h5")
    proc = gigasim("run", str(tmp_path / "nope.yaml"), "-o", out)
    assert proc.returncode == 2
    assert "nope.yaml: error: no such file" in proc.stderr
    assert_nothing_written(out)


def test_output_directory_missing(tmp_path):
    out = str(tmp_path / "no_such_dir" / "out.h5")
    proc = gigasim("run", QUICKSTART, "-o", out, "--progress", "none")
    assert proc.returncode == 3, proc.stderr
    assert "out.h5: error: output directory" in proc.stderr
    assert_nothing_written(out)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into read-only directories")
def test_output_not_writable(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(stat.S_IRUSR | stat.S_IXUSR)
    out = str(ro / "out.h5")
    proc = gigasim("run", QUICKSTART, "-o", out, "--progress", "none")
    ro.chmod(stat.S_IRWXU)
    assert proc.returncode == 3, proc.stderr
    assert_nothing_written(out)


def test_output_on_readonly_filesystem(tmp_path):
    # /proc is read-only even for root: the same path as a read-only directory for a user.
    out = "/proc/gigasim_out.h5"
    proc = gigasim("run", QUICKSTART, "-o", out, "--progress", "none")
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.startswith(f"{out}: error: ") and "cannot create the output file" in proc.stderr


def test_bad_override(tmp_path):
    out = str(tmp_path / "out.h5")
    proc = gigasim("run", QUICKSTART, "-o", out, "--set", "topology.servers=-3", "--progress", "none")
    assert proc.returncode == 2
    assert "(--set topology.servers): error: 'topology.servers' must be positive" in proc.stderr
    assert_nothing_written(out)
    proc = gigasim("run", QUICKSTART, "-o", out, "--set", "novalue")
    assert proc.returncode == 2
    assert "--set expects key.path=value" in proc.stderr


def test_usage_errors_exit_2():
    assert gigasim("run").returncode == 2
    assert gigasim("run", QUICKSTART, "--no-such-flag").returncode == 2
    assert gigasim("frobnicate").returncode == 2
    assert gigasim().returncode == 2


def test_help_on_every_verb():
    for verb in ([], ["run"], ["inspect"]):
        proc = gigasim(*verb, "--help")
        assert proc.returncode == 0
        assert "Usage" in proc.stdout or "usage" in proc.stdout.lower()
    assert "gigasim" in gigasim("--version").stdout
