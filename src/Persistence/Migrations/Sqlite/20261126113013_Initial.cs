using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Grocery.Workflows.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Initial : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "delivery_sagas",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    current_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    store_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    window_start = table.Column<long>(type: "INTEGER", nullable: false),
                    window_end = table.Column<long>(type: "INTEGER", nullable: false),
                    attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    courier_id = table.Column<string>(type: "TEXT", nullable: true),
                    failure_reason = table.Column<string>(type: "TEXT", nullable: true),
                    courier_assignment_token = table.Column<Guid>(type: "TEXT", nullable: true),
                    pickup_token = table.Column<Guid>(type: "TEXT", nullable: true),
                    delivery_deadline_token = table.Column<Guid>(type: "TEXT", nullable: true),
                    state_entered_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_delivery_sagas", x => x.correlation_id);
                });

            migrationBuilder.CreateTable(
                name: "delivery_slots",
                columns: table => new
                {
                    slot_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    store_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    window_start = table.Column<long>(type: "INTEGER", nullable: false),
                    window_end = table.Column<long>(type: "INTEGER", nullable: false),
                    cut_off_at = table.Column<long>(type: "INTEGER", nullable: false),
                    capacity = table.Column<int>(type: "INTEGER", nullable: false),
                    held = table.Column<int>(type: "INTEGER", nullable: false),
                    confirmed = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_delivery_slots", x => x.slot_id);
                });

            migrationBuilder.CreateTable(
                name: "inbox_messages",
                columns: table => new
                {
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    consumer = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_inbox_messages", x => new { x.message_id, x.consumer });
                });

            migrationBuilder.CreateTable(
                name: "order_sagas",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    current_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    customer_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    store_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    slot_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    lines = table.Column<string>(type: "TEXT", nullable: false),
                    payment_provider = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    payment_token = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    substitution_preference = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    submitted_at = table.Column<long>(type: "INTEGER", nullable: false),
                    estimated_total = table.Column<long>(type: "INTEGER", nullable: false),
                    slot_reservation_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    slot_hold_ended = table.Column<bool>(type: "INTEGER", nullable: false),
                    window_start = table.Column<long>(type: "INTEGER", nullable: true),
                    window_end = table.Column<long>(type: "INTEGER", nullable: true),
                    stock_reservation_requested = table.Column<bool>(type: "INTEGER", nullable: false),
                    authorization_id = table.Column<string>(type: "TEXT", nullable: true),
                    authorized_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    picking_requested = table.Column<bool>(type: "INTEGER", nullable: false),
                    picking_due_token = table.Column<Guid>(type: "TEXT", nullable: true),
                    picked_lines = table.Column<string>(type: "TEXT", nullable: false),
                    picked_total = table.Column<long>(type: "INTEGER", nullable: true),
                    capture_id = table.Column<string>(type: "TEXT", nullable: true),
                    captured_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    refunded_amount = table.Column<long>(type: "INTEGER", nullable: false),
                    end_reason = table.Column<string>(type: "TEXT", nullable: true),
                    state_entered_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_order_sagas", x => x.correlation_id);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    message_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    message_type = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    destination_address = table.Column<string>(type: "TEXT", maxLength: 512, nullable: false),
                    body = table.Column<string>(type: "TEXT", nullable: false),
                    headers = table.Column<string>(type: "TEXT", nullable: true),
                    conversation_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    correlation_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    initiator_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    source_address = table.Column<string>(type: "TEXT", maxLength: 512, nullable: true),
                    schedule_token_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    due_at = table.Column<long>(type: "INTEGER", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    last_error = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "picking_sagas",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    current_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    store_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    lines = table.Column<string>(type: "TEXT", nullable: false),
                    substitution_preference = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    picker_id = table.Column<string>(type: "TEXT", nullable: true),
                    attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    reports = table.Column<string>(type: "TEXT", nullable: false),
                    substitution_round_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    picked_lines = table.Column<string>(type: "TEXT", nullable: false),
                    picker_response_token = table.Column<Guid>(type: "TEXT", nullable: true),
                    state_entered_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_picking_sagas", x => x.correlation_id);
                });

            migrationBuilder.CreateTable(
                name: "saga_timeline",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    saga_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    correlation_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    from_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    to_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    @event = table.Column<string>(name: "event", type: "TEXT", maxLength: 128, nullable: false),
                    message_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    host_instance = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_saga_timeline", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "slot_holds",
                columns: table => new
                {
                    reservation_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    slot_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    changed_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_slot_holds", x => x.reservation_id);
                });

            migrationBuilder.CreateTable(
                name: "slot_reservation_sagas",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    current_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    store_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    slot_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    window_start = table.Column<long>(type: "INTEGER", nullable: true),
                    window_end = table.Column<long>(type: "INTEGER", nullable: true),
                    cut_off_at = table.Column<long>(type: "INTEGER", nullable: true),
                    hold_expires_at = table.Column<long>(type: "INTEGER", nullable: true),
                    extensions = table.Column<int>(type: "INTEGER", nullable: false),
                    extension_pending = table.Column<bool>(type: "INTEGER", nullable: false),
                    hold_expiration_token = table.Column<Guid>(type: "TEXT", nullable: true),
                    state_entered_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_slot_reservation_sagas", x => x.correlation_id);
                });

            migrationBuilder.CreateTable(
                name: "stock_balances",
                columns: table => new
                {
                    store_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    on_hand_milli = table.Column<long>(type: "INTEGER", nullable: false),
                    reserved_milli = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_stock_balances", x => new { x.store_id, x.sku });
                });

            migrationBuilder.CreateTable(
                name: "stock_ledger",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    store_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    movement = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    quantity_milli = table.Column<long>(type: "INTEGER", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    at = table.Column<long>(type: "INTEGER", nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_stock_ledger", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "stock_reservations",
                columns: table => new
                {
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    sku = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    store_id = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    quantity_milli = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_stock_reservations", x => new { x.order_id, x.sku });
                });

            migrationBuilder.CreateTable(
                name: "substitution_sagas",
                columns: table => new
                {
                    correlation_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    current_state = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    version = table.Column<int>(type: "INTEGER", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    preference = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    lines = table.Column<string>(type: "TEXT", nullable: false),
                    decisions = table.Column<string>(type: "TEXT", nullable: false),
                    decide_by = table.Column<long>(type: "INTEGER", nullable: true),
                    decision_deadline_token = table.Column<Guid>(type: "TEXT", nullable: true),
                    proposed = table.Column<int>(type: "INTEGER", nullable: false),
                    accepted = table.Column<int>(type: "INTEGER", nullable: false),
                    state_entered_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_substitution_sagas", x => x.correlation_id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_delivery_sagas_current_state_state_entered_at",
                table: "delivery_sagas",
                columns: new[] { "current_state", "state_entered_at" });

            migrationBuilder.CreateIndex(
                name: "IX_delivery_slots_store_id_window_start",
                table: "delivery_slots",
                columns: new[] { "store_id", "window_start" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_inbox_messages_received_at",
                table: "inbox_messages",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "IX_order_sagas_current_state_state_entered_at",
                table: "order_sagas",
                columns: new[] { "current_state", "state_entered_at" });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_due_at_id",
                table: "outbox_messages",
                columns: new[] { "due_at", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_outbox_messages_schedule_token_id",
                table: "outbox_messages",
                column: "schedule_token_id");

            migrationBuilder.CreateIndex(
                name: "IX_picking_sagas_current_state_state_entered_at",
                table: "picking_sagas",
                columns: new[] { "current_state", "state_entered_at" });

            migrationBuilder.CreateIndex(
                name: "IX_saga_timeline_order_id_id",
                table: "saga_timeline",
                columns: new[] { "order_id", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_saga_timeline_saga_type_correlation_id_id",
                table: "saga_timeline",
                columns: new[] { "saga_type", "correlation_id", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_slot_holds_slot_id",
                table: "slot_holds",
                column: "slot_id");

            migrationBuilder.CreateIndex(
                name: "IX_slot_reservation_sagas_current_state_state_entered_at",
                table: "slot_reservation_sagas",
                columns: new[] { "current_state", "state_entered_at" });

            migrationBuilder.CreateIndex(
                name: "IX_slot_reservation_sagas_order_id",
                table: "slot_reservation_sagas",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "IX_stock_ledger_order_id",
                table: "stock_ledger",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "IX_stock_ledger_store_id_sku_id",
                table: "stock_ledger",
                columns: new[] { "store_id", "sku", "id" });

            migrationBuilder.CreateIndex(
                name: "IX_substitution_sagas_current_state_state_entered_at",
                table: "substitution_sagas",
                columns: new[] { "current_state", "state_entered_at" });

            migrationBuilder.CreateIndex(
                name: "IX_substitution_sagas_order_id",
                table: "substitution_sagas",
                column: "order_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "delivery_sagas");

            migrationBuilder.DropTable(
                name: "delivery_slots");

            migrationBuilder.DropTable(
                name: "inbox_messages");

            migrationBuilder.DropTable(
                name: "order_sagas");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.DropTable(
                name: "picking_sagas");

            migrationBuilder.DropTable(
                name: "saga_timeline");

            migrationBuilder.DropTable(
                name: "slot_holds");

            migrationBuilder.DropTable(
                name: "slot_reservation_sagas");

            migrationBuilder.DropTable(
                name: "stock_balances");

            migrationBuilder.DropTable(
                name: "stock_ledger");

            migrationBuilder.DropTable(
                name: "stock_reservations");

            migrationBuilder.DropTable(
                name: "substitution_sagas");
        }
    }
}
