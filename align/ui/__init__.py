"""The review page's helpers, kept out of ``app.py`` so they can be tested without a browser:
the editor table and its filters (``table``), the toolbar actions (``actions``), background tasks
(``tasks``), the page state (``state``), the segment editor's content (``segment``), which
translation package is offered and re-translates (``packages``); and ``panels``, the Streamlit
modules that draw the page's parts, which ``app.py`` composes."""
