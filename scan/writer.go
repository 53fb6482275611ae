package scan

import (
	"errors"
	"image"
)

// PageWriter writes a batch's pages in a goroutine of its own, in order, so
// that a driver reads the next page from the device while the last one is
// encoded. At most one page waits, so memory does not grow with the batch.
type PageWriter struct {
	out       Output
	mode      Mode
	dpi       int
	threshold bool
	pages     chan pageImage
	done      chan struct{}
	err       error // first error of the writer; read after done
}

type pageImage struct {
	index int
	img   image.Image
}

// NewPageWriter starts a writer for out. With threshold, grey images are
// turned into black and white before they are written.
func NewPageWriter(out Output, mode Mode, dpi int, threshold bool) *PageWriter {
	w := &PageWriter{out: out, mode: mode, dpi: dpi, threshold: threshold, pages: make(chan pageImage), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *PageWriter) run() {
	defer close(w.done)
	for p := range w.pages {
		if w.err != nil {
			continue // drain: the batch is stopping
		}
		img := p.img
		if g, ok := img.(*image.Gray); ok && w.threshold {
			img = Threshold(g)
		}
		page, err := WritePage(w.out.Dir, p.index, img, w.mode, w.dpi)
		if err == nil && w.out.Page != nil {
			err = w.out.Page(page)
		}
		w.err = err
	}
}

// errWriterStopped is what Put returns once the writer has failed.
var errWriterStopped = errors.New("page writer stopped")

// Put hands over the next page. It returns an error once writing has failed;
// Finish tells which.
func (w *PageWriter) Put(index int, img image.Image) error {
	select {
	case w.pages <- pageImage{index, img}:
		return nil
	case <-w.done:
		return errWriterStopped
	}
}

// Finish waits for the pages handed over to be written and gives err, or
// the writer's own error when err is nil.
func (w *PageWriter) Finish(err error) error {
	close(w.pages)
	<-w.done
	if err != nil && !errors.Is(err, errWriterStopped) {
		return err
	}
	return w.err
}
