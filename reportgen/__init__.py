"""reportgen: static report sites from Balsam's EventLog and BatchJob history.

The pipeline, one subpackage per stage: `spec` -> `source` -> `analytics` -> `charts` -> `site`;
`reportgen.build.build_site` runs it.
"""

from __future__ import annotations

__version__ = "0.1.0"
