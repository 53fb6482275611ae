package central

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

// The Buzón: communications handed in on the web. The server numbers them
// itself, as a station of its own — an office and station code the
// administrator gives it, in the organisation's pattern — with a station's
// guarantees: consecutive per year and kind, never a hole nor a repeat
// (the counter moves in the transaction that records the radicado), an
// audit chain of its own, routed and given its term like any other, on the
// web channel. The sender gets the number and a consultation code, of
// which only a hash is kept.

// Settings of the Buzón.
const (
	settingBuzonOffice  = "buzon.office"
	settingBuzonStation = "buzon.station"
)

// ErrBuzonClosed: the Buzón has no office and station.
var ErrBuzonClosed = errors.New("the Buzón is not open (radicador-server buzon enable --office CODE --station CODE)")

// Bounds of a communication handed in.
const (
	MaxBuzonMessage = 20000 // characters of the message
	MaxBuzonFiles   = 5
)

// BuzonStation gives the office and station the Buzón numbers as.
func (d *DB) BuzonStation(ctx context.Context) (Principal, error) {
	var office, station string
	err := d.readScan(ctx, `SELECT COALESCE(MAX(CASE WHEN key = ? THEN value END), ''), COALESCE(MAX(CASE WHEN key = ? THEN value END), '')
		FROM settings WHERE key IN (?, ?)`, []any{settingBuzonOffice, settingBuzonStation, settingBuzonOffice, settingBuzonStation}, &office, &station)
	if err != nil {
		return Principal{}, err
	}
	if office == "" || station == "" {
		return Principal{}, ErrBuzonClosed
	}
	return Principal{Office: office, Station: station}, nil
}

// EnableBuzon opens the Buzón as office and station: codes of the
// pattern, of no enrolled station, and under which no station has
// numbered.
func (d *DB) EnableBuzon(ctx context.Context, actor, office, station string) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		pat, err := d.patternIn(ctx, tx)
		if err != nil {
			return err
		}
		if err := pat.CheckCode("office", office); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		if err := pat.CheckCode("station", station); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		var stations, numbered int
		if err := d.txScan(ctx, tx, `SELECT COUNT(*) FROM stations WHERE office = ? AND station = ?`, []any{office, station}, &stations); err != nil {
			return err
		}
		if err := d.txScan(ctx, tx, `SELECT COUNT(*) FROM radicados WHERE office = ? AND station = ? AND NOT EXISTS
			(SELECT 1 FROM buzon b WHERE b.number = radicados.number)`, []any{office, station}, &numbered); err != nil {
			return err
		}
		if stations > 0 || numbered > 0 {
			return fmt.Errorf("%w: office %s station %s is a station's: the Buzón needs codes of its own", ErrExists, office, station)
		}
		for k, v := range map[string]string{settingBuzonOffice: office, settingBuzonStation: station} {
			if err := d.txSetSetting(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return d.appendJournal(ctx, tx, actor, "config.buzon", "", map[string]string{"office": office, "station": station})
	})
}

// SetTypePublic says whether the public may choose a document type at the
// Buzón.
func (d *DB) SetTypePublic(ctx context.Context, actor, code string, public bool) error {
	return d.writeConfig(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := d.txExec(ctx, tx, `UPDATE doc_types SET public = ? WHERE code = ?`, boolInt(public), code)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: no document type %q (config type CODE NAME DAYS first)", ErrInvalid, code)
		}
		return d.configChanged(ctx, tx, actor, "config.type_public", map[string]any{"type": code, "public": public})
	})
}

// DisableBuzon closes the Buzón. Its codes stay its own: no station may
// take them.
func (d *DB) DisableBuzon(ctx context.Context, actor string) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := d.txExec(ctx, tx, `DELETE FROM settings WHERE key IN (?, ?)`, settingBuzonOffice, settingBuzonStation); err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, actor, "config.buzon", "", map[string]string{"office": "", "station": ""})
	})
}

