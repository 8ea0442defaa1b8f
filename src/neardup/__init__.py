"""neardup: find near-duplicate and reused text in large document collections.

>>> import neardup
>>> neardup.compare("it’s a b c d e f g h i j", "IT'S  a b c d e f g h i j").relation
'exact'
"""

import typing as _typing

from neardup.core.normalize import normalize
from neardup.errors import (
    EngineUnavailable,
    IndexFormatError,
    InputError,
    NeardupError,
    OptionsError,
    OutputError,
)
from neardup.lazy import lazy_names as _lazy_names

if _typing.TYPE_CHECKING:
    from neardup.api import (
        Deduplication,
        compare,
        deduplicate,
        deduplicate_files,
        find_files,
        find_pairs,
    )
    from neardup.index.query import Match
    from neardup.index.store import Index, IndexStats
    from neardup.options import Options
    from neardup.results import ClusterMember, Comparison, Pair, Summary

#: Where each name of the API lives. They are imported on first use: numpy, pyarrow and the
#: native core take a tenth of a second and more to load, which `neardup --help` and the
#: pre-pass's worker processes need not pay.
_LAZY = {
    **dict.fromkeys(
        (
            "Deduplication",
            "compare",
            "deduplicate",
            "deduplicate_files",
            "find_files",
            "find_pairs",
        ),
        "neardup.api",
    ),
    **dict.fromkeys(("Index", "IndexStats"), "neardup.index.store"),
    "Match": "neardup.index.query",
    "Options": "neardup.options",
    **dict.fromkeys(("ClusterMember", "Comparison", "Pair", "Summary"), "neardup.results"),
}


__getattr__, __dir__ = _lazy_names(__name__, _LAZY, shown=lambda: __all__)

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
