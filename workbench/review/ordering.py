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


# -- static orders (#18) -------------------------------------------------------------------------
def shuffle_seed(reviewer: str) -> int:
    """The seed of a reviewer's shuffled order: the same on every machine and every run."""
    import zlib
    return zlib.crc32(reviewer.encode("utf-8"))


def _sorted(key) -> Callable:
    return lambda s: sorted(range(len(s)), key=lambda i: (key(s.studies[i]), i))


def _shuffled(session) -> list[int]:
    import random
    positions = list(range(len(session)))
    random.Random(shuffle_seed(session.reviewer)).shuffle(positions)
    return positions


#: Written to the sheet's `order` field for the shuffled order (the seed makes it reproducible).
SHUFFLE_ORDER = "shuffle"

register_order(Order("year", "Year, oldest first",
                     arrange=_sorted(lambda st: (st.year is None, st.year or 0)),
                     help="undated studies last"))
register_order(Order("title", "Title, A-Z", arrange=_sorted(lambda st: (st.title or "").casefold()),
                     help="ignoring case"))
register_order(Order("database", "Database", arrange=_sorted(
    lambda st: (not st.databases, ", ".join(st.databases).casefold())),
    help="grouped by the databases a study came from"))
register_order(Order(SHUFFLE_ORDER, "Shuffled (seeded)", arrange=_shuffled,
                     help="random, with a seed from your name recorded in your sheet"))


def order_mark(name: str, reviewer: str) -> str:
    """What the sheet's `order` field records for a static order (the shuffle with its seed)."""
    return f"{SHUFFLE_ORDER} seed={shuffle_seed(reviewer)}" if name == SHUFFLE_ORDER else name


def recorded_order(mark: str) -> str:
    """Return the order (a name of ORDERS) a sheet's `order` field records: the inverse of
    `order_mark` ("shuffle seed=...", "prioritised elas_u4" -> "shuffle", "prioritised");
    IMPORT_ORDER when nothing, or an order this version does not know, is recorded."""
    name = mark.split(" ", 1)[0]
    return name if name in ORDERS else IMPORT_ORDER
