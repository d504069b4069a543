"""Every output format: text tables, Markdown, HTML, DOCX, JUnit, SARIF, CSV."""
