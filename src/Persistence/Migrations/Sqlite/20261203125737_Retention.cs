using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Grocery.Workflows.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Retention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // audit_log stays append-only except for rows older than audit_retention's one mark, which the retention
            // job moves forward and which may never be later than 30 days ago (instants are UTC ticks here; .NET's
            // tick 0 is Julian day 1721425.5).
            migrationBuilder.Sql(
                """
                CREATE TABLE audit_retention (id INTEGER NOT NULL PRIMARY KEY CHECK (id = 1), delete_before INTEGER NOT NULL);
                INSERT INTO audit_retention (id, delete_before) VALUES (1, 0);
                CREATE TRIGGER audit_retention_no_insert BEFORE INSERT ON audit_retention
                BEGIN SELECT RAISE(ABORT, 'audit_retention has one row'); END;
                CREATE TRIGGER audit_retention_no_delete BEFORE DELETE ON audit_retention
                BEGIN SELECT RAISE(ABORT, 'audit_retention has one row'); END;
                CREATE TRIGGER audit_retention_at_least_30_days BEFORE UPDATE ON audit_retention
                WHEN new.id <> 1 OR new.delete_before > CAST((julianday('now') - 30 - 1721425.5) * 864000000000 AS INTEGER)
                BEGIN SELECT RAISE(ABORT, 'audit_retention: the mark may not be later than 30 days ago'); END;
                DROP TRIGGER audit_log_no_delete;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                WHEN old.at >= COALESCE((SELECT delete_before FROM audit_retention WHERE id = 1), 0)
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed before the retention mark'); END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                """
                DROP TRIGGER audit_log_no_delete;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE is not allowed'); END;
                DROP TABLE audit_retention;
                """);
        }
    }
}
