from datetime import datetime, timezone

import pytest
from babel.dates import get_month_names

from assistant.customer import CustomerContext
from assistant.templates.compose import compose
from assistant.templates.draft import DraftError, make_draft
from assistant.templates.model import Template
from assistant.templates.values import Profile, builtin_values, greeting_for

# 14:00 UTC: 15:00 in Madrid (winter), 08:00 in Mexico City, 23:00 in Tokyo
AT = datetime(2026, 1, 15, 14, 0, tzinfo=timezone.utc)
ANA_MADRID = CustomerContext(name="Ana María López", country="ES", zone="Europe/Madrid", language="es")


def tpl(**extra):
    data = {
        "id": "t.order", "default_language": "en",
        "variants": {
            "en": {"title": "Order update", "body": "{{greeting}} {{customer_first_name|there}}, order {{order_id}} ships {{ship_date}}.{{#returns}} Returns: {{address}}.{{/returns}} {{agent_name}}"},
            "es": {"title": "Estado del pedido", "body": "{{greeting}}, {{customer_first_name|}}: el pedido {{order_id}} sale el {{ship_date}}.{{#returns}} Devoluciones: {{address}}.{{/returns}} {{agent_name}}"},
        },
        "variables": {"ship_date": {"label": "Ship date", "type": "date", "required": True},
                      "address": {"label": "Address", "default": "Calle Mayor 1"}},
        "sections": [{"id": "returns", "label": "Returns address", "default": False}],
    }
    data.update(extra)
    return Template.from_dict(data)


@pytest.mark.parametrize("lang, hour, expected", [
    ("es", 9, "Buenos días"), ("es", 15, "Buenas tardes"), ("es", 21, "Buenas noches"),
    ("es", 2, "Buenas noches"), ("en", 11, "Good morning"), ("en", 12, "Good afternoon"),
    ("fr", 17, "Bonjour"), ("fr", 19, "Bonsoir"), ("de", 10, "Guten Morgen"), ("de", 14, "Guten Tag"),
    ("de", 20, "Guten Abend"), ("pt_BR", 13, "Boa tarde"), ("pt", 22, "Boa noite"),
    ("es", None, "Hola"), ("th", 9, "Good morning"), ("ja", 23, "こんばんは"),
])
def test_greeting_by_language_and_local_hour(lang, hour, expected):
    assert greeting_for(lang, hour) == expected


def test_builtins_use_customer_local_time_and_locale():
    values = builtin_values("es", ANA_MADRID, AT, Profile("Sam", "Acme"))
    assert values["greeting"] == "Buenas tardes"
    assert values["customer_first_name"] == "Ana"
    assert values["date"] == "15 de enero de 2026"
    assert values["time"] == "15:00"
    assert values["agent_name"] == "Sam" and values["company"] == "Acme"
    mexico = CustomerContext(name="Luis", country="MX", zone="America/Mexico_City", language="es_MX")
    assert builtin_values("es", mexico, AT)["greeting"] == "Buenos días"
    assert builtin_values("es", mexico, AT)["time"] == "8:00\xa0a.m."
    # no zone: a neutral greeting, no guessed clock time
    unknown = builtin_values("en", CustomerContext(name="Kim"), AT)
    assert unknown["greeting"] == "Hello" and "time" not in unknown


def test_compose_in_customer_language_with_form_fields():
    reply = compose(tpl(), at=AT, customer=ANA_MADRID, profile=Profile("Sam"),
                    values={"order_id": "A-17", "ship_date": "2026-01-20"})
    assert reply.language == "es" and not reply.is_fallback
    assert reply.text == "Buenas tardes, Ana: el pedido A-17 sale el 20 de enero de 2026. Sam"
    assert reply.complete
    names = [f.name for f in reply.fields]
    assert names[:2] == ["ship_date", "address"] and "order_id" in names
    assert "greeting" not in names


