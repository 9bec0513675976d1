"""Text in: reading source documents (TXT, Markdown, DOCX, HTML, PDF) into plain text with
paragraphs, and splitting that text into sentences with exact character spans; and a target beside
its source as text (``compare``: untranslated, the length norm), the rules the review checks and
the quality estimate share."""
