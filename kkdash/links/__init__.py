"""The link checker: is each agency's published declaration really online?

``fetch`` is the SSRF-safe HTTP client, ``check`` decides what a page shows and checks many links
at once, ``store`` keeps the results between runs. Pages never fetch while drawing: they read
the stored results and check on demand.
"""

from kkdash.links.check import check_links, check_url, decode_html, mentions_declaration
from kkdash.links.fetch import LinkCheckError, is_address_allowed
from kkdash.links.store import COLUMNS, LinkResult, load_link_results, results_frame

__all__ = ["COLUMNS", "LinkCheckError", "LinkResult", "check_links", "check_url", "decode_html",
           "is_address_allowed", "load_link_results", "mentions_declaration", "results_frame"]
