"""Names of a package imported on first use, so that importing the package stays cheap."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any


def lazy_names(
    package: str, where: Mapping[str, str], *, shown: Callable[[], Iterable[str]] | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """(`__getattr__`, `__dir__`) of `package`: each name in `where` is imported from the module
    it maps to when first asked for, then kept in the package. `dir()` lists `shown()` where
    given (a package's public API, not the helpers it imports), else every name."""
    module = sys.modules[package]

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where[name]), name)
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(shown() if shown is not None else {*vars(module), *where})

    return __getattr__, __dir__
