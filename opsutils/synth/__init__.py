"""The synthetic omnichannel world of the Yunxi Tea & Living brand.

>>> from opsutils.synth import make_world
>>> world = make_world(2_000, seed=1)          # doctest: +SKIP
>>> world.orders.head()                         # doctest: +SKIP
"""
from opsutils.synth._generate import PLANTED, make_world
from opsutils.synth._schema import GRAIN, SCHEMA
from opsutils.synth._types import TABLE_NAMES, Truth, World, WorldConfig

__all__ = ["make_world", "PLANTED", "TABLE_NAMES", "GRAIN", "SCHEMA", "Truth", "World", "WorldConfig"]
