package station

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/radicador/radicador/despacho"
	"github.com/radicador/radicador/document"
	"github.com/radicador/radicador/internal/fileuri"
	"github.com/radicador/radicador/label"
	"github.com/radicador/radicador/printer"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
)

// PrintConfig is how the station prints stickers and receipts.
type PrintConfig struct {
	Printer  string     `json:"printer"`  // URI; empty: none configured
	Language string     `json:"language"` // zpl, epl, tspl, pdf or png
	Size     label.Size `json:"size"`
	DPI      int        `json:"dpi"`
	Receipts string     `json:"receipts"` // URI of the receipt printer; empty: the sticker printer
}

func printingFrom(get func(string) string) (PrintConfig, error) {
	p := PrintConfig{Printer: get(KeyPrinter), Language: get(KeyPrinterLang), Receipts: get(KeyReceiptPrint)}
	if !slices.Contains(label.Formats, p.Language) {
		return p, fmt.Errorf("%s: one of %s", KeyPrinterLang, strings.Join(label.Formats, ", "))
	}
	var err error
	if p.Size, err = label.ParseSize(get(KeyLabelSize)); err != nil {
		return p, err
	}
	if p.DPI, err = strconv.Atoi(get(KeyLabelDPI)); err != nil || !slices.Contains(label.DPIs, p.DPI) {
		return p, fmt.Errorf("%s: 203, 300 or 600", KeyLabelDPI)
	}
	for _, uri := range []string{p.Printer, p.Receipts} {
		if uri != "" {
			if _, err := printer.Open(uri, printer.DefaultTimeouts); err != nil {
				return p, err
			}
		}
	}
	return p, nil
}

// LabelOptions choose how one sticker or receipt is made; zero values
// take the station's configuration.
type LabelOptions struct {
	Format string
	Size   string
	DPI    int
	Copies int
	Copy   bool // say COPIA
}

// receiptWidth is the width of a receipt for an office printer: half a
// letter sheet (media carta).
const receiptWidth = 139.7

// Printing is the service of stickers and receipts: rendering them,
// sending them to the configured printer (or, with none, to the data
// folder's etiquetas/), and the queue of jobs waiting for a printer.
type Printing struct{ *core }

// LabelContent gives what the sticker and the receipt of a radicado say.
func (s *Printing) LabelContent(ctx context.Context, number string) (label.Content, error) {
	rec, err := s.store.Get(ctx, strings.TrimSpace(number))
	if err != nil {
		return label.Content{}, err
	}
	cfg, err := s.config(ctx)
	if err != nil {
		return label.Content{}, err
	}
	return contentOf(rec, cfg), nil
}

func contentOf(rec radicado.Record, cfg Config) label.Content {
	c := label.Content{
		Number: rec.Number, ReceivedAt: rec.ReceivedAt, Organization: cfg.Organization, Office: rec.Parts.Office,
		Kind: rec.Parts.Kind.String(), Pages: rec.Pages, Annexes: annexes(rec.Files), DocSHA256: rec.SHA256,
		Sender: rec.Sender.Name, Subject: rec.Subject,
	}
	if rec.Dept != "" {
		c.Dept = rec.Dept
		if name := cfg.Depts[rec.Dept]; name != "" {
			c.Dept += " — " + name
		}
	}
	if !rec.Due.IsZero() {
		c.Due = rec.Due.String()
	}
	for _, t := range cfg.Types {
		if t.Code == rec.Type {
			c.Type = t.Name
		}
	}
	return c
}

// resolve fills options from the configuration.
func (o LabelOptions) resolve(p PrintConfig) (LabelOptions, label.Size, error) {
	if o.Format == "" {
		o.Format = p.Language
	}
	if o.DPI == 0 {
		o.DPI = p.DPI
	}
	if o.Copies == 0 {
		o.Copies = 1
	}
	size := p.Size
	if o.Size != "" {
		var err error
		if size, err = label.ParseSize(o.Size); err != nil {
			return o, size, err
		}
	}
	o.Size = size.Name
	return o, size, nil
}

