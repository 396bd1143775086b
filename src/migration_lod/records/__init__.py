"""Records, the input: the kinds and their fields, the data folder, loading (YAML, CSV, JSON), the dataset's
description, mapping onto the ontology, export back to files, the record format's documentation, and
synthetic records for benchmarks."""
