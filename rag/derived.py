"""Data worked out once from installed libraries, then read from disk.

Some lookups are computed from a library's large tables and need only a sliver of
them: the pinyin of China's ~350 place names takes pypinyin's phrase dictionary
(0.5 s to load, ~45 MB kept for the life of the process). :func:`cached` computes
such a value once, keeps it as JSON under ``models/derived/`` keyed by a hash of
everything it depends on, and reads it back afterwards. When the folder cannot be
written the value is simply computed each time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rag.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

#: Where derived values are kept (a cache: deleting it only costs their recomputation).
DERIVED_DIR = PROJECT_ROOT / "models" / "derived"


def cached(name: str, inputs: Any, compute: Callable[[], Any], folder: Path = DERIVED_DIR) -> Any:
    """``compute()`` (a JSON value), read from ``folder`` when it was computed before for the same ``inputs``.

    ``inputs`` is anything JSON-serialisable the value depends on (library versions, the
    names it is computed for); a change to it computes the value afresh.
    """
    key = hashlib.sha256(json.dumps(inputs, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()[:16]
    path = Path(folder) / f"{name}-{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    value = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError as exc:  # a read-only install: computed again next time
        log.info("could not keep %s (%s)", path, exc)
    return value