// Sticker writes a radicado's sticker in the format the options or the
// configuration give.
func (s *Printing) Sticker(ctx context.Context, number string, o LabelOptions) ([]byte, LabelOptions, error) {
	return s.render(ctx, "sticker", number, o)
}

// Receipt writes a radicado's acuse de recibo: as PDF (or PNG) half a
// letter sheet wide for an office printer, or in a label printer's
// language as one long label as wide as the configured labels.
func (s *Printing) Receipt(ctx context.Context, number string, o LabelOptions) ([]byte, LabelOptions, error) {
	return s.render(ctx, "receipt", number, o)
}

func (s *Printing) render(ctx context.Context, what, number string, o LabelOptions) ([]byte, LabelOptions, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return nil, o, err
	}
	rec, err := s.store.Get(ctx, strings.TrimSpace(number))
	if err != nil {
		return nil, o, err
	}
	if what == "receipt" && o.Format == "" && cfg.Printing.Receipts != "" {
		o.Format = "pdf"
	}
	o, size, err := o.resolve(cfg.Printing)
	if err != nil {
		return nil, o, err
	}
	c := contentOf(rec, cfg)
	c.Copy = o.Copy
	var l *label.Layout
	switch what {
	case "sticker":
		l, err = label.Sticker(c, size, o.DPI)
	case "shipping":
		if o.Size == cfg.Printing.Size.Name { // not asked for: the shipping label's own size
			size = label.ShippingPresets[0]
			o.Size = size.Name
		}
		var ship label.Shipment
		if ship, err = s.shipment(ctx, rec); err == nil {
			l, err = label.Shipping(c, ship, size, o.DPI)
		}
	default:
		width := size.W
		if o.Format == "pdf" || o.Format == "png" {
			width = receiptWidth
		}
		l, err = label.Receipt(c, width, o.DPI)
	}
	if err != nil {
		return nil, o, err
	}
	var buf bytes.Buffer
	if err := l.Write(&buf, o.Format, o.Copies); err != nil {
		return nil, o, err
	}
	return buf.Bytes(), o, nil
}

// Shipping writes a salida's shipping label (100×150 mm unless the
// options say otherwise): its recipient, its number and its latest
// envelope's guide.
func (s *Printing) Shipping(ctx context.Context, number string, o LabelOptions) ([]byte, LabelOptions, error) {
	return s.render(ctx, "shipping", number, o)
}

// PrintShipping sends a salida's shipping label to the printer at uri (the
// configured one when empty), at once: it is not queued, and can be
// printed again whenever wanted.
func (s *Printing) PrintShipping(ctx context.Context, number, uri string, o LabelOptions) error {
	cfg, err := s.config(ctx)
	if err != nil {
		return err
	}
	if uri == "" {
		uri = cfg.Printing.Printer
	}
	if uri == "" {
		return ErrNoPrinter
	}
	data, o, err := s.Shipping(ctx, number, o)
	if err != nil {
		return err
	}
	p, err := printer.Open(uri, printer.DefaultTimeouts)
	if err != nil {
		return err
	}
	return p.Print(ctx, printer.Job{Data: data, Language: o.Format, Title: number + "-envio"})
}

// shipment gives what a salida's shipping label says besides its own data.
func (s *Printing) shipment(ctx context.Context, rec radicado.Record) (label.Shipment, error) {
	to := rec.Recipient
	if rec.Parts.Kind != radicado.Salida || to == nil || to.SendBy == radicado.SendEmail {
		return label.Shipment{}, fmt.Errorf("%s is not a salida sent on paper: it has no shipping label", rec.Number)
	}
	env, ok, err := s.store.Delivery(ctx, rec.Number)
	if err != nil {
		return label.Shipment{}, err
	}
	if !ok {
		return label.Shipment{Name: to.Name, Address: to.Address, City: to.City, Attempt: 1}, nil
	}
	if env.Courier == despacho.EmailCourier {
		return label.Shipment{}, fmt.Errorf("%s goes by e-mail this time: it has no shipping label", rec.Number)
	}
	dest := destination(rec, env)
	return label.Shipment{Name: dest.Name, Address: dest.Address, City: dest.City, Guide: env.Guide, Courier: env.Courier, Attempt: env.Attempt}, nil
}

