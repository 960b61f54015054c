using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Grocery.Workflows.Persistence.Migrations.PostgreSql
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
                type: "character varying(200)",
                maxLength: 200,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "search_text",
                table: "products",
                type: "character varying(500)",
                maxLength: 500,
                nullable: false,
                defaultValue: "");

            // The search index (ProductSearch): the words of search_text as a generated tsvector ('simple': no stemming
            // and no stop words, the text is folded already), in a GIN index that also answers prefix queries.
            migrationBuilder.Sql(
                """
                ALTER TABLE products ADD COLUMN search_vector tsvector
                    GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED;
                CREATE INDEX ix_products_search_vector ON products USING gin (search_vector);
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("ALTER TABLE products DROP COLUMN search_vector;");

            migrationBuilder.DropColumn(
                name: "name_vi",
                table: "products");

            migrationBuilder.DropColumn(
                name: "search_text",
                table: "products");
        }
    }
}
