"""The OpenAPI description in one language.

Routes name their texts by catalogue code (`summary="incidents.api.dispatch"`,
`Query(description="incidents.field.state")`, `tags=["incidents.tag"]`), which keeps the route
code short and the words in the catalogues. The spec FastAPI builds therefore holds codes;
`translate` puts each into words for one language, so /api/openapi.json (and the API docs page
that reads it) speaks the language the request asks for.
"""

from __future__ import annotations

import copy
from typing import Any

from pingan.i18n.catalogue import catalogue, text
from pingan.i18n.context import DEFAULT_LANG

TEXT_KEYS = frozenset({"summary", "description", "title"})


def translate(spec: dict[str, Any], lang: str) -> dict[str, Any]:
    """A copy of `spec` with every summary, description, title and tag that is a catalogue
    code replaced by its text in `lang`; other strings (names, examples) stay as they are."""
    known = catalogue(DEFAULT_LANG)

    def words(value: Any) -> Any:
        return text(value, lang) if isinstance(value, str) and value in known else value

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [words(v) if key == "tags" else walk(v) for v in node]
        return words(node) if key in TEXT_KEYS else node

    out = walk(copy.deepcopy(spec))
    for tag in out.get("tags", []):  # top-level tag objects: {"name": code, ...}
        if isinstance(tag, dict):
            tag["name"] = words(tag.get("name"))
    return out
