package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
)

// Senders gives up to limit senders whose name starts with prefix (any
// case), each once with the identification last given for it, the most
// recent first.
func (s *Store) Senders(ctx context.Context, prefix string, limit int) ([]radicado.Sender, error) {
	prefix = strings.TrimSpace(prefix)
	if prefix == "" || limit <= 0 {
		return nil, nil
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(prefix)
	// Grouped by the exact name, newest first; spellings that differ only
	// in case (Í and í too, which SQLite does not fold) are merged below.
	rows, err := s.db.QueryContext(ctx, `
		SELECT sender_name, sender_id, MAX(received_ns) AS last FROM radicados
		WHERE sender_name LIKE ? ESCAPE '\' AND sender_name <> ''
		GROUP BY sender_name ORDER BY last DESC LIMIT ?`, esc+"%", 4*limit)
	if err != nil {
		return nil, fmt.Errorf("senders: %w", err)
	}
	defer rows.Close()
	var out []radicado.Sender
	seen := map[string]bool{}
	for rows.Next() {
		var name, id string
		var last int64
		if err := rows.Scan(&name, &id, &last); err != nil {
			return nil, fmt.Errorf("senders: %w", err)
		}
		key := strings.ToLower(name)
		if seen[key] || len(out) == limit {
			continue
		}
		seen[key] = true
		sender := radicado.Sender{Name: name}
		if sender.ID, err = ident.Parse(id); err != nil {
			return nil, fmt.Errorf("senders: %q: %w", id, err)
		}
		out = append(out, sender)
	}
	return out, rows.Err()
}
