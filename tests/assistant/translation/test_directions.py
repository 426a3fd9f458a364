from assistant.translation.directions import plan_incoming, plan_outgoing

PAIRS = [("en", "es"), ("es", "en"), ("pt", "en")]


def test_incoming_uses_override_then_detection():
    assert plan_incoming(PAIRS, "en", "es", None).source == "es"
    assert plan_incoming(PAIRS, "en", "es", "pt").source == "pt"
    assert plan_incoming(PAIRS, "en", None, None).problem is None


def test_incoming_pivot_and_missing_model():
    plan = plan_incoming(PAIRS, "es", "pt", None)
    assert (plan.source, plan.target, plan.via, plan.problem) == ("pt", "es", "en", None)
    missing = plan_incoming(PAIRS, "en", "de", None)
    assert "No translation model for de→en" in missing.problem and "Install model…" in missing.problem


def test_outgoing_target_is_override_then_customer_then_last_incoming():
    assert plan_outgoing(PAIRS, "en", "es", "pt", None).target == "es"
    assert plan_outgoing(PAIRS, "en", None, "es", None).target == "es"
    assert plan_outgoing(PAIRS, "en", "es", None, "pt").target == "pt"
    assert "Choose the customer's language" in plan_outgoing(PAIRS, "en", None, None, None).problem


def test_outgoing_missing_pair_says_what_to_install():
    plan = plan_outgoing(PAIRS, "en", "pt", None, None)
    assert plan.problem.startswith("No translation model for en→pt. Install en→pt")


def test_same_language_needs_no_model():
    plan = plan_outgoing(PAIRS, "en", "en", None, None)
    assert plan.problem is None and plan.via is None


def test_nothing_installed_says_what_to_install_and_how():
    for plan in (plan_incoming([], "en", None, None), plan_outgoing([], "en", "es", None, None)):
        assert "No translation model is installed" in plan.problem
        assert "Install model…" in plan.problem and "assistant " not in plan.problem  # no command line
