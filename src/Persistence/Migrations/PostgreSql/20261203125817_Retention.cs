using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Grocery.Workflows.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class Retention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // audit_log stays append-only except for rows older than audit_retention's one mark, which the retention
            // job moves forward and which may never be later than 30 days ago.
            migrationBuilder.Sql(
                """
                CREATE TABLE audit_retention (id integer PRIMARY KEY CHECK (id = 1), delete_before timestamp with time zone NOT NULL);
                INSERT INTO audit_retention (id, delete_before) VALUES (1, '-infinity');
                CREATE FUNCTION audit_retention_guard() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'UPDATE' THEN
                        IF NEW.id = 1 AND NEW.delete_before <= now() - interval '30 days' THEN
                            RETURN NEW;
                        END IF;
                    END IF;
                    RAISE EXCEPTION 'audit_retention has one row, whose mark may not be later than 30 days ago (% refused)', TG_OP
                        USING ERRCODE = 'restrict_violation';
                END;
                $$;
                CREATE TRIGGER audit_retention_guard BEFORE INSERT OR UPDATE OR DELETE ON audit_retention
                    FOR EACH ROW EXECUTE FUNCTION audit_retention_guard();
                CREATE TRIGGER audit_retention_no_truncate BEFORE TRUNCATE ON audit_retention
                    FOR EACH STATEMENT EXECUTE FUNCTION audit_retention_guard();
                CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'DELETE' THEN
                        IF OLD.at < (SELECT delete_before FROM audit_retention WHERE id = 1) THEN
                            RETURN OLD;
                        END IF;
                    END IF;
                    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
                END;
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                """
                CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
                END;
                $$;
                DROP TABLE audit_retention;
                DROP FUNCTION audit_retention_guard();
                """);
        }
    }
}
