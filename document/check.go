package document

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"io"
)

// The image checks walk a file's structure to its end instead of decoding
// its pixels: a cut or garbled file is refused in about a millisecond, where
// decoding a 300 dpi page takes some forty.

// checkPNG verifies every chunk's CRC, which covers the compressed pixels,
// and that the file runs from IHDR through IDAT to IEND.
func checkPNG(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	sig := make([]byte, 8)
	if _, err := io.ReadFull(br, sig); err != nil || !bytes.Equal(sig, []byte("\x89PNG\r\n\x1a\n")) {
		return errors.New("no PNG signature")
	}
	var hdr [8]byte
	sawIDAT := false
	for n := 0; ; n++ {
		if _, err := io.ReadFull(br, hdr[:]); err != nil {
			return errors.New("cut short before its end chunk")
		}
		length := binary.BigEndian.Uint32(hdr[:4])
		typ := string(hdr[4:])
		if length > 1<<31 {
			return fmt.Errorf("chunk %q has an impossible length", typ)
		}
		if n == 0 && (typ != "IHDR" || length != 13) {
			return errors.New("it does not start with a header chunk")
		}
		crc := crc32.NewIEEE()
		crc.Write(hdr[4:])
		var head bytes.Buffer // the first bytes of the chunk, for the header's size
		if _, err := io.CopyN(io.MultiWriter(crc, &limitedBuffer{&head, 16}), br, int64(length)); err != nil {
			return fmt.Errorf("chunk %q is cut short", typ)
		}
		var sum [4]byte
		if _, err := io.ReadFull(br, sum[:]); err != nil {
			return fmt.Errorf("chunk %q is cut short", typ)
		}
		if binary.BigEndian.Uint32(sum[:]) != crc.Sum32() {
			return fmt.Errorf("chunk %q is damaged (checksum mismatch)", typ)
		}
		switch typ {
		case "IHDR":
			b := head.Bytes()
			if err := CheckSize(int(binary.BigEndian.Uint32(b[0:])), int(binary.BigEndian.Uint32(b[4:]))); err != nil {
				return err
			}
		case "IDAT":
			sawIDAT = true
		case "IEND":
			if !sawIDAT {
				return errors.New("it has no image data")
			}
			return nil
		}
	}
}

// limitedBuffer keeps the first n bytes written to it and drops the rest.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// maxScans bounds the scans of a JPEG. A progressive one has about ten
// (six in grey); each scan more is decoded again over the whole image, so
// that a small file of repeated scans costs minutes to decode.
const maxScans = 40

// checkJPEG walks the markers from SOI to EOI, through the entropy-coded
// data of every scan, and checks the frame header.
func checkJPEG(r io.ReadSeeker) error {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil {
		return err
	}
	if err := CheckSize(cfg.Width, cfg.Height); err != nil {
		return err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return err
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var soi [2]byte
	if _, err := io.ReadFull(br, soi[:]); err != nil || soi != [2]byte{0xff, 0xd8} {
		return errors.New("no JPEG start marker")
	}
	sawScan, scans := false, 0
	atMarker := false // the 0xff of the next marker has been read already
	for {
		if !atMarker {
			b, err := br.ReadByte()
			if err != nil {
				return errors.New("cut short before its end marker")
			}
			if b != 0xff {
				return fmt.Errorf("garbage (%#x) where a marker belongs", b)
			}
		}
		atMarker = false
		m, err := br.ReadByte()
		for err == nil && m == 0xff { // fill bytes
			m, err = br.ReadByte()
		}
		if err != nil {
			return errors.New("cut short before its end marker")
		}
		switch {
		case m == 0xd9: // EOI
			if !sawScan {
				return errors.New("it has no image data")
			}
			return nil
		case m == 0x01 || (m >= 0xd0 && m <= 0xd7): // markers without a length
			continue
		}
		var l [2]byte
		if _, err := io.ReadFull(br, l[:]); err != nil {
			return errors.New("cut short in a segment header")
		}
		n := int64(binary.BigEndian.Uint16(l[:])) - 2
		if n < 0 {
			return fmt.Errorf("segment %#x has an impossible length", m)
		}
		if _, err := br.Discard(int(n)); err != nil {
			return fmt.Errorf("segment %#x is cut short", m)
		}
		if m != 0xda { // not a start of scan
			continue
		}
		sawScan = true
		if scans++; scans > maxScans {
			return fmt.Errorf("it has more than %d scans", maxScans)
		}
		// Entropy-coded data runs to the next marker that is neither a
		// stuffed zero nor a restart marker.
		for {
			c, err := br.ReadByte()
			if err != nil {
				return errors.New("cut short inside the image data")
			}
			if c != 0xff {
				continue
			}
			next, err := br.Peek(1)
			if err != nil {
				return errors.New("cut short inside the image data")
			}
			if next[0] == 0x00 || (next[0] >= 0xd0 && next[0] <= 0xd7) {
				br.ReadByte()
				continue
			}
			atMarker = true
			break
		}
	}
}
