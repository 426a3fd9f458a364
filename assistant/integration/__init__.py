"""Working beside the agent's other applications (issue 17, docs/integration.md): call pop
from a softphone or a CRM (:mod:`.links`: what a link or ``--customer`` may carry;
:mod:`.desktop`: registering the ``agent-assistant:`` link handler per user) and global
shortcuts (:mod:`.shortcuts`: their chords and what the running app registered). Qt-free."""
