"""Internal: handing downloads over to the web server.

``offloader`` holds what ``@optimized_download`` and the middleware leave on a
request, ``locations`` maps a Download to a place the web server can reach,
and ``backends`` holds one module per web server. No stable API: import from
:mod:`dlshortcuts` instead.
"""
