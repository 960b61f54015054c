using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Grocery.Workflows.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class FailedMessages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "failed_messages",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    message_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    message_type = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    input_address = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    headers = table.Column<string>(type: "TEXT", nullable: true),
                    exception_type = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    exception_message = table.Column<string>(type: "TEXT", nullable: false),
                    stack_trace = table.Column<string>(type: "TEXT", nullable: true),
                    failed_at = table.Column<long>(type: "INTEGER", nullable: false),
                    replayed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    replay_count = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_failed_messages", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_failed_messages_failed_at",
                table: "failed_messages",
                column: "failed_at");

            migrationBuilder.CreateIndex(
                name: "IX_failed_messages_order_id",
                table: "failed_messages",
                column: "order_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "failed_messages");
        }
    }
}
