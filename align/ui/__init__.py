"""The review page's helpers, kept out of ``app.py`` so they can be tested without a browser:
the editor table and its filters, the toolbar actions, background jobs and the page state."""
