"""Scoring against gold files: sentence splitting (``eval-sbd``: precision, recall, F1 of
boundaries) and alignment (``eval-align``: strict and lax bead F1 on Text+Berg-layout folders)."""
