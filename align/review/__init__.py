"""The translator's review workflow: edits to an aligned document (merge, split, shift, confirm,
...), checks that flag pairs needing a look, and projects stored in SQLite with undo history."""
