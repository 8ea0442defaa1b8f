"""The page templates of `explain/templates/` (the HTML report, the service's docs page), loaded
without the rest of `explain`: the service imports this at start."""

from __future__ import annotations

from typing import Any


def load_template(name: str) -> Any:
    """A page template of neardup's `templates` folder; it escapes every value it shows."""
    import jinja2  # only runs that write a page (the report, the service's docs) need it

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("neardup.explain", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template(name)
