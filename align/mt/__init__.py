"""Machine translation: Argos packages (find, install from the index, a file or a folder, remove)
and batched translation of sentences with CTranslate2 + SentencePiece."""
