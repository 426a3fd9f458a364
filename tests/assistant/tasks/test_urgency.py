"""Ordering: breached first, then the additive urgency score; explanations; the fast
"Now" read agrees with scoring everything."""

import random
from datetime import timedelta

import pytest

from assistant.customer import CustomerContext
from assistant.tasks.config import QueueConfig
from assistant.tasks.model import Task
from assistant.tasks.store import Filters, TaskStore
from assistant.tasks.timeutil import utc
from assistant.tasks.urgency import UrgencyModel

NOW = utc(2026, 11, 23, 14)  # Monday 15:00 in Paris
H = timedelta(hours=1)


def task(title, **kw):
    kw.setdefault("created_at", NOW - 2 * H)
    kw.setdefault("response_due_at", NOW + 48 * H)
    kw.setdefault("resolution_due_at", NOW + 48 * H)
    return Task(title, **kw)


def titles(ranked):
    return [r.task.title for r in ranked]


def test_breached_comes_first_whatever_the_priority(store):
    store.add(task("urgent, due soon", priority="urgent", resolution_due_at=NOW + timedelta(minutes=10)), NOW - H)
    store.add(task("low, breached", priority="low", resolution_due_at=NOW - H), NOW - H)
    ranked = store.view("now", NOW)
    assert titles(ranked) == ["low, breached", "urgent, due soon"]
    assert ranked[0].score.breached and not ranked[1].score.breached


def test_priority_orders_equal_deadlines(store):
    for priority in ("low", "urgent", "normal", "high"):
        store.add(task(priority, priority=priority, resolution_due_at=NOW + H), NOW)
    assert titles(store.view("now", NOW)) == ["urgent", "high", "normal", "low"]


def test_closer_deadline_is_more_urgent(store):
    store.add(task("in 3 h", resolution_due_at=NOW + 3 * H), NOW)
    store.add(task("in 1 h", resolution_due_at=NOW + H), NOW)
    store.add(task("in 2 h", resolution_due_at=NOW + 2 * H), NOW)
    assert titles(store.view("now", NOW)) == ["in 1 h", "in 2 h", "in 3 h"]


def test_follow_up_due_raises_a_task(store):
    store.add(task("deadline in 2 h", resolution_due_at=NOW + 2 * H), NOW)
    store.add(task("follow-up due", follow_up_at=NOW - timedelta(minutes=5)), NOW)
    ranked = store.view("now", NOW)
    assert titles(ranked) == ["follow-up due", "deadline in 2 h"]
    terms = {t.name: t.value for t in ranked[0].score.terms}
    assert terms["follow_up_due"] == 30.0


def test_waiting_on_customer_lowers_the_score(queue_config):
    model = UrgencyModel(queue_config.urgency, NOW)
    open_ = task("a", resolution_due_at=NOW + H)
    waiting = task("a", resolution_due_at=NOW + H, status="waiting")
    assert model.score(open_).total - model.score(waiting).total == pytest.approx(20.0)


def test_older_tasks_gain_up_to_the_age_cap(queue_config):
    model = UrgencyModel(queue_config.urgency, NOW)
    young = model.score(task("y", created_at=NOW - 36 * H))
    old = model.score(task("o", created_at=NOW - 72 * H))
    ancient = model.score(task("a", created_at=NOW - 500 * H))
    age = lambda s: {t.name: t.value for t in s.terms}["age"]  # noqa: E731
    assert age(young) == pytest.approx(5.0) and age(old) == age(ancient) == pytest.approx(10.0)


def test_customer_in_business_hours_now_gains(queue_config):
    tuesday_morning_tokyo = utc(2026, 11, 24, 1)  # 10:00 in Tokyo, 02:00 in Paris
    model = UrgencyModel(queue_config.urgency, tuesday_morning_tokyo)
    tokyo = model.score(task("t", customer=CustomerContext(country="JP", zone="Asia/Tokyo")))
    paris = model.score(task("p", customer=CustomerContext(country="FR", zone="Europe/Paris")))
    assert {t.name for t in tokyo.terms} >= {"customer_open_now"}
    assert "customer_open_now" not in {t.name for t in paris.terms}
    assert tokyo.total - paris.total == pytest.approx(10.0)
    assert "10:00" in {t.name: t.detail for t in tokyo.terms}["customer_open_now"]
    # a day earlier is Labour Thanksgiving Day, a public holiday in Japan: no gain
    holiday = UrgencyModel(queue_config.urgency, utc(2026, 11, 23, 1))
    assert "customer_open_now" not in {t.name for t in holiday.score(
        task("t", customer=CustomerContext(country="JP", zone="Asia/Tokyo"))).terms}


def test_coefficients_come_from_settings(db):
    from assistant.tasks import config

    store = TaskStore(db, QueueConfig.defaults(schedule={"zone": "Europe/Paris"}))
    store.add(task("high, new", priority="high", created_at=NOW), NOW)
    store.add(task("low, old", priority="low", created_at=NOW - 100 * H), NOW)
    assert titles(store.view("active", NOW)) == ["high, new", "low, old"]
    config.save(db, config.URGENCY_KEY, {"age": 100.0})
    tuned = TaskStore(db)
    tuned._config = QueueConfig.load(db)
    assert titles(tuned.view("active", NOW)) == ["low, old", "high, new"]


