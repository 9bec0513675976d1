"""The review page in panels: each module draws one part of the one page (``app.py`` composes
them), the way datasette splits its views. In reading order:

``resources``: the cached loaders (store, memory, glossaries, models, background tasks);
``widgets``: small drawing helpers (plain text, radios, uploads); ``session``: this session's
page state and the shown document, saved with a check for other tabs; ``sidebar``: projects,
rename and delete, the embedder, models, memory and shared-glossary panels; ``new_project``:
the start form and the background task's progress (``file_project``: its XLIFF or PO way in);
``editor``: the toolbar, filters and grid of the open project; ``segment``: the current row
whole, with its memory matches and terms;
``exports``: the download buttons. Decisions live in the library (``align.ui`` and below); a
panel turns widgets into those calls.
"""
