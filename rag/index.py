"""Moved to :mod:`rag.store`; this name stays so that code written against ``rag.index`` keeps importing."""

from rag.store import *  # noqa: F401,F403
from rag.store import __all__  # noqa: F401
