package central

import "context"

// Who sees what. Every handler asks here, and only here: a station token
// sees its own office and station's radicados, the documents it uploaded
// and its own uploads under way; an administrator sees all. Whatever a
// principal may not see is answered as if it did not exist (404), so a
// token cannot probe for others' radicados or documents.

// Principal is who a request comes from.
type Principal struct {
	Office, Station string
	Admin           bool
}

// Scope is what a principal may see of the radicados.
type Scope struct {
	All             bool   // every radicado: administrators
	Office, Station string // else one station's
}

// Scope gives what p may see.
func (p Principal) Scope() Scope {
	if p.Admin {
		return Scope{All: true}
	}
	return Scope{Office: p.Office, Station: p.Station}
}

// Sees reports whether the scope covers a radicado of office and station.
func (s Scope) Sees(office, station string) bool {
	return s.All || (s.Office == office && s.Station == station)
}

// Narrow restricts a list filter to the scope: a station's filter always
// names the station itself, whatever the request asked for.
func (s Scope) Narrow(f Filter) Filter {
	if !s.All {
		f.Office, f.Station = s.Office, s.Station
	}
	return f
}

// CanRead reports whether p may read the file with hash sum: an
// administrator any file the server holds, a station the files it uploaded
// whole itself.
func (d *DB) CanRead(ctx context.Context, p Principal, sum string) (bool, error) {
	if _, ok := d.files.whole(sum); !ok {
		return false, nil
	}
	if p.Admin {
		return true, nil
	}
	var n int
	err := d.readScan(ctx, `SELECT COUNT(*) FROM file_holders WHERE sha256 = ? AND office = ? AND station = ?`,
		[]any{sum, p.Office, p.Station}, &n)
	return n > 0, err
}

// Holder is a station that holds a document: it uploaded it whole, or it
// came with one of its radicados.
type Holder struct {
	SHA256, Office, Station string
}

// Holders lists who holds the document with hash sum ("" for every
// document), by document, office and station.
func (d *DB) Holders(ctx context.Context, sum string) ([]Holder, error) {
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT sha256, office, station FROM file_holders WHERE ? = '' OR sha256 = ? ORDER BY 1, 2, 3`), sum, sum)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Holder
	for rows.Next() {
		var h Holder
		if err := rows.Scan(&h.SHA256, &h.Office, &h.Station); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}
