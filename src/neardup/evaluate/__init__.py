"""Accuracy on labelled data: neardup next to a MinHash-LSH baseline (`neardup eval`).

Loaders (`datasets.py`, `sets.py`), the generated news benchmark (`news_benchmark.py`,
`transform.py`), the baseline (`baseline.py`), measures (`metrics.py`) and the runs that produce
the tables (`run.py`, `reuters.py`, `harness.py`; the dataset kinds are in `formats.py`).

The names below are imported on first use: the CLI lists the dataset formats without loading
the harness, which loads the whole engine.
"""

from neardup.lazy import lazy_names

_LAZY = {
    "Generation": "neardup.evaluate.harness",
    "run_eval": "neardup.evaluate.harness",
    "evaluate": "neardup.evaluate.run",
    "generate": "neardup.evaluate.news_benchmark",
    "LabelledPair": "neardup.evaluate.sets",
    "LabelledSet": "neardup.evaluate.sets",
    "from_records": "neardup.evaluate.sets",
    "Table": "neardup.evaluate.table",
}
__getattr__, __dir__ = lazy_names(__name__, _LAZY)

__all__ = [
    "Generation",
    "LabelledPair",
    "LabelledSet",
    "Table",
    "evaluate",
    "from_records",
    "generate",
    "run_eval",
]
