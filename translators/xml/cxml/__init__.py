"""cXML maps: OrderRequest, ConfirmationRequest, ShipNoticeRequest, InvoiceDetailRequest → canonical."""
