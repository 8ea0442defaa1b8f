"""neardup: find near-duplicate and reused text in large document collections.

>>> import neardup
>>> neardup.compare("it’s a b c d e f g h i j", "IT'S  a b c d e f g h i j").relation
'exact'
"""

import importlib as _importlib
import typing as _typing

from neardup.errors import (
    EngineUnavailable,
    IndexFormatError,
    InputError,
    NeardupError,
    OptionsError,
    OutputError,
)
from neardup.normalize import normalize

if _typing.TYPE_CHECKING:
    from neardup.api import (
        Deduplication,
        compare,
        deduplicate,
        deduplicate_files,
        find_files,
        find_pairs,
    )
    from neardup.index import Index, IndexStats, Match
    from neardup.options import Options
    from neardup.results import ClusterMember, Comparison, Pair, Summary

#: Where each name of the API lives. They are imported on first use: the compiled kernel (numba)
#: takes a third of a second to load, which `neardup --help` and the pre-pass's worker processes
#: need not pay.
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
    **dict.fromkeys(("Index", "IndexStats", "Match"), "neardup.index"),
    "Options": "neardup.options",
    **dict.fromkeys(("ClusterMember", "Comparison", "Pair", "Summary"), "neardup.results"),
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'neardup' has no attribute {name!r}")
    value = getattr(_importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public API only: not the helpers this module imports, nor submodules."""
    return sorted(__all__)


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