// ErrNoPrinter is returned when a test print has no printer to go to.
var ErrNoPrinter = errors.New("no printer is configured (radicador config set printer tcp://HOST:9100, or give one)")

// PreviewFolder is the folder of the data folder where stickers (PNG) and
// receipts (PDF) go when no printer is configured.
const PreviewFolder = "etiquetas"

// Destination gives where a sticker or a receipt goes, and the options it
// takes there: uri when given; else the configured printer (receipts: the
// receipt printer, as PDF, when there is one); else the data folder's
// etiquetas/, a sticker as PNG and a receipt as PDF.
func (s *Printing) Destination(ctx context.Context, what, uri string) (string, LabelOptions, error) {
	var o LabelOptions
	cfg, err := s.config(ctx)
	if err != nil {
		return "", o, err
	}
	if uri == "" {
		uri = cfg.Printing.Printer
		if what == "receipt" && cfg.Printing.Receipts != "" {
			uri = cfg.Printing.Receipts
		}
	}
	if what == "receipt" && uri != "" && uri == cfg.Printing.Receipts {
		o.Format = "pdf" // an office printer
	}
	if uri != "" {
		return uri, o, nil
	}
	o.Format = "png"
	if what == "receipt" {
		o.Format = "pdf"
	}
	folder, err := filepath.Abs(filepath.Join(s.store.Dir(), PreviewFolder))
	if err != nil {
		return "", o, err
	}
	return fileuri.FromPath(folder, true), o, nil
}

// IsPreview reports whether a job went to a folder rather than a printer,
// and which.
func IsPreview(uri string) (string, bool) {
	if !strings.HasPrefix(uri, "file:") || !strings.HasSuffix(uri, "/") {
		return "", false
	}
	u, err := url.Parse(uri)
	if err != nil {
		return "", false
	}
	return strings.TrimSuffix(fileuri.ToPath(u.Path), string(filepath.Separator)), true
}

// Print queues a sticker or a receipt for a radicado and tries to print it
// at once, on uri or, when it is empty, where Destination says. When the
// printer fails, the job stays queued with the reason (RetryPrints tries
// again) and the error says why; the radicado is never touched. A second
// job of the same kind for a radicado is a reprint: it says COPIA and goes
// in the audit log.
func (s *Printing) Print(ctx context.Context, what, number, uri string, o LabelOptions) (store.PrintJob, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return store.PrintJob{}, err
	}
	uri, def, err := s.Destination(ctx, what, uri)
	if err != nil {
		return store.PrintJob{}, err
	}
	if o.Format == "" {
		o.Format = def.Format
	}
	if _, err := printer.Open(uri, printer.DefaultTimeouts); err != nil {
		return store.PrintJob{}, err
	}
	o, _, err = o.resolve(cfg.Printing)
	if err != nil {
		return store.PrintJob{}, err
	}
	job, err := s.store.QueuePrint(ctx, store.PrintJob{Number: strings.TrimSpace(number), What: what, Printer: uri, Format: o.Format,
		Size: o.Size, DPI: o.DPI, Copies: o.Copies, Actor: s.actor})
	if err != nil {
		return job, err
	}
	return s.runJob(ctx, job)
}

// StickerStates gives, for each number, whether its sticker printed, waits
// in the queue or failed.
func (s *Printing) StickerStates(ctx context.Context, numbers []string) (map[string]string, error) {
	return s.store.StickerStates(ctx, numbers)
}

