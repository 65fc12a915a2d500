"""Parameter Lab: an MkDocs plugin for pages with live, pre-rendered Python demos.

The public API is small: the plugin (``parameter-lab`` in ``mkdocs.yml``), the chart
declarations a site makes (``View``, ``SiteChart``, ``SiteTable``) and ``SourceError``,
which a site's own code raises to report ``file:line: message``.
"""

from parameter_lab.charts import SiteChart, SiteTable, View
from parameter_lab.errors import SourceError

__all__ = ["SiteChart", "SiteTable", "SourceError", "View"]
