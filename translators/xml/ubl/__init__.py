"""UBL 2.1 maps: Order, OrderResponse(Simple), DespatchAdvice, Invoice/CreditNote → canonical documents."""
