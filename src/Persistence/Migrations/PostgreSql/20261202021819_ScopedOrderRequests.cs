using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Grocery.Workflows.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class ScopedOrderRequests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_order_requests",
                table: "order_requests");

            migrationBuilder.DropIndex(
                name: "IX_order_requests_order_id",
                table: "order_requests");

            migrationBuilder.AddColumn<string>(
                name: "currency",
                table: "order_requests",
                type: "character varying(3)",
                maxLength: 3,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "customer_id",
                table: "order_requests",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<long>(
                name: "estimated_total",
                table: "order_requests",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "lines",
                table: "order_requests",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "payment_provider",
                table: "order_requests",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<Guid>(
                name: "slot_id",
                table: "order_requests",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<string>(
                name: "substitution_preference",
                table: "order_requests",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            // Requests accepted before this migration take what their order saga holds; one whose saga never started
            // keeps an empty customer, and so its key stays unique among those.
            migrationBuilder.Sql(
                """
                UPDATE order_requests SET
                    customer_id = o.customer_id, slot_id = o.slot_id, currency = o.currency, estimated_total = o.estimated_total,
                    lines = o.lines, payment_provider = o.payment_provider, substitution_preference = o.substitution_preference
                FROM order_sagas AS o WHERE o.correlation_id = order_requests.order_id;
                UPDATE order_requests SET lines = '[]' WHERE lines = '';
                """);

            migrationBuilder.AddPrimaryKey(
                name: "PK_order_requests",
                table: "order_requests",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "IX_order_requests_created_at",
                table: "order_requests",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "IX_order_requests_customer_id_idempotency_key",
                table: "order_requests",
                columns: new[] { "customer_id", "idempotency_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_failed_messages_message_id",
                table: "failed_messages",
                column: "message_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_order_requests",
                table: "order_requests");

            migrationBuilder.DropIndex(
                name: "IX_order_requests_created_at",
                table: "order_requests");

            migrationBuilder.DropIndex(
                name: "IX_order_requests_customer_id_idempotency_key",
                table: "order_requests");

            migrationBuilder.DropIndex(
                name: "IX_failed_messages_message_id",
                table: "failed_messages");

            migrationBuilder.DropColumn(
                name: "currency",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "customer_id",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "estimated_total",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "lines",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "payment_provider",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "slot_id",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "substitution_preference",
                table: "order_requests");

            migrationBuilder.AddPrimaryKey(
                name: "PK_order_requests",
                table: "order_requests",
                column: "idempotency_key");

            migrationBuilder.CreateIndex(
                name: "IX_order_requests_order_id",
                table: "order_requests",
                column: "order_id",
                unique: true);
        }
    }
}
