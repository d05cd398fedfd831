"""Internal: the HTTP rules dlshortcuts follows, free of Django (RFC 9110, RFC 6266, RFC 8187).

Nothing here imports Django, so every rule is tested with plain tables.
No stable API: import from :mod:`dlshortcuts` instead.
"""
