"""Internal: serve_url's source: what may be fetched (policy), fetching (fetch), relaying (body).

No stable API: import from :mod:`dlshortcuts` instead.
"""
