"""The journalists' desk: the index in a browser with Datasette (`nianbao browse`).

`desk.py` builds the served copy (wide tables, label lookups), `metadata.yaml`
labels it in Chinese, `plugins/` gives Datasette the bot's jieba search.
"""
