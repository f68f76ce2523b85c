"""ANSI ASC X12: reader, envelope checks, transaction set definitions, validator and maps.

The shapes (:mod:`translators.x12.model`) mirror the EDIFACT ones closely enough that the gateway can
treat an X12 interchange like an EDIFACT one (``control_reference``, ``messages``, ``errors``), while
keeping X12's own names (ISA, GS, ST) for everything an X12 person would look for.
"""
