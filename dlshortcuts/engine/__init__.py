"""Internal: the engine that turns a Download into an HTTP answer.

``decide`` (pure) chooses the status, headers and byte pieces; ``respond``
makes the Django response; ``bodies`` and ``streams`` give it a WSGI or ASGI
body. No stable API: import from :mod:`dlshortcuts` instead.
"""
