"""Publication: the files of a publication, the dumps (Turtle, N-Triples, JSON-LD, .gz, VoID/DCAT,
checksums) written atomically, the JSON-LD context and writer, and pushing a dump into a SPARQL server."""
