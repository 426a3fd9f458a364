from datetime import datetime, timedelta, timezone

import pytest

from assistant.customer import memory as store
from assistant.customer import CustomerContext

T0 = datetime(2025, 1, 15, 10, 0, tzinfo=timezone.utc)


def customer(i: int) -> CustomerContext:
    return CustomerContext(name=f"Customer {i}", country="IN", zone="Asia/Kolkata")


def test_recents_newest_first_and_capped_at_20(db):
    for i in range(25):
        store.remember(db, customer(i), T0 + timedelta(minutes=i))
    got = store.recents(db)
    assert len(got) == 20
    assert got[0].name == "Customer 24" and got[-1].name == "Customer 5"


def test_remembering_again_moves_to_top_without_duplicates(db):
    store.remember(db, customer(1), T0)
    store.remember(db, customer(2), T0 + timedelta(minutes=1))
    store.remember(db, customer(1), T0 + timedelta(minutes=2))
    assert [c.name for c in store.recents(db)] == ["Customer 1", "Customer 2"]


def test_recents_keep_the_whole_context(db):
    ctx = CustomerContext(phone="+34612345678", country="ES", zone="Atlantic/Canary",
                          language="es", resolved_from="mobile", zones=("Atlantic/Canary", "Europe/Madrid"))
    store.remember(db, ctx, T0)
    assert store.recents(db) == [ctx]


def test_empty_context_is_not_remembered(db):
    store.remember(db, CustomerContext(), T0)
    assert store.recents(db) == []


def test_damaged_row_is_skipped(db):
    store.remember(db, customer(1), T0)
    db["customer_recents"].insert({"key": "bad", "context": "{not json", "used_at": T0.isoformat()})
    assert [c.name for c in store.recents(db)] == ["Customer 1"]


def test_pins_up_to_five_in_order(db):
    for i in range(5):
        store.pin(db, customer(i), T0 + timedelta(minutes=i))
    with pytest.raises(store.PinError, match="5"):
        store.pin(db, customer(9), T0)
    assert [c.name for c in store.pins(db)] == [f"Customer {i}" for i in range(5)]
    store.pin(db, customer(2), T0 + timedelta(hours=1))  # re-pinning keeps its place
    assert [c.name for c in store.pins(db)][2] == "Customer 2"
    store.unpin(db, customer(0).key)
    store.pin(db, customer(9), T0)
    assert [c.name for c in store.pins(db)][-1] == "Customer 9"
    assert store.is_pinned(db, customer(9).key)


def test_cannot_pin_without_a_zone(db):
    with pytest.raises(store.PinError, match="time zone"):
        store.pin(db, CustomerContext(country="ES", zones=("Europe/Madrid", "Atlantic/Canary")), T0)
    assert store.pins(db) == []


def test_naive_timestamps_are_refused(db):
    with pytest.raises(ValueError):
        store.remember(db, customer(1), datetime(2025, 1, 1))


def test_clear_recents_keeps_pins(db):
    store.remember(db, customer(1), T0)
    store.pin(db, customer(1), T0)
    store.clear_recents(db)
    assert store.recents(db) == [] and len(store.pins(db)) == 1
