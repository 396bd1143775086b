"""Links to other vocabularies: the offline check against the vendored UN vocabularies, the online check
that dereferences them, and the SSSOM mapping sets written with a publication or imported into one."""
