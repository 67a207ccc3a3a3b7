"""The Streamlit side of kkdash: every module that imports streamlit lives in this package.

``data`` (caches, secrets), ``state`` (the campaign as of the chosen moment), ``frame`` (page
config, CSS, sidebar, banners), ``cards`` (headline figures), ``tables`` (the agency tables, their
filters and downloads), ``linkcheck`` (the link-check panel) and ``signin`` (who may see what).
The pages in pages/ and app.py are read like a description of the UI and call these.
"""
