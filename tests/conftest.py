"""Shared fixtures: the default world is loaded once per test session from the dataset cache."""

import pytest


@pytest.fixture(scope="session")
def world():
    from opsutils.datasets import load_world

    return load_world()


@pytest.fixture(scope="session")
def small_world():
    from opsutils.synth import make_world

    return make_world(1_500, seed=11)
