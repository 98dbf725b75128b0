"""bench/load.py's baseline views (portal/api/baseline.py) exist only where PORTAL_BENCH=1 says,
and never in production."""

import pytest
from django.urls import Resolver404, resolve

from tests.portal import test_settings as starts

SHOW_ROUTES = (
    starts.SETUP + "; from django.urls import resolve; "
    "print(resolve('/bench/bare/').url_name, resolve('/bench/floor/').url_name)"
)


@pytest.mark.parametrize("path", ["/bench/bare/", "/bench/floor/"])
def test_baselines_are_not_mounted_without_the_bench_switch(path):
    with pytest.raises(Resolver404):
        resolve(path)


def test_the_bench_switch_mounts_them_outside_production(tmp_path):
    started = starts._start(tmp_path, SHOW_ROUTES, PORTAL_MODE="test", PORTAL_BENCH="1")
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["bench-bare", "bench-floor"]


def test_a_production_start_with_the_bench_switch_stops(tmp_path):
    started = starts._start(
        tmp_path, starts.SETUP, **starts._production_environment(), PORTAL_BENCH="1"
    )
    assert started.returncode != 0
    assert "PORTAL_BENCH=1 mounts benchmark-only views: never in production" in started.stderr
