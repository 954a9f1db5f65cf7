"""Reports in from where they are published: `nianbao fetch PORTALS.toml --to DIR`.

portals.py (the PORTALS.toml contract) → listing.py (report links and list pages of a
年报 column) → fetcher.py (polite, checked HTTP) → crawl.py (one run over every portal:
report pages and their attachments into DIR/<host>/<path>) → state.py (what was fetched,
for conditional GETs and /sources) and provenance.py (sources.tsv, read by the build).
"""
