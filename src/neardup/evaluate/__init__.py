"""Accuracy on labelled data: neardup next to a MinHash-LSH baseline (`neardup eval`).

Loaders (`sets.py`), the generated news benchmark (`generate.py`, `transform.py`), the
baseline (`baseline.py`), measures (`metrics.py`) and the runs that produce the tables
(`run.py`, `reuters.py`).
"""
