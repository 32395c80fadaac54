"""Migration operations of our own. Migrations import them, so they must never change meaning."""

from django.db import migrations


class LabelsOnly(migrations.SeparateDatabaseAndState):
    """Changes to labels (verbose names, help texts) that issue no SQL.

    Django re-renders a model and every model related to it after each AlterField; with the
    models already rendered that cost 30 s of a fresh `migrate` (and of every test database)
    for the translated labels alone. These operations work on the model states with the
    rendered models set aside, and render them once at the end: the same resulting state.
    """

    def __init__(self, state_operations):
        super().__init__(database_operations=None, state_operations=state_operations)

    def deconstruct(self):
        return (self.__class__.__qualname__, [], {"state_operations": self.state_operations})

    def state_forwards(self, app_label, state):
        rendered = state.__dict__.pop("apps", None)
        super().state_forwards(app_label, state)
        if rendered is not None:
            state.apps  # noqa: B018 - render once, as the next operation expects


class PostgresOnlyAddIndex(migrations.AddIndex):
    """An index only PostgreSQL can build (a GIN index on a full-text document, core/search.py):
    the model state holds it everywhere, the SQLite database of the embedded default does not
    (it searches without one)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
