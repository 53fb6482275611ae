// Package document inspects the files a radicado's document is made of: which
// format each is (JPEG, PNG, TIFF, PDF), how many pages it holds, and that it
// reads to the end, so that a damaged file is refused before it gets a number.
package document

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // registers the JPEG decoder
	_ "image/png"  // registers the PNG decoder
	"io"
	"mime"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"golang.org/x/image/tiff"
)

func init() {
	// pdfcpu would otherwise write a configuration folder in the user's home.
	api.DisableConfigDir()
}

// The media types a document may be made of.
const (
	JPEG = "image/jpeg"
	PNG  = "image/png"
	TIFF = "image/tiff"
	PDF  = "application/pdf"
)

// Info describes one file.
type Info struct {
	MediaType string
	Pages     int
	Size      int64
}

// Limits on a page, so that a forged header cannot make the station
// allocate gigabytes (a decompression bomb).
const (
	MaxSide   = 30000       // pixels on either side
	MaxPixels = 150_000_000 // pixels in all: A3 at 600 dpi is 70 million
)

// CheckSize refuses pages too large to decode safely.
func CheckSize(w, h int) error {
	if w <= 0 || h <= 0 {
		return errors.New("the image has no pixels")
	}
	if w > MaxSide || h > MaxSide || w*h > MaxPixels {
		return fmt.Errorf("the image is %d×%d pixels, more than a scanned page can be (at most %d per side, %d million in all)", w, h, MaxSide, MaxPixels/1_000_000)
	}
	return nil
}

// ErrUnreadable is wrapped by every error about a file's content.
var ErrUnreadable = errors.New("cannot be used as a document")

// Sniff tells the media type from a file's first bytes, or "" when it is
// none of the accepted formats.
func Sniff(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return JPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return PNG
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return TIFF
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return PDF
	}
	return ""
}

// Annex is the media type of a file kept with a document but not part of
// it, when its name tells nothing better.
const Annex = "application/octet-stream"

var mediaTypeRE = regexp.MustCompile(`^[a-z]{1,20}/[a-z0-9][a-z0-9.+-]{0,79}$`)

// TypeByName gives the media type a file's extension says (without
// parameters), or Annex.
func TypeByName(name string) string {
	t, _, err := mime.ParseMediaType(mime.TypeByExtension(strings.ToLower(filepath.Ext(name))))
	if err != nil || !mediaTypeRE.MatchString(t) {
		return Annex
	}
	return t
}

// Readable reports whether a file of mediaType is a document's pages (read
// by OCR, shown), not a file only kept.
func Readable(mediaType string) bool {
	switch mediaType {
	case JPEG, PNG, TIFF, PDF:
		return true
	}
	return false
}

// Inspect reads the file at path to the end and describes it.
func Inspect(path string) (_ Info, err error) {
	defer recoverPDF(path, &err)
	f, err := os.Open(path)
	if err != nil {
		return Info{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	if !st.Mode().IsRegular() {
		return Info{}, fmt.Errorf("%s: %w: not a regular file", path, ErrUnreadable)
	}
	if st.Size() == 0 {
		return Info{}, fmt.Errorf("%s: %w: the file is empty", path, ErrUnreadable)
	}
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return Info{}, fmt.Errorf("%s: %w", path, err)
	}
	info := Info{MediaType: Sniff(head[:n]), Size: st.Size()}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return Info{}, err
	}
	switch info.MediaType {
	case JPEG:
		info.Pages = 1
		err = checkJPEG(f)
	case PNG:
		info.Pages = 1
		err = checkPNG(f)
	case TIFF:
		info.Pages, err = tiffPages(f)
		var cfg image.Config
		if err == nil {
			_, err = f.Seek(0, io.SeekStart)
		}
		if err == nil {
			cfg, err = tiff.DecodeConfig(f)
		}
		if err == nil {
			err = CheckSize(cfg.Width, cfg.Height)
		}
		if err == nil {
			_, err = f.Seek(0, io.SeekStart)
		}
		if err == nil {
			_, err = tiff.Decode(f)
		}
	case PDF:
		if err = pdfComplete(f, st.Size()); err != nil {
			break
		}
		pdfGate <- struct{}{}
		info.Pages, err = api.PageCount(f, pdfConf())
		<-pdfGate
		if err == nil && info.Pages == 0 {
			err = errors.New("it has no pages")
		}
	default:
		return Info{}, fmt.Errorf("%s: %w: it is not a JPEG, PNG, TIFF or PDF file", path, ErrUnreadable)
	}
	if err != nil {
		return Info{}, fmt.Errorf("%s: %w: damaged %s (%v)", path, ErrUnreadable, info.MediaType, err)
	}
	return info, nil
}

