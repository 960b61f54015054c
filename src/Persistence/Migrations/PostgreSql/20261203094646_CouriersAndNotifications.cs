using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Grocery.Workflows.Persistence.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class CouriersAndNotifications : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "address",
                table: "stores",
                type: "character varying(256)",
                maxLength: 256,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<double>(
                name: "latitude",
                table: "stores",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<double>(
                name: "longitude",
                table: "stores",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<string>(
                name: "phone",
                table: "stores",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "delivery_address",
                table: "order_requests",
                type: "character varying(500)",
                maxLength: 500,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<double>(
                name: "delivery_latitude",
                table: "order_requests",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<double>(
                name: "delivery_longitude",
                table: "order_requests",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);

            migrationBuilder.AddColumn<string>(
                name: "delivery_notes",
                table: "order_requests",
                type: "character varying(500)",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "delivery_phone",
                table: "order_requests",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "language",
                table: "order_requests",
                type: "character varying(2)",
                maxLength: 2,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<Guid>(
                name: "dispatch_due_token",
                table: "delivery_sagas",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "quote_currency",
                table: "delivery_sagas",
                type: "character varying(3)",
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "quote_refusal",
                table: "delivery_sagas",
                type: "character varying(256)",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "quoted_fee",
                table: "delivery_sagas",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "store_fleet",
                table: "delivery_sagas",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "courier_bookings",
                columns: table => new
                {
                    order_id = table.Column<Guid>(type: "uuid", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    provider = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    delivery_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    status_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    courier = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    tracking_url = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    fee = table.Column<long>(type: "bigint", nullable: true),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    booked_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    cancelled_by_engine = table.Column<bool>(type: "boolean", nullable: false),
                    picked_up = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_courier_bookings", x => new { x.order_id, x.attempt });
                });

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    event_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    order_id = table.Column<Guid>(type: "uuid", nullable: false),
                    customer_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    language = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    title = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    text = table.Column<string>(type: "text", nullable: false),
                    link = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    cloud_event = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    posted = table.Column<bool>(type: "boolean", nullable: false),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_notifications", x => x.event_id);
                });

            // The demo catalogue's stores get their pick-up addresses; other stores are given theirs by the grocer.
            migrationBuilder.Sql("UPDATE stores SET address = '15 Le Loi, Ben Nghe, District 1, Ho Chi Minh City', latitude = 10.773521, longitude = 106.701234, phone = '+842838221500' WHERE store_id = 'hcm-01'");
            migrationBuilder.Sql("UPDATE stores SET address = '22 Hang Bai, Hoan Kiem, Hanoi', latitude = 21.025431, longitude = 105.853112, phone = '+842439361200' WHERE store_id = 'han-01'");
            migrationBuilder.Sql("UPDATE stores SET address = '120 Bach Dang, Hai Chau, Da Nang', latitude = 16.071842, longitude = 108.224501, phone = '+842363822300' WHERE store_id = 'dad-01'");
            migrationBuilder.Sql("UPDATE stores SET address = '10 Tanjong Pagar Road, Singapore 088443', latitude = 1.279512, longitude = 103.843601, phone = '+6562251400' WHERE store_id = 'sgp-01'");
            migrationBuilder.Sql("UPDATE stores SET address = '250 Sukhumvit Road, Khlong Toei, Bangkok 10110', latitude = 13.737204, longitude = 100.560312, phone = '+6622541600' WHERE store_id = 'bkk-01'");

            migrationBuilder.CreateIndex(
                name: "IX_courier_bookings_provider_delivery_id",
                table: "courier_bookings",
                columns: new[] { "provider", "delivery_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_notifications_order_id_created_at",
                table: "notifications",
                columns: new[] { "order_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "courier_bookings");

            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropColumn(
                name: "address",
                table: "stores");

            migrationBuilder.DropColumn(
                name: "latitude",
                table: "stores");

            migrationBuilder.DropColumn(
                name: "longitude",
                table: "stores");

            migrationBuilder.DropColumn(
                name: "phone",
                table: "stores");

            migrationBuilder.DropColumn(
                name: "delivery_address",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "delivery_latitude",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "delivery_longitude",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "delivery_notes",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "delivery_phone",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "language",
                table: "order_requests");

            migrationBuilder.DropColumn(
                name: "dispatch_due_token",
                table: "delivery_sagas");

            migrationBuilder.DropColumn(
                name: "quote_currency",
                table: "delivery_sagas");

            migrationBuilder.DropColumn(
                name: "quote_refusal",
                table: "delivery_sagas");

            migrationBuilder.DropColumn(
                name: "quoted_fee",
                table: "delivery_sagas");

            migrationBuilder.DropColumn(
                name: "store_fleet",
                table: "delivery_sagas");
        }
    }
}
