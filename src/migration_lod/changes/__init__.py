"""What changed between two dumps, resource by resource: the dumps streamed into per-resource groups sorted
on disk (`groups`), each group compared by content, blank nodes and fragment IRIs included (`compare`),
and the change set written as Markdown, HTML, JSON or RDF (`writers`)."""