// pdfComplete checks that a PDF ends with its end-of-file marker, which a
// file cut short (a copy still running, a transfer that broke) lacks.
func pdfComplete(f io.ReadSeeker, size int64) error {
	tail := min(size, 1024)
	buf := make([]byte, tail)
	if _, err := f.Seek(-tail, io.SeekEnd); err != nil {
		return err
	}
	if _, err := io.ReadFull(f, buf); err != nil {
		return err
	}
	if !bytes.Contains(buf, []byte("%%EOF")) {
		return errors.New("it is cut short: its end-of-file marker is missing")
	}
	_, err := f.Seek(0, io.SeekStart)
	return err
}

// maxTIFFPages bounds the walk through a TIFF's directories, which a damaged
// file could make circular.
const maxTIFFPages = 10000

// tiffPages counts the image directories (pages) of a TIFF file.
func tiffPages(r io.ReadSeeker) (int, error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, err
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if hdr[0] == 'M' {
		bo = binary.BigEndian
	}
	off := int64(bo.Uint32(hdr[4:]))
	seen := make(map[int64]bool)
	pages := 0
	for off != 0 {
		if seen[off] || pages >= maxTIFFPages {
			return 0, errors.New("its page directories loop")
		}
		seen[off] = true
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			return 0, err
		}
		var cnt [2]byte
		if _, err := io.ReadFull(r, cnt[:]); err != nil {
			return 0, fmt.Errorf("page directory %d: %w", pages+1, err)
		}
		// Each page's size is checked, not only the first's: a later page
		// must not be a decompression bomb either.
		entries := make([]byte, int(bo.Uint16(cnt[:]))*12)
		if _, err := io.ReadFull(r, entries); err != nil {
			return 0, fmt.Errorf("page directory %d: %w", pages+1, err)
		}
		var width, height int
		for e := entries; len(e) >= 12; e = e[12:] {
			var v int
			switch bo.Uint16(e[2:]) {
			case 3: // SHORT
				v = int(bo.Uint16(e[8:]))
			case 4: // LONG
				v = int(bo.Uint32(e[8:]))
			}
			switch bo.Uint16(e[0:]) {
			case 256:
				width = v
			case 257:
				height = v
			}
		}
		if err := CheckSize(width, height); err != nil {
			return 0, fmt.Errorf("page %d: %w", pages+1, err)
		}
		var next [4]byte
		if _, err := io.ReadFull(r, next[:]); err != nil {
			return 0, fmt.Errorf("page directory %d: %w", pages+1, err)
		}
		pages++
		off = int64(bo.Uint32(next[:]))
	}
	if pages == 0 {
		return 0, errors.New("it has no pages")
	}
	return pages, nil
}

// Resolution gives the resolution in dpi a JPEG (JFIF), PNG (pHYs) or TIFF
// file declares, or 0 when it declares none.
func Resolution(path string) int {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch Sniff(head) {
	case JPEG:
		i := bytes.Index(head, []byte("JFIF\x00"))
		if i < 0 || i+12 > len(head) {
			return 0
		}
		units, x := head[i+7], int(binary.BigEndian.Uint16(head[i+8:]))
		switch units {
		case 1:
			return x
		case 2:
			return int(float64(x)*2.54 + 0.5)
		}
	case PNG:
		i := bytes.Index(head, []byte("pHYs"))
		if i < 0 || i+13 > len(head) || head[i+12] != 1 {
			return 0
		}
		return int(float64(binary.BigEndian.Uint32(head[i+4:]))*0.0254 + 0.5)
	}
	return 0
}
