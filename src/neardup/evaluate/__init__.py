"""Accuracy on labelled data: neardup next to a MinHash-LSH baseline (`neardup eval`).

Loaders (`sets.py`), the generated news benchmark (`generate.py`, `transform.py`), the
baseline (`baseline.py`), measures (`metrics.py`) and the runs that produce the tables
(`run.py`, `reuters.py`, `harness.py`).
"""

from neardup.evaluate.generate import generate
from neardup.evaluate.harness import Generation, run_eval
from neardup.evaluate.run import evaluate
from neardup.evaluate.sets import LabelledPair, LabelledSet, from_records
from neardup.evaluate.table import Table

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
