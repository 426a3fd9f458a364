"""The task queue's tables. Shipped migrations are never edited; add a new one."""

from sqlite_utils.migrations import Migrations

migrations = Migrations("tasks")


@migrations()
def m001_tasks(db):
    db.executescript("""
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL CHECK (length(title) > 0),
        notes TEXT NOT NULL DEFAULT '',
        channel TEXT CHECK (channel IS NULL OR channel IN ('call', 'chat', 'email', 'ticket')),
        external_ref TEXT,
        customer_name TEXT,
        customer_phone TEXT,
        customer_country TEXT,
        customer_zone TEXT,
        customer_language TEXT,
        -- one direction only: 0 urgent, 1 high, 2 normal, 3 low
        priority_rank INTEGER NOT NULL CHECK (priority_rank BETWEEN 0 AND 3),
        status TEXT NOT NULL CHECK (status IN ('open', 'waiting', 'done')),
        tags TEXT NOT NULL DEFAULT '',          -- ",a,b," so one LIKE finds a whole tag
        created_at TEXT NOT NULL,               -- UTC, YYYY-MM-DDTHH:MM:SSZ
        updated_at TEXT NOT NULL,
        response_due_at TEXT,
        resolution_due_at TEXT,
        responded_at TEXT,
        -- the next SLA deadline (derived from the three above, kept by the store in the
        -- same statement) so the queue can walk deadlines in index order
        due_at TEXT,
        follow_up_at TEXT,
        snoozed_until TEXT,
        done_at TEXT
    );
    -- the "Now" view reads each priority's deadlines by band; snooze and follow-up are in
    -- the index so a band is filtered (and the badge counted) without visiting rows
    CREATE INDEX tasks_queue ON tasks (status, priority_rank, due_at, snoozed_until, follow_up_at);
    CREATE INDEX tasks_follow_up ON tasks (status, priority_rank, follow_up_at, due_at, snoozed_until)
        WHERE follow_up_at IS NOT NULL;
    CREATE INDEX tasks_done ON tasks (status, done_at);
    CREATE INDEX tasks_customer_country ON tasks (customer_country);

    -- notifications already shown, so a restart does not repeat them
    CREATE TABLE task_notices (
        task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('breach_soon', 'follow_up')),
        instant TEXT NOT NULL,
        shown_at TEXT NOT NULL,
        PRIMARY KEY (task_id, kind, instant)
    );
    """)


@migrations()
def m002_search_and_counts(db):
    """Flat cost at any queue size (issue 18).

    - ``tasks_fts``: a trigram full-text index of the searched text (title, notes, reference,
      customer name) so a search word is found without reading every task; it holds no copy
      of the text (``content='tasks'``) and is kept by the triggers below, whoever writes.
      Its shadow tables belong to no hall topic: writing them announces nothing by itself.
    - ``tasks_tags``: the distinct tag sets are read by skipping through this index (a few
      seeks per distinct set, not a scan of every task).
    """
    db.executescript("""
    CREATE VIRTUAL TABLE tasks_fts USING fts5(
        title, notes, external_ref, customer_name,
        content='tasks', content_rowid='id', tokenize='trigram');
    INSERT INTO tasks_fts (tasks_fts) VALUES ('rebuild');
    CREATE TRIGGER tasks_fts_insert AFTER INSERT ON tasks BEGIN
        INSERT INTO tasks_fts (rowid, title, notes, external_ref, customer_name)
        VALUES (new.id, new.title, new.notes, new.external_ref, new.customer_name);
    END;
    CREATE TRIGGER tasks_fts_delete AFTER DELETE ON tasks BEGIN
        INSERT INTO tasks_fts (tasks_fts, rowid, title, notes, external_ref, customer_name)
        VALUES ('delete', old.id, old.title, old.notes, old.external_ref, old.customer_name);
    END;
    CREATE TRIGGER tasks_fts_update AFTER UPDATE OF title, notes, external_ref, customer_name ON tasks
    WHEN old.title IS NOT new.title OR old.notes IS NOT new.notes
        OR old.external_ref IS NOT new.external_ref OR old.customer_name IS NOT new.customer_name BEGIN
        INSERT INTO tasks_fts (tasks_fts, rowid, title, notes, external_ref, customer_name)
        VALUES ('delete', old.id, old.title, old.notes, old.external_ref, old.customer_name);
        INSERT INTO tasks_fts (rowid, title, notes, external_ref, customer_name)
        VALUES (new.id, new.title, new.notes, new.external_ref, new.customer_name);
    END;
    CREATE INDEX tasks_tags ON tasks (tags) WHERE tags != '';
    """)


@migrations()
def m003_index_merged_off_the_writer(db):
    """The search index's merges left to the app's upkeep, off the GUI thread (issue 18)."""
    from assistant.tasks.store import leave_index_merges_to_upkeep  # the index's owner (its imports: 17 ms)

    leave_index_merges_to_upkeep(db)
