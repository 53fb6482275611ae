package central

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/radicador/radicador/sync/wire"
)

// The journal is the server's own audit log: every action on a radicado in
// the console, every change of people and departments, every log-in and
// failed log-in, each chained to the one before by its hash, as a
// station's events are (wire.EventHash). Entries are appended in the
// transaction of the change they record, one writer at a time (on
// PostgreSQL an advisory lock serialises the instances).

// JournalEntry is one entry of the journal.
type JournalEntry struct {
	ID     int64           `json:"id"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Number string          `json:"number,omitempty"`
	Data   json.RawMessage `json:"data"`
	Prev   string          `json:"prev"`
	Hash   string          `json:"hash"`
}

// journalLock is the advisory lock that serialises appends on PostgreSQL.
const journalLock = 7301185

// genesis is the previous hash of the journal's first entry.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// appendJournal adds an entry to the journal in tx.
func (d *DB) appendJournal(ctx context.Context, tx *sql.Tx, actor, action, number string, data any) error {
	raw, err := json.Marshal(data)
	if err != nil {
		return err
	}
	if d.postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, journalLock); err != nil {
			return fmt.Errorf("journal: %w", err)
		}
	}
	var id int64
	prev := genesis
	err = d.txScan(ctx, tx, `SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1`, nil, &id, &prev)
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("journal: %w", err)
	}
	id++
	at := d.now().UTC()
	hash := wire.EventHash(prev, id, at, actor, action, number, raw)
	if _, err := d.txExec(ctx, tx, `INSERT INTO journal (id, at, actor, action, number, data, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		id, at.Format(time.RFC3339Nano), actor, action, number, string(raw), prev, hash); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return nil
}

// History gives the journal's entries for a radicado, oldest first.
func (d *DB) History(ctx context.Context, number string) ([]JournalEntry, error) {
	return d.journalWhere(ctx, `WHERE number = ? ORDER BY id`, number)
}

// JournalSince gives up to limit entries after id, oldest first.
func (d *DB) JournalSince(ctx context.Context, id int64, limit int) ([]JournalEntry, error) {
	return d.journalWhere(ctx, `WHERE id > ? ORDER BY id LIMIT ?`, id, limit)
}

func (d *DB) journalWhere(ctx context.Context, where string, args ...any) ([]JournalEntry, error) {
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT id, at, actor, action, number, data, prev, hash FROM journal `+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JournalEntry
	for rows.Next() {
		var e JournalEntry
		var at, data string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Number, &data, &e.Prev, &e.Hash); err != nil {
			return nil, err
		}
		if e.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
			return nil, fmt.Errorf("journal entry %d: %w", e.ID, err)
		}
		e.Data = json.RawMessage(data)
		out = append(out, e)
	}
	return out, rows.Err()
}

// JournalProblem is an entry of the journal that does not hold.
type JournalProblem struct {
	ID     int64  `json:"id"`
	Reason string `json:"reason"`
}

// VerifyJournal reads the whole journal and checks every entry's hash and
// its link to the one before; it gives how many entries it read and what
// does not hold.
func (d *DB) VerifyJournal(ctx context.Context) (int, []JournalProblem, error) {
	var problems []JournalProblem
	n, last, prev := 0, int64(0), genesis
	for {
		batch, err := d.JournalSince(ctx, last, 5000)
		if err != nil {
			return n, problems, err
		}
		if len(batch) == 0 {
			return n, problems, nil
		}
		for _, e := range batch {
			n++
			if e.ID != last+1 {
				problems = append(problems, JournalProblem{e.ID, fmt.Sprintf("entry %d follows %d: entries are missing", e.ID, last)})
			}
			if e.Prev != prev {
				problems = append(problems, JournalProblem{e.ID, "it does not follow the entry before it (prev)"})
			}
			if wire.EventHash(e.Prev, e.ID, e.At, e.Actor, e.Action, e.Number, e.Data) != e.Hash {
				problems = append(problems, JournalProblem{e.ID, "its content does not have its hash: it was changed"})
			}
			last, prev = e.ID, e.Hash
		}
	}
}
