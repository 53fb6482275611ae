// Package csvsafe writes CSV that a spreadsheet opens as data, never as
// formulas: a cell that begins with =, +, -, @, a tab or a carriage return
// gets a leading apostrophe (OWASP's rule against CSV injection). Every CSV
// the project writes goes through it.
package csvsafe

import (
	"encoding/csv"
	"io"
)

// Cell gives s as it is safe to write in a cell.
func Cell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// Writer is a csv.Writer whose every cell passes through Cell.
type Writer struct {
	w   *csv.Writer
	row []string
}

// NewWriter writes CSV to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: csv.NewWriter(w)} }

// Write writes one record.
func (w *Writer) Write(record []string) error {
	w.row = w.row[:0]
	for _, c := range record {
		w.row = append(w.row, Cell(c))
	}
	return w.w.Write(w.row)
}

// Flush writes what is buffered and gives the first error met.
func (w *Writer) Flush() error {
	w.w.Flush()
	return w.w.Error()
}
