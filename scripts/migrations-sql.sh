#!/usr/bin/env bash
# Writes the schema as idempotent SQL scripts for operators who apply migrations themselves
# (Persistence__MigrateOnStart=false): artifacts/sql/postgresql.sql and artifacts/sql/sqlite.sql.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p artifacts/sql
dotnet tool restore >/dev/null
dotnet tool run dotnet-ef migrations script --idempotent --project src/Persistence \
  --context PostgresWorkflowDbContext --output artifacts/sql/postgresql.sql
# SQLite cannot run the idempotent form (no IF blocks); its script applies all migrations to an empty database.
dotnet tool run dotnet-ef migrations script --project src/Persistence \
  --context SqliteWorkflowDbContext --output artifacts/sql/sqlite.sql
echo "wrote artifacts/sql/postgresql.sql and artifacts/sql/sqlite.sql"
