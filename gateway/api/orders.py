"""``/v1/orders``: where each purchase order stands in the order loop, and the documents and
interchanges that put it there (see ``gateway/order_loop.py`` for how the state is derived)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from gateway.api.dependencies import ErpDep, GatewayDep
from gateway.order_loop import OrderView, describe_orders, order_keys, recent_order_keys

router = APIRouter(prefix="/v1/orders", tags=["orders"])

OrderState = Literal[
    "received", "sent", "acknowledged", "accepted", "changed", "rejected", "shipped", "invoiced"
]
# How many orders one pass derives when filtering by state; bounds the memory of a single request.
_BATCH = 200


class _FromAttributes(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrderDocument(_FromAttributes):
    document_id: str
    document_type: str
    number: str | None
    direction: str = Field(description="inbound: from the partner; outbound: sent to it")
    transmission_id: str = Field(description="The message id (GET /v1/outbound/{id} for outbound ones)")
    message_type: str | None
    control_reference: str | None = Field(description="The interchange control reference")
    transmission_status: str
    at: datetime
    ack_state: str | None = Field(
        description="Outbound only: awaiting_ack, overdue, accepted, with_errors, partial, rejected"
    )
    response: str | None = Field(description="Order responses: accepted, changed or rejected")


class OrderAcknowledgement(_FromAttributes):
    acknowledgement_id: str
    type: str
    status: str
    direction: str = Field(description="outbound: we acknowledged the order; inbound: the supplier did")
    control_reference: str
    at: datetime


class OrderStep(_FromAttributes):
    state: OrderState
    at: datetime
    documents: list[OrderDocument]
    acknowledgements: list[OrderAcknowledgement]


class Order(_FromAttributes):
    order_number: str
    partner: str
    direction: str = Field(description="inbound: a customer's order to us; outbound: ours to a supplier")
    state: OrderState = Field(description="The last step reached")
    steps: list[OrderStep] = Field(description="Every step reached, first to last")


@router.get("/{order_number}", response_model=Order, summary="Where a purchase order stands")
def get_order(order_number: str, gw: GatewayDep, _erp: ErpDep, partner: str | None = None) -> Order:
    with gw.sessions() as session:
        keys = order_keys(session, order_number, partner)
        if not keys:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no purchase order {order_number}")
        if len(keys) > 1:
            # PO numbers are unique per partner only; guessing would show one partner another's order.
            names = ", ".join(sorted({k.partner_id for k in keys}))
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"purchase order {order_number} exists for {names}; add ?partner="
            )
        [view] = describe_orders(gw, session, keys)
    return _order(view)


@router.get("", response_model=list[Order], summary="Purchase orders and their state, newest first")
def list_orders(
    gw: GatewayDep,
    _erp: ErpDep,
    partner: str | None = None,
    state: OrderState | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[Order]:
    found: list[Order] = []
    offset = 0
    with gw.sessions() as session:
        while len(found) < limit:
            keys = recent_order_keys(
                session, partner, limit=limit if state is None else _BATCH, offset=offset
            )
            for view in describe_orders(gw, session, keys):
                if state is None or view.state == state:
                    found.append(_order(view))
            if state is None or len(keys) < _BATCH:
                break
            offset += _BATCH
    return found[:limit]


def _order(view: OrderView) -> Order:
    return Order.model_validate(view)
