"""Internal: source resolvers, one module per kind of source, each making a Download.

No stable API: import from :mod:`dlshortcuts` instead.
"""
