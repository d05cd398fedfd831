"""The ``dlshortcuts-proxy-config`` directive: what ``dlshortcuts_proxy_config`` prints, shown literally.

The web-server pages show the configuration rendered at build time by the same
function the management command calls, so the documentation cannot drift from
the code (and the real-server tests run that very text)::

    .. dlshortcuts-proxy-config:: nginx
       :locations: [{"root": "/srv/private", "url": "/_protected/"}]
"""

from __future__ import annotations

import ast
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

from dlshortcuts.offload.config import render_proxy_config

#: The running example of the docs: private files under /srv/private.
DEFAULT_LOCATIONS = '[{"root": "/srv/private", "url": "/_protected/"}]'

# Pygments has no Caddyfile or LiteSpeed lexer.
LANGUAGES = {"nginx": "nginx", "apache": "apacheconf", "lighttpd": "lighttpd"}


class ProxyConfig(SphinxDirective):
    """Render the configuration for the backend named as the argument."""

    required_arguments = 1
    option_spec: ClassVar[dict[str, Any]] = {
        "locations": directives.unchanged,
        "upstream": directives.unchanged,
        "charset": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        backend = self.arguments[0]
        text = render_proxy_config(
            backend,
            ast.literal_eval(self.options.get("locations", DEFAULT_LOCATIONS)),
            upstream=self.options.get("upstream", "127.0.0.1:8000"),
            charset=self.options.get("charset"),
        )
        block = nodes.literal_block(text, text)
        block["language"] = LANGUAGES.get(backend, "text")
        return [block]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directive."""
    app.add_directive("dlshortcuts-proxy-config", ProxyConfig)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