// buzonCodes reports, within tx, whether office and station are or were
// the Buzón's.
func (d *DB) buzonCodes(ctx context.Context, tx *sql.Tx, office, station string) (bool, error) {
	var n int
	err := d.txScan(ctx, tx, `SELECT (SELECT COUNT(*) FROM sequences WHERE office = ? AND station = ?) +
		(SELECT COUNT(*) FROM settings a JOIN settings b ON a.key = ? AND b.key = ? WHERE a.value = ? AND b.value = ?)`,
		[]any{office, station, settingBuzonOffice, settingBuzonStation, office, station}, &n)
	return n > 0, err
}

// patternIn reads the number pattern as it stands in tx.
func (d *DB) patternIn(ctx context.Context, tx *sql.Tx) (radicado.Pattern, error) {
	var pattern string
	if err := d.txScan(ctx, tx, `SELECT value FROM settings WHERE key = ?`, []any{settingPattern}, &pattern); err != nil {
		return radicado.Pattern{}, err
	}
	return radicado.ParsePattern(pattern)
}

// Submission is what a person hands in at the Buzón.
type Submission struct {
	Name     string
	SenderID string // TYPE:NUMBER, as ident writes it
	Email    string
	Phone    string
	Type     string // a document type's code
	Subject  string
	Message  string
	From     string // the client's address
	// Form is the token of the form it came from: the same form sent
	// again gets the same radicado and code ("": each a new one).
	Form string
	// Lang is the language of the page it was handed in on: its acuse's.
	Lang string
}

// BuzonDoc is a document received for a submission (by ReceiveUpload),
// described.
type BuzonDoc struct {
	Temp string
	wire.File
}

// Receipt is what the sender is given.
type Receipt struct {
	Number     string    `json:"number"`
	Code       string    `json:"code"` // the consultation code, given once
	ReceivedAt time.Time `json:"received_at"`
	Type       string    `json:"type"`
	TypeName   string    `json:"type_name"`
	Due        string    `json:"due,omitempty"`
	Dept       string    `json:"dept,omitempty"`
	DeptName   string    `json:"dept_name,omitempty"`
	Subject    string    `json:"subject"`
	Name       string    `json:"sender_name"`
	Org        string    `json:"organization"`
	Channel    string    `json:"channel"` // ventanilla, email or web
	// Lang is the language the acuse is written in, Template its e-mail
	// in that language and Logo the organisation's (PNG; nil: none).
	Lang     string        `json:"lang"`
	Template AcuseTemplate `json:"-"`
	Logo     []byte        `json:"-"`
}

// style puts the acuse's template in lang and the logo on r.
func (d *DB) style(ctx context.Context, r *Receipt, lang string) error {
	t, logo, err := d.AcuseStyle(ctx, lang)
	if err != nil {
		return err
	}
	r.Template, r.Logo, r.Lang = t, logo, lang
	if _, ok := DefaultAcuse[lang]; !ok {
		r.Lang = AcuseLanguages[0]
	}
	return nil
}

// FieldError is a submission's field that is not right (an ErrInvalid):
// Field names it for the form to say so in its language.
type FieldError struct {
	Field, Msg string
}

func (e *FieldError) Error() string { return ErrInvalid.Error() + ": " + e.Field + ": " + e.Msg }
func (e *FieldError) Unwrap() error { return ErrInvalid }

