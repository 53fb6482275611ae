package scan

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"os"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string]PageSize{"carta": Carta, "OFICIO": Oficio, "210x297mm": {Name: "210x297mm", Width: 210, Height: 297}} {
		if got, err := ParsePageSize(in); err != nil || got != want {
			t.Errorf("ParsePageSize(%q) = %+v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "carta2", "0x10", "-5x10", "10x99999"} {
		if _, err := ParsePageSize(bad); err == nil {
			t.Errorf("ParsePageSize(%q) accepted", bad)
		}
	}
	if _, err := ParseSource("feeder"); err == nil {
		t.Error("ParseSource accepted feeder")
	}
	if m, err := ParseMode(" Color "); err != nil || m != Color {
		t.Errorf("ParseMode = %v, %v", m, err)
	}
}

func TestWritePageRecordsResolution(t *testing.T) {
	dir := t.TempDir()
	g := image.NewGray(image.Rect(0, 0, 30, 20))
	p, err := WritePage(dir, 3, g, Gray, 300)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p.Path)
	i := bytes.Index(b, []byte("pHYs"))
	if i < 0 || binary.BigEndian.Uint32(b[i+4:]) != 11811 || b[i+12] != 1 { // 300 dpi = 11811 dots per metre
		t.Errorf("PNG page lacks a 300 dpi pHYs chunk")
	}
	if _, _, err := image.Decode(bytes.NewReader(b)); err != nil {
		t.Errorf("page with pHYs does not decode: %v", err)
	}
	c, err := WritePage(dir, 4, image.NewNRGBA(image.Rect(0, 0, 8, 8)), Color, 200)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(c.Path)
	if !bytes.HasPrefix(b, []byte{0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0}) || b[13] != 1 || int(b[14])<<8|int(b[15]) != 200 {
		t.Errorf("JPEG page lacks a 200 dpi JFIF header: % x", b[:18])
	}
	if p.Path != dir+"/page-0003.png" || c.Format != "image/jpeg" {
		t.Errorf("pages %+v %+v", p, c)
	}
}

func TestThreshold(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 4, 1))
	for i, v := range []uint8{10, 60, 200, 250} {
		g.SetGray(i, 0, color.Gray{v})
	}
	bw := Threshold(g)
	if got := []uint8{bw.Pix[0], bw.Pix[1], bw.Pix[2], bw.Pix[3]}; !bytes.Equal(got, []byte{1, 1, 0, 0}) {
		t.Errorf("threshold = %v, want dark ones black (1)", got)
	}
}
