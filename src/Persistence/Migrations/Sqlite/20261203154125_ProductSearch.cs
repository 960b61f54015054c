using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Grocery.Workflows.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ProductSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "name_vi",
                table: "products",
                type: "TEXT",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "search_text",
                table: "products",
                type: "TEXT",
                maxLength: 500,
                nullable: false,
                defaultValue: "");

            // The search index (ProductSearch): an FTS5 table whose rows share the product's rowid, kept by triggers, so
            // every writer of products keeps it. A later migration that rebuilds products must create these again.
            migrationBuilder.Sql(
                """
                CREATE VIRTUAL TABLE products_search USING fts5(search_text, tokenize = 'unicode61');
                CREATE TRIGGER products_search_insert AFTER INSERT ON products BEGIN
                    INSERT INTO products_search (rowid, search_text) VALUES (new.rowid, new.search_text);
                END;
                CREATE TRIGGER products_search_update AFTER UPDATE OF search_text ON products BEGIN
                    UPDATE products_search SET search_text = new.search_text WHERE rowid = old.rowid;
                END;
                CREATE TRIGGER products_search_delete AFTER DELETE ON products BEGIN
                    DELETE FROM products_search WHERE rowid = old.rowid;
                END;
                INSERT INTO products_search (rowid, search_text) SELECT rowid, search_text FROM products;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(
                """
                DROP TRIGGER products_search_insert;
                DROP TRIGGER products_search_update;
                DROP TRIGGER products_search_delete;
                DROP TABLE products_search;
                """);

            migrationBuilder.DropColumn(
                name: "name_vi",
                table: "products");

            migrationBuilder.DropColumn(
                name: "search_text",
                table: "products");
        }
    }
}
