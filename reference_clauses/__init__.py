"""Reference data, installed as the package ``analyzer.reference_clauses`` (see pyproject.toml); no code here."""
