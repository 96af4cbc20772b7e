#pragma once

// The runner's migration layouts are the analyzer's (analyzer/project/migration_layout.hpp: one owner for
// `lint` and `run`); MigrationFile, NameReading, read_migration_name, discover_migrations and
// migrations_directory_of are found from miglint::runner as miglint's.
#include "analyzer/project/migration_layout.hpp"