def test_missing_values_stay_visible_and_required_are_listed():
    reply = compose(tpl(), at=AT, customer=CustomerContext(language="de"), sections={"returns": True})
    assert reply.language == "en" and reply.is_fallback
    assert reply.text.startswith("Hello there, order {{order_id}} ships {{ship_date}}. Returns: Calle Mayor 1.")
    assert reply.unresolved == ["order_id", "ship_date", "agent_name"]
    assert reply.missing_required == ["ship_date"]


def test_typed_values_win_over_builtins_and_are_not_re_expanded():
    reply = compose(tpl(), at=AT, customer=ANA_MADRID, language="en",
                    values={"customer_first_name": "{{agent_name}}", "order_id": "1", "ship_date": "x"},
                    profile=Profile("Sam"))
    assert reply.text.startswith("Good afternoon {{agent_name}}, order 1 ships x.")


def test_machine_draft_marked_and_placeholders_checked():
    template = tpl()
    draft = make_draft(template, "fr", lambda text, terms: text.replace(" order ", " commande "))
    reply = compose(template, at=AT, customer=CustomerContext(language="fr", zone="Europe/Paris"),
                    draft=draft.variant, draft_language="fr", values={"order_id": "9", "ship_date": "2026-01-20"})
    assert reply.machine_translated and reply.language == "fr" and not reply.is_fallback
    assert "commande 9" in reply.text and f"20 {get_month_names('wide', locale='fr')[1]} 2026" in reply.text
    with pytest.raises(DraftError, match="order_id"):
        make_draft(template, "fr", lambda text, terms: text.replace("{{order_id}}", "{{ordre}}"))
    with pytest.raises(DraftError, match="failed"):
        make_draft(template, "fr", lambda text, terms: 1 / 0)


def test_candidate_zones_agreeing_on_the_greeting():
    spain = CustomerContext(country="ES", zones=("Europe/Madrid", "Atlantic/Canary"), language="es")
    assert builtin_values("es", spain, AT)["greeting"] == "Buenas tardes"  # 15:00 and 14:00
    # 11:30 UTC: 12:30 in Madrid (tardes), 11:30 in the Canaries (días): no guess
    values = builtin_values("es", spain, datetime(2026, 1, 15, 11, 30, tzinfo=timezone.utc))
    assert values["greeting"] == "Hola" and "time" not in values


def test_typed_customer_name_drives_first_name_and_salutation():
    template = Template.from_dict({"id": "x", "default_language": "es", "variants": {
        "es": {"title": "x", "body": "{{salutation}}, {{customer_first_name}}"}}})
    reply = compose(template, at=AT, customer=ANA_MADRID, values={"customer_name": "Luis Gómez"})
    assert reply.text == "Buenas tardes, Luis, Luis"


def test_find_translator_uses_a_started_service_and_protects_every_token():
    from assistant.templates.draft import find_translator

    class Engine:
        def can_translate(self, source, target):
            return (source, target) == ("en", "pt")

    class Result:
        def __init__(self, text):
            self.text = text

    class Service:
        engine = Engine()
        calls = []

        def translate(self, text, source, target, terms=()):
            self.calls.append((source, target, tuple(terms)))
            return Result(text.replace("ships", "sai"))

    service = Service()
    assert find_translator(None, "en", "pt_BR") is None
    assert find_translator(service, "en", "de") is None
    translate = find_translator(service, "en", "pt_BR")
    draft = make_draft(tpl(), "pt_BR", translate)
    assert "sai" in draft.variant.body
    terms = service.calls[-1][2]
    assert "{{#returns}}" in terms and "{{customer_first_name|there}}" in terms
    assert service.calls[-1][:2] == ("en", "pt")


def test_required_field_in_a_ticked_out_section_is_not_missing():
    template = Template.from_dict({
        "id": "x", "default_language": "en",
        "variants": {"en": {"title": "x", "body": "Hi.{{#extra}} Code {{code}}.{{/extra}}"}},
        "variables": {"code": {"label": "Code", "required": True}},
        "sections": [{"id": "extra", "label": "Extra", "default": False}]})
    assert compose(template, at=AT).missing_required == []
    assert compose(template, at=AT, sections={"extra": True}).missing_required == ["code"]
