"""Text in: reading source documents (TXT, Markdown, DOCX, HTML, PDF) into plain text with
paragraphs, and splitting that text into sentences with exact character spans."""
