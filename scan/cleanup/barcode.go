package cleanup

import (
	"errors"
	"image"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Code is a barcode found on a page.
type Code struct {
	Format string `json:"format"` // CODE_128 or QR_CODE
	Text   string `json:"text"`
}

// Barcodes reads the Code 128 and QR codes of a page (at most one of each
// kind: a sticker carries one of both, a separator sheet one).
func Barcodes(img image.Image) ([]Code, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return nil, err
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	var out []Code
	for _, r := range []gozxing.Reader{oned.NewCode128Reader(), qrcode.NewQRCodeReader()} {
		res, err := r.Decode(bmp, hints)
		if err != nil {
			var nf gozxing.NotFoundException
			var ce gozxing.ChecksumException
			var fe gozxing.FormatException
			if errors.As(err, &nf) || errors.As(err, &ce) || errors.As(err, &fe) {
				continue
			}
			return out, err
		}
		out = append(out, Code{Format: res.GetBarcodeFormat().String(), Text: res.GetText()})
	}
	return out, nil
}
