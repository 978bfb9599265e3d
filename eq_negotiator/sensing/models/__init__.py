"""Model files shipped with the package (embedded adapter, TF-IDF model)."""
