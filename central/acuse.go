package central

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/radicador/radicador/sync/wire"
)

// AcuseWriter writes the e-mail of a radicado's acuse de recibo (the
// buzon package's, with the state page's address).
type AcuseWriter func(Receipt, wire.Radicado) (AcuseMail, error)

// SetAcuse has the server send the acuse de recibo of the radicados that
// stations push with their sender's e-mail: the station holds no mail
// password, and an offline branch's acuse goes when it syncs. nil: none
// is sent.
func (d *DB) SetAcuse(w AcuseWriter) {
	d.acuseMu.Lock()
	d.acuse = w
	d.acuseMu.Unlock()
}

// stationAcuse is the acuse a push would queue if it makes its radicado.
type stationAcuse struct {
	email    string
	codeHash string
	mail     AcuseMail
	failed   string // why it could not be written: queued as given up, for the station to see
}

// prepareAcuse writes, before the push's write, the acuse of a radicado
// the server does not hold yet, when it has its sender's e-mail and work to
// follow; nil otherwise. Its consultation code is derived from the number
// (the same at every retry), so that the sender can follow it at the
// Buzón's state page like a communication handed in there.
func (d *DB) prepareAcuse(ctx context.Context, push wire.Push) (*stationAcuse, error) {
	d.acuseMu.RLock()
	write := d.acuse
	d.acuseMu.RUnlock()
	r := push.Radicado
	if write == nil || r.SenderEmail == "" || !hasWork(r.Kind) {
		return nil, nil
	}
	if annulled, _ := push.Annulled(); annulled {
		return nil, nil
	}
	var held int
	err := d.readScan(ctx, `SELECT 1 FROM radicados WHERE number = ?`, []any{r.Number}, &held)
	if err == nil {
		return nil, nil // held already: its acuse was dealt with when it came
	}
	if err != sql.ErrNoRows {
		return nil, err
	}
	secret, err := d.buzonSecret(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := d.OrgConfig(ctx)
	if err != nil {
		return nil, err
	}
	_, loc, err := d.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	code := derivedCode(secret, "radicado:"+r.Number)
	rec := Receipt{Number: r.Number, Code: code, ReceivedAt: r.ReceivedAt.In(loc), Type: r.Type, Due: r.Due, Dept: r.Dept,
		DeptName: cfg.Depts[r.Dept], Subject: r.Subject, Name: r.SenderName, Org: cfg.Organization, Channel: channelOf(r)}
	for _, t := range cfg.Types {
		if t.Code == r.Type {
			rec.TypeName = t.Name
		}
	}
	if err := d.style(ctx, &rec, ""); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(code))
	a := &stationAcuse{email: r.SenderEmail, codeHash: hex.EncodeToString(sum[:])}
	if a.mail, err = write(rec, r); err != nil {
		// The radicado is received all the same; its acuse is recorded as
		// failed, with why.
		a.failed = fmt.Sprintf("the acuse could not be written: %v", err)
		a.mail = AcuseMail{Subject: "Acuse de recibo: radicado " + r.Number}
	}
	return a, nil
}

// queueStationAcuse keeps the code of a radicado just made and queues its
// acuse, within the push's transaction.
func (d *DB) queueStationAcuse(ctx context.Context, tx *sql.Tx, number string, a *stationAcuse) error {
	if _, err := d.txExec(ctx, tx, `INSERT INTO buzon (number, code_hash, email, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (number) DO NOTHING`,
		number, a.codeHash, a.email, d.stamp()); err != nil {
		return err
	}
	if err := d.queueAcuse(ctx, tx, number, a.email, a.mail); err != nil || a.failed == "" {
		return err
	}
	_, err := d.txExec(ctx, tx, `UPDATE outbox SET next_try = ?, last_error = ? WHERE kind = 'acuse' AND number = ?`, never, a.failed, number)
	return err
}

// AcuseOf gives where the acuse of the radicado number stands; false when
// none was queued (no e-mail given, or forgotten since).
func (d *DB) AcuseOf(ctx context.Context, number string) (wire.Acuse, bool, error) {
	list, err := d.acuses(ctx, `o.kind = 'acuse' AND o.number = ?`, number)
	if err != nil || len(list) == 0 {
		return wire.Acuse{}, false, err
	}
	return list[0], true, nil
}

// Acuses lists where the acuses of p's radicados stand, and its salidas
// sent by e-mail, newest first: the station shows them in its Bandeja,
// and records how its e-mailed salidas went. Those sent or given up are forgotten
// with the outbox (Prune), by when the station has seen them.
func (d *DB) Acuses(ctx context.Context, p Principal) ([]wire.Acuse, error) {
	return d.acuses(ctx, `r.office = ? AND r.station = ?`, p.Office, p.Station)
}

// acuses lists the acuses where cond holds, newest first.
func (d *DB) acuses(ctx context.Context, cond string, args ...any) ([]wire.Acuse, error) {
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT o.number, o.to_addr, o.created_at, o.sent_at, o.next_try, o.last_error, o.kind, o.attempt
		FROM outbox o JOIN radicados r ON r.number = o.number
		WHERE o.kind IN ('acuse', 'salida') AND `+cond+` ORDER BY o.id DESC LIMIT 1000`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []wire.Acuse{}
	for rows.Next() {
		var a wire.Acuse
		var created, sent, next string
		if err := rows.Scan(&a.Number, &a.To, &created, &sent, &next, &a.Error, &a.Kind, &a.Attempt); err != nil {
			return nil, err
		}
		if a.Kind == "acuse" {
			a.Kind = ""
		}
		a.State, a.At = wire.AcusePending, parseStamp(created)
		switch {
		case sent != "":
			a.State, a.At, a.Error = wire.AcuseSent, parseStamp(sent), ""
		case next == never:
			a.State = wire.AcuseFailed
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func parseStamp(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
