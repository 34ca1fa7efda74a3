"""The pieces of `make bench` with tiny numbers and no wrk: a seeded database kept between
runs, wrk's report read right, and query counts that do not grow with the data."""
from __future__ import annotations

import os

from dwgk.ops import bench

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:1/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.42ms    1.00ms  17.18ms   78.50%
    Req/Sec     1.65k   418.70     2.77k    78.00%
  Latency Distribution
     50%  812.00us
     75%    2.85ms
     90%    3.34ms
     99%    1.20s
  16435 requests in 5.01s, 2.60MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   3281.21
"""


def test_wrk_report_is_read(monkeypatch):
    class Done:
        stdout = WRK_OUTPUT

    monkeypatch.setattr(bench.subprocess, "run", lambda *a, **k: Done())
    result = bench.wrk("http://127.0.0.1:1/", {}, 2, 0)
    assert (result.rps, result.p50, result.p99, result.errors) == (3281.21, 0.812, 1200.0, 3)


def test_seeded_databases_are_kept_and_query_counts_stay_flat(tmp_path, redis_server, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("DWGK_REDIS_URL", redis_server.url)
    monkeypatch.delenv("DWGK_DATABASE_URL", raising=False)
    small = bench.seed_sqlite(cache, 20, 5)
    again = bench.seed_sqlite(cache, 20, 5)
    assert small == again and small.exists() and len(list(cache.iterdir())) == 1
    larger = bench.seed_sqlite(cache, 120, 10)
    counts = {}
    for name, source in (("small", small), ("larger", larger)):
        folder = tmp_path / name
        folder.mkdir()
        os.link(source, folder / "dwgk.sqlite3")
        counts[name] = bench.query_counts(f"sqlite:///{folder}/dwgk.sqlite3", folder)
    assert counts["small"] == counts["larger"], counts
    # served again: the cached public pages and the kiosk's 304 read only the generation
    for label in ("/", "/items/<id>", "/kiosk 304"):
        assert counts["larger"][label][1] == 1, counts


def test_the_median_of_the_rounds():
    assert bench.median([3.0, 1.0, 2.0]) == 2.0
    assert bench.median([4.0, 1.0, 3.0, 2.0]) == 2.5
    assert bench.median([0.7]) == 0.7
