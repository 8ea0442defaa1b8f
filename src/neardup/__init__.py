"""neardup: find near-duplicate and reused text in large document collections.

>>> import neardup
>>> neardup.compare("it’s a b c d e f g h i j", "IT'S  a b c d e f g h i j").relation
'exact'
"""

from neardup.api import (
    Deduplication,
    compare,
    deduplicate,
    deduplicate_files,
    find_files,
    find_pairs,
)
from neardup.errors import (
    EngineUnavailable,
    IndexFormatError,
    InputError,
    NeardupError,
    OptionsError,
    OutputError,
)
from neardup.index import Index, IndexStats, Match
from neardup.normalize import normalize
from neardup.options import Options
from neardup.results import ClusterMember, Comparison, Pair, Summary

__version__ = "0.1.0"

__all__ = [
    "ClusterMember",
    "Comparison",
    "Deduplication",
    "EngineUnavailable",
    "Index",
    "IndexFormatError",
    "IndexStats",
    "InputError",
    "Match",
    "NeardupError",
    "Options",
    "OptionsError",
    "OutputError",
    "Pair",
    "Summary",
    "__version__",
    "compare",
    "deduplicate",
    "deduplicate_files",
    "find_files",
    "find_pairs",
    "normalize",
]
