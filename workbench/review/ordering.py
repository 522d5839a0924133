"""The orders a reviewer can screen a work list in; more orders plug in with `register_order`.

A static order arranges the work list once (`arrange(session)` returns the
positions in the order to show them). A dynamic order (prioritised) has no
arrangement: the front end asks its queue for the next study after every
decision (see workbench.review.prioritise).

    register_order(Order("year", "Newest first",
                         arrange=lambda s: sorted(range(len(s)), key=lambda i: -(s.studies[i].year or 0))))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Name of the order a session starts in.
IMPORT_ORDER = "import"
#: Name of the model-ranked order.
PRIORITISED_ORDER = "prioritised"


@dataclass(frozen=True)
class Order:
    """One way to walk through a work list.

    Attributes:
        name: the id (written to the sheet's `order` field when it changes).
        label: what a person reads in the order choice.
        arrange: session -> positions in showing order (static orders), or None
            for a dynamic order served by a queue.
        help: one line saying what the order does.
    """

    name: str
    label: str
    arrange: Callable | None = None
    help: str = ""

    @property
    def dynamic(self) -> bool:
        return self.arrange is None


ORDERS: dict[str, Order] = {}


def register_order(order: Order) -> None:
    """Add an order to the choice (a later one with the same name replaces it)."""
    ORDERS[order.name] = order


def order(name: str) -> Order:
    """Return an order by name (KeyError names the orders)."""
    if name not in ORDERS:
        raise KeyError(f"unknown order {name!r} (orders: {', '.join(ORDERS)})")
    return ORDERS[name]


register_order(Order(IMPORT_ORDER, "Import order", arrange=lambda s: list(range(len(s))),
                     help="the order the studies were imported in"))
register_order(Order(PRIORITISED_ORDER, "Prioritised: most likely relevant first",
                     help="a model of your own decisions ranks the rest after every decision"))
