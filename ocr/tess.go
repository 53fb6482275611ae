package ocr

/*
#cgo LDFLAGS: -ltesseract -lleptonica -lgomp
#include <stdlib.h>
#include <omp.h>
#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

// osd finds the orientation of the text on the page at path: the degrees
// (0, 90, 180, 270) and the confidence Tesseract gives them.
static int osd(TessBaseAPI *api, const char *path, int *deg, float *conf) {
	PIX *pix = pixRead(path);
	if (pix == NULL) return -1;
	TessBaseAPISetImage2(api, pix);
	const char *script = NULL;
	float script_conf = 0;
	BOOL ok = TessBaseAPIDetectOrientationScript(api, deg, conf, &script, &script_conf);
	TessBaseAPIClear(api);
	pixDestroy(&pix);
	return ok ? 0 : -2;
}

static TessBaseAPI *osd_new(void) {
	TessBaseAPI *api = TessBaseAPICreate();
	if (TessBaseAPIInit3(api, NULL, "osd") != 0) {
		TessBaseAPIDelete(api);
		return NULL;
	}
	return api;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// ThreadLimit gives the OpenMP thread limit Tesseract runs under: 1 when
// the station started as it should (see package procenv).
func ThreadLimit() int { return int(C.omp_get_thread_limit()) }

// TesseractVersion gives the version of the Tesseract library.
func TesseractVersion() string { return C.GoString(C.TessVersion()) }

// orienter detects page orientation with Tesseract's OSD model.
type orienter struct {
	api *C.TessBaseAPI
}

var errNoOSD = errors.New("Tesseract's orientation data (osd.traineddata) is not installed")

func newOrienter() (*orienter, error) {
	api := C.osd_new()
	if api == nil {
		return nil, errNoOSD
	}
	return &orienter{api: api}, nil
}

// orientation gives the degrees the page's text is turned by, and the
// confidence of that answer; ok is false when OSD finds too little text.
func (o *orienter) orientation(path string) (deg int, conf float64, ok bool) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	var d C.int
	var c C.float
	if C.osd(o.api, cpath, &d, &c) != 0 {
		return 0, 0, false
	}
	return int(d), float64(c), true
}

func (o *orienter) close() {
	C.TessBaseAPIEnd(o.api)
	C.TessBaseAPIDelete(o.api)
}
