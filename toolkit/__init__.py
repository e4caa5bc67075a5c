"""pdtk — positive-deviance research toolkit for Norwegian youth-exclusion research.

The notebook entry point is :class:`toolkit.study.Study`; the command line is ``pdtk``.
"""

from __future__ import annotations

import os

# Presidio's e-mail recogniser pulls tldextract, which downloads the public-suffix list unless this is set
# before import. The toolkit must never reach the network, so set it as early as the package is imported.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

__version__ = "0.1.0"

__all__ = ["__version__"]
