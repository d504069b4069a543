"""assure: prove that a Vietnamese state information system is secured for its level.

The public API is small on purpose: load a profile, classify it under a regime, and
work with the shared findings model. Everything else is reachable through the CLI.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
