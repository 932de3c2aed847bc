"""The worker benchmark still runs (it asserts nothing about speed)."""

import json
import os
import subprocess

from conftest import PYTHON, SRC, shm_files


def test_bench_consume_runs_quickly():
    result = subprocess.run([PYTHON, "-m", "virta.bus", "bench-consume", "--quick", "--json"],
                            capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, PYTHONPATH=SRC))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [m["mode"] for m in report["modes"]] == ["ends", "sample", "full", "copy"]
    assert all(m["frames"] == 60 and m["capacity_fps"] > 0 for m in report["modes"])
    assert report["memcpy"]["fps"] > 0
    assert not shm_files("virta.bench.consume.*"), "the benchmark removes its channel"
