package central

import (
	"context"
	"database/sql"
)

// RawQuery runs a query on the store's database, for the benchmarks'
// plain alternatives.
func (d *DB) RawQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.db.QueryContext(ctx, d.q(query), args...)
}