def test_explanation_lists_terms_and_total(store):
    store.add(task("why", priority="high", resolution_due_at=NOW - timedelta(minutes=30),
                   follow_up_at=NOW - H), NOW - 3 * H)
    text = store.view("now", NOW)[0].score.explain()
    assert "Breached" in text
    assert "Priority: +25.0 (High)" in text
    assert "Time to breach: +31.9 (breached 30 min ago)" in text
    assert "Follow-up due: +30.0 (was due 1 h 00 min ago)" in text
    assert "Urgency score:" in text


def test_invalid_coefficients_are_refused_and_change_nothing(db):
    from assistant.tasks import config

    with pytest.raises(config.SettingsError, match="time_to_breach"):
        config.save(db, config.URGENCY_KEY, {"time_to_breach": -1})
    with pytest.raises(config.SettingsError, match="unknown setting"):
        config.save(db, config.URGENCY_KEY, {"agee": 3})
    assert QueueConfig.load(db).urgency == config.DEFAULT_URGENCY


def _random_queue(store, rng, count):
    countries = [("JP", "Asia/Tokyo"), ("FR", "Europe/Paris"), ("US", "America/New_York"), (None, None)]
    for i in range(count):
        due = NOW + timedelta(minutes=rng.randint(-600, 900))
        country, zone = rng.choice(countries)
        store.add(Task(
            f"t{i}", priority=rng.choice(["urgent", "high", "normal", "low"]),
            status=rng.choice(["open"] * 8 + ["waiting", "done"]),
            created_at=NOW - timedelta(minutes=rng.randint(0, 6000)),
            response_due_at=due + timedelta(minutes=rng.choice([-60, 0, 30])), resolution_due_at=due,
            responded_at=rng.choice([None, NOW - H]),
            follow_up_at=rng.choice([None, None, NOW + timedelta(minutes=rng.randint(-300, 300))]),
            snoozed_until=rng.choice([None] * 6 + [NOW + H, NOW - H]),
            customer=CustomerContext(country=country, zone=zone)), NOW - 100 * H)


@pytest.mark.parametrize("view", ["now", "upcoming", "waiting", "active", "all", "done"])
@pytest.mark.parametrize("filters", [Filters(), Filters(country="JP"), Filters(text="t1")])
def test_every_sqlite_ordering_equals_the_python_reference(store, view, filters):
    rng = random.Random(11)
    _random_queue(store, rng, 600)
    for offset in (-300, 0, 500):
        now = NOW + timedelta(minutes=offset)
        reference = [r.task.id for r in store.view(view, now, filters, limit=None)]
        for limit in (1, 30, 200):
            assert [r.task.id for r in store.view(view, now, filters, limit=limit)] == reference[:limit]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_now_view_equals_scoring_everything(store, seed):
    rng = random.Random(seed)
    _random_queue(store, rng, 1500)
    for offset in (-300, 0, 240, 700):
        now = NOW + timedelta(minutes=offset)
        everything = store.view("now", now, limit=None)
        for limit in (1, 25, 200):
            fast = store.view("now", now, limit=limit)
            assert [r.task.id for r in fast] == [r.task.id for r in everything[:limit]]
    assert store.count_now(NOW) == len(store.view("now", NOW, limit=None))


def test_filters_narrow_the_now_view_in_the_same_order(store):
    rng = random.Random(7)
    _random_queue(store, rng, 300)
    everything = store.view("now", NOW, limit=None)
    japan = store.view("now", NOW, Filters(country="jp"))
    assert [r.task.id for r in japan] == [r.task.id for r in everything if r.task.customer.country == "JP"][:200]


def test_the_queue_and_the_clock_read_business_hours_from_the_same_place(db, store):
    """A Portugal card from a team pack (Mon-Sat 08:00-20:00) counts for the clock and for
    the queue's "customer's business hours" alike (there is no shipped card for Portugal)."""
    import json

    from assistant.clock.details import clock_details
    from assistant.clock.status import BUSINESS_HOURS, business_hours_for
    from assistant.countries.cards import cards_dir
    from assistant.packs.install import store_cards

    card = json.loads((cards_dir() / "ES.json").read_text(encoding="utf-8"))
    card.update(code="PT", business_hours={"days": [1, 2, 3, 4, 5, 6], "open": "08:00", "close": "20:00",
                                           "lunch": None})
    with db.atomic():
        store_cards(db, "acme.pt", [{"country": "PT", "kind": "card", "content": card}])
    lisbon = CustomerContext(name="João", country="PT", zone="Europe/Lisbon")
    saturday = utc(2026, 11, 28, 10)  # 10:00 in Lisbon, a Saturday: open by the pack's card
    assert business_hours_for("PT", db).days == frozenset(range(1, 7))
    clock = clock_details(lisbon, "Europe/Paris", saturday, "en", db)
    assert clock.status.status == BUSINESS_HOURS
    store.add(task("call João", customer=lisbon), saturday)
    [ranked] = store.view("active", saturday)
    assert "customer_open_now" in {t.name for t in ranked.score.terms}
    assert store.urgency_model(saturday).hours("PT") == clock.status.hours
    monday_7 = utc(2026, 11, 30, 7, 30)  # 07:30: the card's hours start at 08:00
    assert clock_details(lisbon, "Europe/Paris", monday_7, "en", db).status.status != BUSINESS_HOURS
    assert "customer_open_now" not in {t.name for t in store.view("active", monday_7)[0].score.terms}
