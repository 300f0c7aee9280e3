"""The chain off the write path (issue 22): writers insert entries unchained, numbered by a sequence
(PostgreSQL) without a shared lock; the sequencer fills in chain_seq, prev_hash, hash and its two times.
Entries written before keep their place: chain_seq = seq, their hashes unchanged. The database still
refuses every change to an entry except that one update, once, of an unchained entry's chain fields;
and every change to a signed checkpoint."""

from django.db import migrations, models

CONTENT = (
    "id",
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "unit_id",
    "unit_path",
    "unit_name",
    "data",
)

PG_UP = f"""
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
CREATE OR REPLACE FUNCTION audit_allow_chaining() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
       AND ({", ".join("NEW." + c for c in CONTENT)})
           IS NOT DISTINCT FROM ({", ".join("OLD." + c for c in CONTENT)}) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_allow_chaining();
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE SEQUENCE IF NOT EXISTS audit_entry_number;
SELECT setval('audit_entry_number', (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_auditentry), false);
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS audit_checkpoint_append_only ON audit_checkpoint;
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_allow_chaining();
DROP SEQUENCE IF EXISTS audit_entry_number;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
SQLITE_UP = [
    "DROP TRIGGER IF EXISTS audit_entry_append_only",
    f"""CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_auditentry
WHEN NOT (OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT)})
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
    """CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE ON audit_checkpoint
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_checkpoint_append_only",
    "DROP TRIGGER IF EXISTS audit_entry_append_only",
    """CREATE TRIGGER audit_entry_append_only BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END""",
]


def lift_old_trigger(apps, schema_editor):
    """The entries written so far get chain_seq = seq: the old trigger refuses every update."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_entry_append_only")


def place_earlier_entries(apps, schema_editor):
    schema_editor.execute("UPDATE audit_auditentry SET chain_seq = seq WHERE chain_seq IS NULL")


def triggers_up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def triggers_down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.RunPython(lift_old_trigger, migrations.RunPython.noop),
        migrations.CreateModel(
            name="Checkpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(db_index=True, verbose_name="chain number")),
                ("hash", models.CharField(max_length=64)),
                ("at", models.DateTimeField(db_index=True, verbose_name="time")),
                ("key_id", models.CharField(max_length=16, verbose_name="key")),
                ("signature", models.CharField(max_length=128)),
            ],
            options={
                "verbose_name": "audit checkpoint",
                "verbose_name_plural": "audit checkpoints",
                "ordering": ["-at"],
            },
        ),
        migrations.AddField(
            model_name="auditentry",
            name="chain_seq",
            field=models.BigIntegerField(blank=True, null=True, unique=True, verbose_name="chain number"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="sequenced_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="visible_after",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="chainhead",
            name="drained_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(
                condition=models.Q(("chain_seq__isnull", True)), fields=["seq"], name="audit_unchained"
            ),
        ),
        migrations.RunPython(place_earlier_entries, migrations.RunPython.noop),
        migrations.RunPython(triggers_up, triggers_down),
    ]
