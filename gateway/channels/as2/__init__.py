"""AS2 (RFC 4130) station: receive messages and return MDNs, send messages and verify MDNs.

Modules, one concept each: ``mime`` (exact-bytes MIME), ``smime`` (CMS sign/verify/encrypt/decrypt/
compress), ``mic`` (MIC algorithms), ``mdn`` (build and read MDNs), ``certificates`` (profile keys),
``inbound`` (open a received message), ``reception`` (one request end to end), ``outbound`` (build a
message to send), ``sender`` (deliverer and async MDN intake), ``receiver`` (HTTP routes).
"""