// Check validates a submission's fields, cleaning what can be cleaned.
func (s *Submission) Check(types []wire.DocType) error {
	bad := func(field, format string, a ...any) error {
		return &FieldError{Field: field, Msg: fmt.Sprintf(format, a...)}
	}
	var err error
	if s.Name, err = radicado.CleanText("name", s.Name, radicado.MaxSenderName); err != nil || s.Name == "" {
		return bad("name", "1 to %d characters of plain text", radicado.MaxSenderName)
	}
	if s.Subject, err = radicado.CleanText("subject", s.Subject, radicado.MaxSubject); err != nil || s.Subject == "" {
		return bad("subject", "1 to %d characters of plain text", radicado.MaxSubject)
	}
	msg := strings.ReplaceAll(s.Message, "\r\n", "\n")
	if len([]rune(msg)) > MaxBuzonMessage {
		return bad("message", "at most %d characters", MaxBuzonMessage)
	}
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		l, err := radicado.CleanText("message", l, MaxBuzonMessage)
		if err != nil {
			return bad("message", "%v", err)
		}
		lines = append(lines, l)
	}
	s.Message = strings.TrimSpace(strings.Join(lines, "\n"))
	if s.SenderID != "" {
		id, err := ident.Parse(s.SenderID)
		if err != nil {
			return bad("id", "%v", err)
		}
		s.SenderID = id.String()
	}
	s.Email = strings.TrimSpace(s.Email)
	if s.Email != "" {
		if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email || len(s.Email) > 254 {
			return bad("email", "%q is not an address", s.Email)
		}
	}
	s.Phone = strings.TrimSpace(s.Phone)
	if len(s.Phone) > 20 || strings.Trim(s.Phone, "+0123456789 ()-") != "" {
		return bad("phone", "digits, spaces, + ( ) -, at most 20")
	}
	if _, ok := typeByCode(types, s.Type); ok {
		return nil
	}
	return bad("type", "%q is not a type", s.Type)
}

// BuzonTypes are the document types a person may choose at the Buzón: the
// organisation's that are public, or the default ones.
func (d *DB) BuzonTypes(ctx context.Context) ([]wire.DocType, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT code, name, days, public FROM doc_types ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []wire.DocType
	configured := false
	for rows.Next() {
		var t wire.DocType
		var public int
		if err := rows.Scan(&t.Code, &t.Name, &t.Days, &public); err != nil {
			return nil, err
		}
		configured = true
		if public == 1 {
			out = append(out, t)
		}
	}
	if err := rows.Err(); err != nil || configured {
		return out, err
	}
	for _, t := range radicado.DefaultTypes() {
		out = append(out, wire.DocType{Code: t.Code, Name: t.Name, Days: t.Days})
	}
	return out, nil
}

// typeByCode finds a document type by its code.
func typeByCode(types []wire.DocType, code string) (wire.DocType, bool) {
	for _, t := range types {
		if t.Code == code {
			return t, true
		}
	}
	return wire.DocType{}, false
}

