"""Records management: how long records are kept, what a legal hold keeps longer, what an auditor gets."""
