"""The Spark engine: the local engine's pairs and clusters over Spark DataFrames.

The DataFrame API is in `dataframes`, the distributed form of each stage in `stages`, the
connected components that split the clustering in `components`, and the engine of the file
driver (`neardup.deduplicate_files(..., engine="spark")`, `--engine spark`) in `files`.
Example (needs `pip install neardup[spark]` and a Java runtime)::

    import neardup.spark

    spark = neardup.spark.session()
    docs = spark.read.parquet("news.parquet")
    neardup.spark.find_pairs(docs).write.parquet("pairs.parquet")
"""

from neardup.spark.dataframes import SparkDeduplication, deduplicate, find_pairs, session
from neardup.spark.files import SparkEngine, read_inputs

__all__ = [
    "SparkDeduplication",
    "SparkEngine",
    "deduplicate",
    "find_pairs",
    "read_inputs",
    "session",
]