// Submit numbers a submission with its documents (the first the
// communication itself, as the form rendered it): placed in the file
// store, then recorded with the next consecutive of the Buzón in one
// transaction.
// When the sender gave an e-mail address, acuse makes the e-mail of the
// acuse (nil: none), queued with the radicado in its transaction.
func (d *DB) Submit(ctx context.Context, s Submission, docs []BuzonDoc, acuse func(Receipt, wire.Radicado) (AcuseMail, error)) (Receipt, error) {
	p, err := d.BuzonStation(ctx)
	if err != nil {
		return Receipt{}, err
	}
	types, err := d.BuzonTypes(ctx)
	if err != nil {
		return Receipt{}, err
	}
	if err := s.Check(types); err != nil {
		return Receipt{}, err
	}
	if len(docs) == 0 || len(docs) > MaxBuzonFiles+1 {
		return Receipt{}, fmt.Errorf("%w: documents: 1 to %d", ErrInvalid, MaxBuzonFiles+1)
	}
	cfg, err := d.OrgConfig(ctx)
	if err != nil {
		return Receipt{}, err
	}
	cal, loc, err := d.Calendar(ctx)
	if err != nil {
		return Receipt{}, err
	}
	var temps, sums []string
	var files []wire.File
	pages := 0
	for _, doc := range docs {
		temps, sums, files = append(temps, doc.Temp), append(sums, doc.SHA256), append(files, doc.File)
		pages += doc.Pages
	}
	if err := d.PlaceDocuments(temps, sums); err != nil {
		return Receipt{}, err
	}
	ty, _ := typeByCode(types, s.Type)
	now := d.now().In(loc)
	rec := Receipt{ReceivedAt: now, Type: ty.Code, TypeName: ty.Name, Dept: cfg.Routes[ty.Code], Subject: s.Subject, Name: s.Name, Org: cfg.Organization,
		Channel: ChannelWeb}
	if err := d.style(ctx, &rec, s.Lang); err != nil {
		return Receipt{}, err
	}
	rec.DeptName = cfg.Depts[rec.Dept]
	if rec.DeptName == "" {
		rec.Dept = "" // a route to a department that is no more: it waits to be routed
	}
	if due, err := cal.Due(now, ty.Days); err != nil {
		return Receipt{}, err
	} else if !due.IsZero() {
		rec.Due = due.String()
	}
	rec.Code = consultationCode()
	formHash := ""
	if s.Form != "" {
		secret, err := d.buzonSecret(ctx)
		if err != nil {
			return Receipt{}, err
		}
		rec.Code = derivedCode(secret, s.Form)
		h := sha256.Sum256([]byte(s.Form))
		formHash = hex.EncodeToString(h[:])
	}
	codeHash := sha256.Sum256([]byte(rec.Code))
	again := ""
	err = d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		pat, err := d.patternIn(ctx, tx)
		if err != nil {
			return err
		}
		// The next consecutive, taken under the row's lock.
		year, kind := now.Year(), int(radicado.Entrada)
		if _, err := d.txExec(ctx, tx, `INSERT INTO sequences (year, office, station, kind, last) VALUES (?, ?, ?, ?, 0) ON CONFLICT DO NOTHING`,
			year, p.Office, p.Station, kind); err != nil {
			return err
		}
		lock := ""
		if d.postgres {
			lock = " FOR UPDATE"
		}
		var last int
		if err := d.txScan(ctx, tx, `SELECT last FROM sequences WHERE year = ? AND office = ? AND station = ? AND kind = ?`+lock,
			[]any{year, p.Office, p.Station, kind}, &last); err != nil {
			return err
		}
		// The same form again (under the lock, so a double click waits
		// for the first): its radicado, not a new one.
		if formHash != "" {
			err := d.txScan(ctx, tx, `SELECT number FROM buzon WHERE form_hash = ?`, []any{formHash}, &again)
			if err == nil {
				return nil
			}
			if err != sql.ErrNoRows {
				return err
			}
		}
		seq := last + 1
		if seq > pat.MaxSeq() {
			return fmt.Errorf("%w: the Buzón has used every number of %d", ErrConflict, year)
		}
		if _, err := d.txExec(ctx, tx, `UPDATE sequences SET last = ? WHERE year = ? AND office = ? AND station = ? AND kind = ?`,
			seq, year, p.Office, p.Station, kind); err != nil {
			return err
		}
		number, err := pat.Format(radicado.Parts{Year: year, Office: p.Office, Station: p.Station, Seq: seq, Kind: radicado.Entrada})
		if err != nil {
			return err
		}
		rec.Number = number
		// (the time of receipt with the organisation's offset, as stations
		// send it: its year is the number's, and its day the local one)
		r := wire.Radicado{Number: number, Year: year, Office: p.Office, Station: p.Station, Kind: kind, Seq: seq, ReceivedAt: now,
			Type: ty.Code, SenderName: s.Name, SenderID: s.SenderID, Subject: s.Subject, Dept: rec.Dept, Due: rec.Due, Pages: pages, Files: files}
		r.SHA256 = radicado.DocumentHash(files)
		// Its audit event, chained to the Buzón's last.
		prev, id := strings.Repeat("0", 64), int64(1)
		var lastHash string
		var lastID int64
		err = d.txScan(ctx, tx, `SELECT hash, id FROM events WHERE office = ? AND station = ? ORDER BY id DESC LIMIT 1`, []any{p.Office, p.Station}, &lastHash, &lastID)
		switch {
		case err == nil:
			prev, id = lastHash, lastID+1
		case err != sql.ErrNoRows:
			return err
		}
		data, _ := json.Marshal(map[string]string{"number": number, "channel": ChannelWeb})
		e := wire.Event{ID: id, At: now.UTC(), Actor: "buzon", Action: "radicar", Number: number, Data: data, Prev: prev}
		e.Hash = wire.EventHash(e.Prev, e.ID, e.At, e.Actor, e.Action, e.Number, e.Data)
		push := wire.Push{Radicado: r, Events: []wire.Event{e}}
		if err := push.Check(pat); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
		for _, sum := range sums {
			if _, err := d.txExec(ctx, tx, `INSERT INTO file_holders (sha256, office, station, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				sum, p.Office, p.Station, d.stamp()); err != nil {
				return err
			}
		}
		in := d.prepare(push, sums)
		in.buzon = true
		res, err := d.put(ctx, tx, p, in)
		if err != nil {
			return err
		}
		if res.Status != wire.Created {
			return fmt.Errorf("%w: number %s is taken (%s)", ErrConflict, number, res.Status)
		}
		if _, err := d.txExec(ctx, tx, `UPDATE work SET channel = ? WHERE number = ?`, ChannelWeb, number); err != nil {
			return err
		}
		if _, err := d.txExec(ctx, tx, `INSERT INTO buzon (number, code_hash, email, phone, from_addr, created_at, form_hash) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			number, hex.EncodeToString(codeHash[:]), s.Email, s.Phone, s.From, d.stamp(), formHash); err != nil {
			return err
		}
		if s.Email != "" && acuse != nil {
			m, err := acuse(rec, r)
			if err != nil {
				return err
			}
			if err := d.queueAcuse(ctx, tx, number, s.Email, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Receipt{}, err
	}
	if again != "" {
		r, _, err := d.BuzonReceipt(ctx, again, rec.Code)
		return r, err
	}
	return rec, nil
}

// settingBuzonSecret keys the codes derived from forms.
const settingBuzonSecret = "buzon.secret"

// buzonSecret gives the Buzón's secret, made the first time.
func (d *DB) buzonSecret(ctx context.Context) ([]byte, error) {
	var v string
	err := d.readScan(ctx, `SELECT value FROM settings WHERE key = ?`, []any{settingBuzonSecret}, &v)
	if err == sql.ErrNoRows {
		b := make([]byte, 32)
		rand.Read(b)
		if err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			_, err := d.txExec(ctx, tx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`, settingBuzonSecret, hex.EncodeToString(b))
			return err
		}); err != nil {
			return nil, err
		}
		err = d.readScan(ctx, `SELECT value FROM settings WHERE key = ?`, []any{settingBuzonSecret}, &v)
	}
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

// derivedCode gives the consultation code of a form: the same for the same
// form, unguessable without the secret.
func derivedCode(secret []byte, form string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(form))
	sum := m.Sum(nil)
	b := make([]byte, 10)
	for i := range b {
		b[i] = codeAlphabet[int(sum[i])%len(codeAlphabet)]
	}
	return string(b)
}

// codeAlphabet leaves out letters and digits read one for another.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// consultationCode gives a random code of 10 characters (50 bits).
func consultationCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// BuzonState is what anyone with a radicado's number and code may know of
// it: where it stands, not who sent it.
type BuzonState struct {
	Number     string    `json:"number"`
	ReceivedAt time.Time `json:"received_at"`
	State      string    `json:"state"` // recibido, en_tramite, respondido, trasladado, archivado
	Dept       string    `json:"dept,omitempty"`
	DeptName   string    `json:"dept_name,omitempty"`
	Due        string    `json:"due,omitempty"`
	AnsweredAt string    `json:"answered_at,omitempty"`
}

// Public states of a radicado.
const (
	PublicReceived    = "recibido"
	PublicWorking     = "en_tramite"
	PublicAnswered    = "respondido"
	PublicTransferred = "trasladado"
	PublicArchived    = "archivado"
)

// BuzonStatus gives the state of a radicado of the Buzón to whoever has
// its code; ErrNotFound alike for a number that is not and a wrong code.
func (d *DB) BuzonStatus(ctx context.Context, number, code string) (BuzonState, error) {
	if len(number) > 40 || len(code) > 40 {
		return BuzonState{}, ErrNotFound
	}
	var hash, received, state, dept, due, answered string
	err := d.readScan(ctx, `SELECT b.code_hash, w.received_at, w.state, w.dept, w.due, w.answered_at FROM buzon b JOIN work w ON w.number = b.number
		WHERE b.number = ?`, []any{number}, &hash, &received, &state, &dept, &due, &answered)
	given := sha256.Sum256([]byte(strings.ToUpper(strings.TrimSpace(code))))
	if err == sql.ErrNoRows {
		hash = strings.Repeat("0", 64) // compared alike
	} else if err != nil {
		return BuzonState{}, err
	}
	want, _ := hex.DecodeString(hash)
	if subtle.ConstantTimeCompare(want, given[:]) != 1 || err == sql.ErrNoRows {
		return BuzonState{}, ErrNotFound
	}
	st := BuzonState{Number: number, Dept: dept, Due: due}
	st.ReceivedAt, _ = time.Parse(time.RFC3339Nano, received)
	switch state {
	case StateNew, StateReturned:
		st.State = PublicReceived
	case StateAssigned, StateWorking:
		st.State = PublicWorking
	case StateAnswered:
		st.State, st.AnsweredAt = PublicAnswered, answered
	case StateTransferred:
		st.State, st.AnsweredAt = PublicTransferred, answered
	case StateArchived:
		st.State, st.AnsweredAt = PublicArchived, answered
	default:
		return BuzonState{}, ErrNotFound // annulled: nothing to follow
	}
	if dept != "" {
		cfg, err := d.OrgConfig(ctx)
		if err != nil {
			return BuzonState{}, err
		}
		st.DeptName = cfg.Depts[dept]
	}
	return st, nil
}

// ReceiveUpload writes a document of unknown size and sum, read from r up
// to max bytes, to a temporary file of the file store, flushed, and gives
// its path, SHA-256 and size; more than max is ErrTooBig.
func (d *DB) ReceiveUpload(r io.Reader, max int64) (string, string, int64, error) {
	tmp, err := d.files.store.TempFile("upload", "part-*")
	if err != nil {
		return "", "", 0, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if err != nil {
		return "", "", 0, fmt.Errorf("documents: %w", err)
	}
	if n > max {
		return "", "", 0, fmt.Errorf("%w: a document over %d bytes", ErrTooLarge, max)
	}
	if err := tmp.Sync(); err != nil {
		return "", "", 0, err
	}
	if err := tmp.Close(); err != nil {
		return "", "", 0, err
	}
	ok = true
	return tmp.Name(), hex.EncodeToString(h.Sum(nil)), n, nil
}

// BuzonReceipt gives again the receipt of a radicado of the Buzón, and the
// radicado, to whoever has its code; ErrNotFound as BuzonStatus.
func (d *DB) BuzonReceipt(ctx context.Context, number, code string) (Receipt, wire.Held, error) {
	if _, err := d.BuzonStatus(ctx, number, code); err != nil {
		return Receipt{}, wire.Held{}, err
	}
	h, err := d.Get(ctx, number)
	if err != nil {
		return Receipt{}, wire.Held{}, err
	}
	cfg, err := d.OrgConfig(ctx)
	if err != nil {
		return Receipt{}, wire.Held{}, err
	}
	_, loc, err := d.Calendar(ctx)
	if err != nil {
		return Receipt{}, wire.Held{}, err
	}
	types, err := d.BuzonTypes(ctx)
	if err != nil {
		return Receipt{}, wire.Held{}, err
	}
	r := Receipt{Number: h.Number, Code: strings.ToUpper(strings.TrimSpace(code)), ReceivedAt: h.ReceivedAt.In(loc), Type: h.Type, Due: h.Due,
		Dept: h.Dept, DeptName: cfg.Depts[h.Dept], Subject: h.Subject, Name: h.SenderName, Org: cfg.Organization, Channel: channelOf(h.Radicado)}
	if err := d.readScan(ctx, `SELECT channel FROM work WHERE number = ?`, []any{number}, &r.Channel); err != nil {
		return Receipt{}, wire.Held{}, err
	}
	if err := d.style(ctx, &r, ""); err != nil {
		return Receipt{}, wire.Held{}, err
	}
	if t, ok := typeByCode(types, h.Type); ok {
		r.TypeName = t.Name
	}
	return r, h, nil
}

// VerifyBuzon checks what the Buzón numbered, under each office and
// station it has numbered as: every consecutive from 1 to its last is
// there, once, and nothing past it; its audit events chain from the first
// with their hashes right, one radicación for each radicado. It gives how
// many radicados it read and what does not hold.
func (d *DB) VerifyBuzon(ctx context.Context) (int, []string, error) {
	type series struct {
		year, kind      int
		office, station string
		last            int
	}
	var all []series
	rows, err := d.db.QueryContext(ctx, `SELECT year, kind, office, station, last FROM sequences ORDER BY office, station, year, kind`)
	if err != nil {
		return 0, nil, err
	}
	for rows.Next() {
		var s series
		if err := rows.Scan(&s.year, &s.kind, &s.office, &s.station, &s.last); err != nil {
			rows.Close()
			return 0, nil, err
		}
		all = append(all, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	var problems []string
	read := 0
	numbered := map[[2]string]map[string]bool{} // by codes: the numbers held
	for _, s := range all {
		codes := [2]string{s.office, s.station}
		if numbered[codes] == nil {
			numbered[codes] = map[string]bool{}
		}
		rows, err := d.db.QueryContext(ctx, d.q(`SELECT number, seq FROM radicados WHERE office = ? AND station = ? AND year = ? AND kind = ? ORDER BY seq`),
			s.office, s.station, s.year, s.kind)
		if err != nil {
			return read, nil, err
		}
		next := 1
		for rows.Next() {
			var number string
			var seq int
			if err := rows.Scan(&number, &seq); err != nil {
				rows.Close()
				return read, nil, err
			}
			read++
			numbered[codes][number] = true
			for ; next < seq && next <= s.last; next++ {
				problems = append(problems, fmt.Sprintf("%s-%s %d kind %d: consecutive %d is missing", s.office, s.station, s.year, s.kind, next))
			}
			if seq > s.last {
				problems = append(problems, fmt.Sprintf("%s: past the last consecutive given (%d)", number, s.last))
			}
			next = seq + 1
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return read, nil, err
		}
		for ; next <= s.last; next++ {
			problems = append(problems, fmt.Sprintf("%s-%s %d kind %d: consecutive %d is missing", s.office, s.station, s.year, s.kind, next))
		}
	}
	for codes, numbers := range numbered {
		rows, err := d.db.QueryContext(ctx, d.q(`SELECT id, at, actor, action, number, data, prev, hash FROM events WHERE office = ? AND station = ? ORDER BY id`),
			codes[0], codes[1])
		if err != nil {
			return read, nil, err
		}
		prev, want := strings.Repeat("0", 64), int64(1)
		radicated := map[string]int{}
		for rows.Next() {
			var e wire.Event
			var at, data string
			if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Number, &data, &e.Prev, &e.Hash); err != nil {
				rows.Close()
				return read, nil, err
			}
			e.At, _ = time.Parse(time.RFC3339Nano, at)
			switch {
			case e.ID != want:
				problems = append(problems, fmt.Sprintf("%s-%s event %d: expected event %d", codes[0], codes[1], e.ID, want))
			case e.Prev != prev:
				problems = append(problems, fmt.Sprintf("%s-%s event %d: not chained to the event before", codes[0], codes[1], e.ID))
			case wire.EventHash(e.Prev, e.ID, e.At, e.Actor, e.Action, e.Number, []byte(data)) != e.Hash:
				problems = append(problems, fmt.Sprintf("%s-%s event %d: its content does not match its hash", codes[0], codes[1], e.ID))
			}
			if e.Action == "radicar" {
				radicated[e.Number]++
			}
			prev, want = e.Hash, e.ID+1
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return read, nil, err
		}
		for number := range numbers {
			if radicated[number] != 1 {
				problems = append(problems, fmt.Sprintf("%s: %d radicación events, not one", number, radicated[number]))
			}
		}
	}
	slices.Sort(problems)
	return read, problems, nil
}
