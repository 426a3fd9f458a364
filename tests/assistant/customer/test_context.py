import pytest

from assistant.customer import CustomerContext


def test_round_trip_through_dict_keeps_candidate_zones():
    ctx = CustomerContext(name="Ana Gómez", phone="+34612345678", country="ES",
                          language="es", zones=("Atlantic/Canary", "Europe/Madrid"))
    data = ctx.to_dict()
    assert data["zones"] == ["Atlantic/Canary", "Europe/Madrid"]
    assert CustomerContext.from_dict(data) == ctx
    assert CustomerContext.from_dict(None) == CustomerContext()
    assert CustomerContext.from_dict({"name": "Old row"}).zones == ()


def test_zone_choice():
    ctx = CustomerContext(country="ES", zones=("Atlantic/Canary", "Europe/Madrid"))
    assert ctx.needs_zone_choice
    chosen = ctx.with_zone("Europe/Madrid")
    assert chosen.zone == "Europe/Madrid" and not chosen.needs_zone_choice
    with pytest.raises(ValueError):
        ctx.with_zone("Asia/Tokyo")


def test_labels_and_keys():
    assert CustomerContext(name="Ana Gómez", phone="+34").label == "Ana Gómez"
    assert CustomerContext(phone="+34612345678", zone="Europe/Madrid").label == "+34612345678"
    assert CustomerContext(zone="Asia/Manila").label == "Asia/Manila"
    assert CustomerContext(name="A").first_name == "A"
    a = CustomerContext(phone="+34612345678", zone="Europe/Madrid")
    assert a.key != a.with_zone("Atlantic/Canary").key
    assert CustomerContext().is_empty
