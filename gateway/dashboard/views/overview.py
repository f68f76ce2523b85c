"""The overview: this week's traffic at a glance, every number a link to the messages it counts."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.api.dependencies import GatewayDep
from gateway.dashboard.access import SignedInDep
from gateway.dashboard.ack_health import partner_acknowledgements_overdue
from gateway.dashboard.certificates import all_certificates
from gateway.dashboard.charts import BarInput, column_chart
from gateway.dashboard.overview import build_overview
from gateway.dashboard.templating import render, with_query

router = APIRouter()


@router.get("")
def overview(request: Request, gw: GatewayDep, me: SignedInDep) -> Response:
    with gw.sessions() as session:
        now = gw.clock()
        data = build_overview(
            session,
            gw.partners,
            now,
            partner_acks=partner_acknowledgements_overdue(gw, session),
            certificates=all_certificates(gw.partners, gw.settings.data_dir, now),
        )
        week = {"received_from": data.week_start.isoformat()}
        chart = column_chart(
            "Messages per day this week (errors in red)",
            [
                BarInput(
                    label=day.day.strftime("%a %d"),
                    value=day.total,
                    part=day.errors,
                    href=with_query(
                        {},
                        "/ui/messages",
                        received_from=day.day.isoformat(),
                        received_to=day.day.isoformat(),
                    ),
                )
                for day in data.days
            ],
        )
        return render(
            request,
            "overview.html",
            {
                "me": me,
                "active": "overview",
                "o": data,
                "chart": chart,
                "today": {"received_from": data.today.isoformat()},
                "week": week,
                "partners": gw.partners,
            },
        )
