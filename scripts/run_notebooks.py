#!/usr/bin/env python
"""Re-execute the course notebooks in place, so that their committed outputs are fresh.

Usage::

    python scripts/run_notebooks.py                 # every notebook under notebooks/
    python scripts/run_notebooks.py notebooks/01_trends/01_x.ipynb notebooks/02_y

Each notebook runs top to bottom in a fresh "python3" kernel of *this* Python environment,
with its own folder as the working directory and a 600 s limit per cell. The result is
written back with volatile metadata removed (execution timestamps, widget state, the exact
Python version) and execution counts renumbered 1..N, so an unchanged notebook is rewritten
byte for byte.

The exit code is non-zero if any cell raises (that notebook is left untouched) or if any
output contains a warning on stderr (the notebook is written, so the warning can be seen;
fix the warning rather than hiding it).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from traitlets import default

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNEL_NAME = "python3"

# Same determinism settings as the Makefile, for runs outside `make notebooks`.
for _var, _value in {"PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
                     "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}.items():
    os.environ.setdefault(_var, _value)


class CurrentEnvKernelSpecManager(KernelSpecManager):
    """Resolve "python3" to ipykernel in the running interpreter, whatever kernels are installed."""

    def get_kernel_spec(self, kernel_name):
        if kernel_name == KERNEL_NAME:
            import ipykernel.kernelspec

            return self.kernel_spec_class(resource_dir=ipykernel.kernelspec.RESOURCES,
                                          **ipykernel.kernelspec.get_kernel_dict())
        return super().get_kernel_spec(kernel_name)


class CurrentEnvKernelManager(AsyncKernelManager):
    """A kernel manager (owned, started and shut down by nbclient) using the spec manager above."""

    @default("kernel_spec_manager")
    def _default_kernel_spec_manager(self):
        return CurrentEnvKernelSpecManager(data_dir=self.data_dir)


def find_notebooks(args: list[str]) -> list[Path]:
    """The notebooks named on the command line (files or folders), else all under notebooks/."""
    roots = [Path(a).resolve() for a in args] or [NOTEBOOKS]
    found: list[Path] = []
    for root in roots:
        if root.is_file() and root.suffix == ".ipynb":
            found.append(root)
        elif root.is_dir():
            found.extend(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        else:
            raise SystemExit(f"not a notebook or folder: {root}")
    return sorted(set(found), key=lambda p: p.as_posix())


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def normalise(nb: nbformat.NotebookNode) -> None:
    """Remove volatile metadata and renumber execution counts 1..N, in place."""
    nb.metadata.pop("widgets", None)
    language_info = nb.metadata.get("language_info")
    if language_info is not None:
        language_info.pop("version", None)
    kernelspec = nb.metadata.get("kernelspec")
    if kernelspec is not None:
        nb.metadata["kernelspec"] = {k: kernelspec[k] for k in ("display_name", "language", "name") if k in kernelspec}
    count = 0
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if "id" in cell and not cell["id"]:
            cell["id"] = f"cell-{i}"
        if cell.cell_type != "code":
            continue
        if cell.get("execution_count") is None:
            continue
        count += 1
        cell.execution_count = count
        cell.outputs = merge_streams(cell.get("outputs", []))
        for output in cell.get("outputs", []):
            if output.get("output_type") == "execute_result":
                output["execution_count"] = count
            # A widget view names a random model id and cannot render without the (stripped) widget
            # state: keep only its plain-text fallback so re-runs are byte-identical.
            data = output.get("data")
            if data is not None and WIDGET_VIEW in data:
                data.pop(WIDGET_VIEW)


def merge_streams(outputs: list) -> list:
    """Join consecutive stream outputs of the same stream (stdout, stderr) into one.

    How the kernel splits printed text into messages depends on timing (when the buffer is flushed), so
    without this a re-run can store the same text as one output or as two.
    """
    merged: list = []
    for output in outputs:
        prev = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and prev is not None and prev.get("output_type") == "stream"
                and prev.get("name") == output.get("name")):
            prev["text"] = "".join(prev["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def stderr_warnings(nb: nbformat.NotebookNode) -> list[str]:
    """Describe every stderr stream output that mentions a Warning."""
    found = []
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                text = output.get("text", "")
                text = "".join(text) if isinstance(text, list) else text
                if "Warning" in text:
                    first = next((line for line in text.splitlines() if "Warning" in line), "").strip()
                    found.append(f"cell {i} (execution_count {cell.get('execution_count')}): {first}")
    return found


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write with nbformat's canonical layout (indent 1, UTF-8, trailing newline), atomically."""
    text = nbformat.writes(nb)  # sorted keys, indent=1, ensure_ascii=False
    if not text.endswith("\n"):
        text += "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return  # unchanged: keep the file (and its mtime) as it is
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def run_notebook(path: Path, timeout: int) -> list[str]:
    """Execute one notebook and write it back; return any stderr warnings found."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_manager_class=CurrentEnvKernelManager,
        kernel_name=KERNEL_NAME,
        timeout=timeout,
        allow_errors=False,
        record_timing=False,
        store_widget_state=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    normalise(nb)
    write_notebook(nb, path)
    return stderr_warnings(nb)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="notebooks or folders (default: notebooks/)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)

    notebooks = find_notebooks(args.paths)
    if not notebooks:
        print("no notebooks found")
        return 0
    failures: list[str] = []
    total = time.perf_counter()
    for path in notebooks:
        rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        t0 = time.perf_counter()
        try:
            warnings = run_notebook(path, args.timeout)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
            print(f"FAILED  {rel}  ({time.perf_counter() - t0:.1f} s): a cell raised; notebook left unchanged",
                  flush=True)
            print("\n".join(str(exc).strip().splitlines()[-25:]), file=sys.stderr, flush=True)
            failures.append(f"{rel}: cell error")
            continue
        seconds = time.perf_counter() - t0
        size_kb = path.stat().st_size / 1024
        print(f"ok      {rel}  {seconds:6.1f} s  {size_kb:8.1f} KB", flush=True)
        for w in warnings:
            print(f"WARNING {rel}: stderr {w}", flush=True)
            failures.append(f"{rel}: warning in {w}")
    print(f"{len(notebooks)} notebook(s) in {time.perf_counter() - total:.1f} s")
    if failures:
        print(f"{len(failures)} problem(s):", file=sys.stderr)
        for f in failures:
            print(f"  {f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
