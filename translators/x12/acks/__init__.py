"""X12 acknowledgements: TA1, 997 and 999 that edigate sends, and reading the ones partners send.

Pure functions (no I/O, no clock, no counters): control numbers and the preparation time are
arguments, so the gateway draws them from its per-partner counters and its own clock.

- :mod:`.writer` — segments to text with given delimiters (no release character in X12);
- :mod:`.envelope` — ISA/GS/ST wrapping with fixed-width ISA fields and counted trailers;
- :mod:`.ta1` — interchange acknowledgement and when one is due;
- :mod:`.functional` — 997/999 per functional group, and whole acknowledgement interchanges;
- :mod:`.parse` — received TA1/997/999 into reports for reconciliation.
"""