// runJob renders a queued job and sends it, recording the outcome.
func (s *Printing) runJob(ctx context.Context, job store.PrintJob) (store.PrintJob, error) {
	data, _, err := s.render(ctx, job.What, job.Number, LabelOptions{Format: job.Format, Size: job.Size, DPI: job.DPI,
		Copies: job.Copies, Copy: job.Reprint})
	if err == nil {
		var p printer.Printer
		if p, err = printer.Open(job.Printer, printer.DefaultTimeouts); err == nil {
			err = p.Print(ctx, printer.Job{Data: data, Language: job.Format, Title: job.Number + "-" + job.What})
		}
	}
	if derr := s.store.PrintDone(context.WithoutCancel(ctx), job.ID, err); derr != nil {
		return job, errors.Join(err, derr)
	}
	if updated, gerr := s.store.PrintJob(ctx, job.ID); gerr == nil {
		job = updated
	}
	return job, err
}

// PrintQueue lists the jobs waiting for a printer.
func (s *Printing) PrintQueue(ctx context.Context) ([]store.PrintJob, error) {
	return s.store.PrintJobs(ctx, "", true)
}

// PrintJobs lists every job of a radicado.
func (s *Printing) PrintJobs(ctx context.Context, number string) ([]store.PrintJob, error) {
	return s.store.PrintJobs(ctx, number, false)
}

// RetryPrints tries the waiting jobs again, oldest first, and says how
// many printed; it goes on past a job that fails and returns the last
// error.
func (s *Printing) RetryPrints(ctx context.Context) (int, error) {
	jobs, err := s.PrintQueue(ctx)
	if err != nil {
		return 0, err
	}
	printed := 0
	var last error
	for _, j := range jobs {
		if _, err := s.runJob(ctx, j); err != nil {
			last = err
			continue
		}
		printed++
	}
	return printed, last
}

// CancelPrint takes a waiting job off the queue; it is kept, as cancelled.
func (s *Printing) CancelPrint(ctx context.Context, id int64) error {
	return s.store.CancelPrint(ctx, id)
}

// TestPrint prints a sample sticker, marked PRUEBA where the number goes,
// on the printer uri (empty: the configured one) with the configured
// language, size and resolution. Nothing is queued or recorded: it checks
// the printer and the label stock, and the error says what went wrong.
func (s *Printing) TestPrint(ctx context.Context, uri string) ([]byte, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return nil, err
	}
	if uri == "" {
		uri = cfg.Printing.Printer
	}
	if uri == "" {
		return nil, ErrNoPrinter
	}
	p, err := printer.Open(uri, printer.DefaultTimeouts)
	if err != nil {
		return nil, err
	}
	o, size, err := LabelOptions{}.resolve(cfg.Printing)
	if err != nil {
		return nil, err
	}
	now := s.store.Now()
	c := label.Content{Number: "PRUEBA", ReceivedAt: now, Organization: cfg.Organization, Office: cfg.Office,
		Kind: "entrada", Pages: 1, Sender: "Prueba de impresión", Subject: "Etiqueta de prueba: ÁÉÍÓÚ Ññ",
		DocSHA256: strings.Repeat("0", 64)}
	l, err := label.Sticker(c, size, o.DPI)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := l.Write(&buf, o.Format, 1); err != nil {
		return nil, err
	}
	return buf.Bytes(), p.Print(ctx, printer.Job{Data: buf.Bytes(), Language: o.Format, Title: "prueba"})
}

// annexes counts the documents received with the letter: the files after
// the letter's first that are documents or files of their own (PDF, TIFF,
// a spreadsheet…). Page images are the letter's own pages, as a scanner
// gives them one file each; the original of an e-mail (its first file) is
// the letter itself.
func annexes(files []radicado.File) int {
	n, letter := 0, false
	for i, f := range files {
		switch {
		case i == 0 && f.MediaType == radicado.MediaMessage:
		case !letter:
			letter = true
		case f.MediaType != document.PNG && f.MediaType != document.JPEG:
			n++
		}
	}
	return n
}
