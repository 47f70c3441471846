"""The graph in the scholarly ecosystem: citations, Web Annotations, nanopublications, references, RO-Crate.

Each export is written for the ecosystem's own readers (annotation stores, nanopub tools, Zotero and
citeproc, RO-Crate repositories) from the same claim records (``scholarly.claims``): a claim whose
quote or offsets are missing is reported by name, never exported half.
"""
