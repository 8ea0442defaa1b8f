"""The Spark engine: the local engine's pairs and clusters over Spark DataFrames.

The DataFrame API is in `dataframes`, the distributed form of each stage in `stages`, and the
connected components that split the clustering in `components`. Example (needs
`pip install neardup[spark]` and a Java runtime)::

    import neardup.spark

    spark = neardup.spark.session()
    docs = spark.read.parquet("news.parquet")
    neardup.spark.find_pairs(docs).write.parquet("pairs.parquet")
"""

from neardup.spark.dataframes import (
    SparkDeduplication,
    deduplicate,
    deduplicate_files,
    find_files,
    find_pairs,
    read_inputs,
    session,
)

__all__ = [
    "SparkDeduplication",
    "deduplicate",
    "deduplicate_files",
    "find_files",
    "find_pairs",
    "read_inputs",
    "session",
]
