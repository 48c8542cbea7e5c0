"""Japanese-specific helpers: offset-keeping text maps, numerals, the Sudachi wrapper."""
