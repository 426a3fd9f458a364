"""Working beside the agent's other applications (issue 17): call pop from a softphone or a
CRM (:mod:`.links`: what a link or ``--customer`` may carry; :mod:`.desktop`: registering the
``agent-assistant:`` link handler per user). Qt-free."""
