package central

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// TestCopyWhole: copyWhole writes every byte read, in pieces of at most
// 64 KiB, and returns the reader's own error after what came before it.
func TestCopyWhole(t *testing.T) {
	data := make([]byte, 200<<10+123) // three whole pieces and a part
	for i := range data {
		data[i] = byte(i * 7)
	}
	broke := errors.New("the body broke off")
	for _, tc := range []struct {
		name    string
		r       io.Reader
		want    int // bytes written
		wantErr error
	}{
		{"whole", bytes.NewReader(data), len(data), nil},
		{"a byte at a time", iotest.OneByteReader(bytes.NewReader(data)), len(data), nil},
		{"the last data with EOF", iotest.DataErrReader(bytes.NewReader(data)), len(data), nil},
		{"broken after a piece and a half", io.MultiReader(bytes.NewReader(data[:96<<10]), iotest.ErrReader(broke)), 96 << 10, broke},
		{"an unexpected EOF of the reader's own", io.MultiReader(bytes.NewReader(data[:10]), iotest.ErrReader(io.ErrUnexpectedEOF)), 10, io.ErrUnexpectedEOF},
		{"a timeout after the first read", iotest.TimeoutReader(bytes.NewReader(data)), 64 << 10, iotest.ErrTimeout},
		{"nothing", bytes.NewReader(nil), 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w pieceWriter
			n, err := copyWhole(&w, tc.r)
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if n != int64(tc.want) || !bytes.Equal(w.buf.Bytes(), data[:tc.want]) {
				t.Errorf("%d bytes copied (%d written), want the first %d", n, w.buf.Len(), tc.want)
			}
			for i, p := range w.pieces {
				if p > 64<<10 || (p < 64<<10 && i < len(w.pieces)-1) {
					t.Errorf("pieces written %v: each of 64 KiB but the last", w.pieces)
					break
				}
			}
		})
	}
}

// pieceWriter keeps what is written and the size of each write.
type pieceWriter struct {
	buf    bytes.Buffer
	pieces []int
}

func (w *pieceWriter) Write(p []byte) (int, error) {
	w.pieces = append(w.pieces, len(p))
	return w.buf.Write(p)
}
