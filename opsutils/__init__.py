"""opsutils: analysis utilities and a synthetic world for omnichannel customer operations.

Submodules are imported on demand (``from opsutils import synth``), so that
``import opsutils`` stays light and changes no global settings.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
