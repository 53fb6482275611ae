package store

import (
	"context"
	"database/sql"
	"maps"
	"slices"
)

// Settings gives every stored setting by key.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	return settingsIn(ctx, s.db)
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func settingsIn(ctx context.Context, q querier) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := make(map[string]string)
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, rows.Err()
}

type configData struct {
	Key string  `json:"key"`
	Old *string `json:"old"`
	New *string `json:"new"`
}

// UpdateSettings runs change on a copy of the settings inside one write
// transaction; the keys it adds, changes or deletes are stored, each with
// its event in the audit log. When change fails nothing is stored.
func (s *Store) UpdateSettings(ctx context.Context, actor string, change func(map[string]string) error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		before, err := settingsIn(ctx, tx)
		if err != nil {
			return err
		}
		after := maps.Clone(before)
		if err := change(after); err != nil {
			return err
		}
		now := s.clock()
		keys := slices.Collect(maps.Keys(before))
		for k := range after {
			if _, ok := before[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, key := range keys {
			old, hadOld := before[key]
			val, hasNew := after[key]
			if hadOld == hasNew && old == val {
				continue
			}
			d := configData{Key: key}
			if hadOld {
				d.Old = &old
			}
			if hasNew {
				d.New = &val
				_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
					ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, val)
			} else {
				_, err = tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key)
			}
			if err != nil {
				return err
			}
			if _, err = appendEvent(ctx, tx, now, actor, ActionConfig, "", d); err != nil {
				return err
			}
		}
		return nil
	})
}
