"""RDF underneath every stage: namespaces, terms between rdflib and pyoxigraph, the registry of RDF file
formats (suffixes, media types, compression), JSON-LD reading without the network, SPARQL parse trees, and
the project's ontology and vocabularies."""
