"""Find the domains' optional adapter modules by name (`pingan.<domain>.<module>`).

Domains are joined by events and by such modules, not by importing each other: the bus loads
every `handlers` module, the device gateway every `mqtt_inbound` module.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from collections.abc import Iterable


def import_domain_modules(module: str, extra: Iterable[str] = ()) -> list[str]:
    """Import `pingan.<domain>.<module>` wherever it exists (and the extra modules named)."""
    import pingan

    names = [
        f"pingan.{info.name}.{module}"
        for info in pkgutil.iter_modules(pingan.__path__)
        if info.ispkg and importlib.util.find_spec(f"pingan.{info.name}.{module}") is not None
    ]
    names.extend(extra)
    for name in names:
        importlib.import_module(name)
    return names
