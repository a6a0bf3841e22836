"""Repository-wide pytest configuration.

Registers ``nbval_sanitize.cfg`` (next to this file) as nbval's output sanitiser, by absolute
path, so that ``pytest --nbval-lax`` works from any folder. An explicit
``--nbval-sanitize-with FILE`` on the command line still wins.
"""

from pathlib import Path

NBVAL_SANITIZE_FILE = Path(__file__).resolve().parent / "nbval_sanitize.cfg"


def pytest_configure(config):
    option = config.option
    if not (getattr(option, "nbval", False) or getattr(option, "nbval_lax", False)):
        return  # nbval not installed or not asked for
    if getattr(option, "nbval_sanitize_with", None) or getattr(option, "sanitize_with", None):
        return  # the user chose a file (`--sanitize-with` is nbval's deprecated alias)
    option.nbval_sanitize_with = str(NBVAL_SANITIZE_FILE)
