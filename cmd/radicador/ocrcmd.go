package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/radicador/radicador/eval"
	"github.com/radicador/radicador/extract"
	"github.com/radicador/radicador/ocr"
	"github.com/radicador/radicador/station"
)

// ocrJSON is what ocr --json prints.
type ocrJSON struct {
	Text           string           `json:"text"`
	Pages          []ocrPageJSON    `json:"pages"`
	DocType        string           `json:"doc_type"`
	TypeConfidence float64          `json:"doc_type_confidence"`
	Dept           string           `json:"dept,omitempty"`
	Fields         map[string]field `json:"fields"`
	Cites          []string         `json:"cites,omitempty"` // numbers of this organisation the letter cites
}

type ocrPageJSON struct {
	Text        string  `json:"text"`
	Orientation int     `json:"orientation"`
	Confidence  float64 `json:"confidence"`
	Error       string  `json:"error,omitempty"`
}

type field struct {
	Value      string  `json:"value"`
	Confidence float64 `json:"confidence"`
}

func fieldMap(f extract.Fields) map[string]field {
	return map[string]field{
		"sender_name": field(f.SenderName), "sender_id_type": field(f.SenderIDType), "sender_id": field(f.SenderID),
		"date": field(f.Date), "subject": field(f.Subject), "email": field(f.Email), "phone": field(f.Phone),
		"reference": field(f.Reference), "amount": field(f.Amount),
	}
}

func cmdOCR(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ocr")
	asJSON := fs.Bool("json", false, "print JSON")
	files, err := parseSome(fs, args)
	if err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	a, err := st.Reading.Analyze(ctx, files)
	if err != nil {
		return err
	}
	defer a.Close()
	if *asJSON {
		out := ocrJSON{Text: a.Text, DocType: a.Type.Type, TypeConfidence: a.Type.Confidence, Dept: a.Dept, Fields: fieldMap(a.Fields), Cites: a.Fields.Cites}
		for _, p := range a.Pages {
			pj := ocrPageJSON{Text: p.Text, Orientation: p.Orientation, Confidence: p.Confidence}
			if p.Err != nil {
				pj.Error = p.Err.Error()
			}
			out.Pages = append(out.Pages, pj)
		}
		return printJSON(e.stdout, out)
	}
	for i, p := range a.Pages {
		if p.Err != nil {
			fmt.Fprintf(e.stdout, "— page %d: %v\n", i+1, p.Err)
			continue
		}
		turned := ""
		if p.Orientation != 0 {
			turned = fmt.Sprintf(", turned %d°", p.Orientation)
		}
		fmt.Fprintf(e.stdout, "— page %d (confidence %.0f%s)\n%s\n\n", i+1, p.Confidence, turned, p.Text)
	}
	fmt.Fprintf(e.stdout, "type:      %s (%.0f%%)\n", a.Type.Type, 100*a.Type.Confidence)
	if a.Dept != "" {
		fmt.Fprintf(e.stdout, "goes to:   %s\n", a.Dept)
	}
	fmt.Fprint(e.stdout, a.Fields.String())
	return nil
}

func cmdRead(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "read")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	n, err := st.Reading.ReadPending(ctx)
	if *asJSON {
		printJSON(e.stdout, map[string]int{"read": n})
	} else {
		fmt.Fprintf(e.stdout, "%d radicados read\n", n)
	}
	return err
}

func cmdEval(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "eval")
	corpus := fs.String("corpus", "", "folder of letter images with ground-truth JSON")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *corpus == "" {
		fs.Usage()
		return errUsage
	}
	letters, err := eval.Load(*corpus)
	if err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	score, err := evaluate(ctx, st, letters)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, score)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "letters\t%d\n", score.Letters)
	fmt.Fprintf(tw, "character error rate\t%.2f%%\n", 100*score.CER)
	fmt.Fprintf(tw, "document type\t%.1f%%\n", 100*score.Type)
	for _, n := range eval.FieldNames {
		fmt.Fprintf(tw, "%s\t%.1f%%\n", strings.ReplaceAll(n, "_", " "), 100*score.Fields[n])
	}
	tw.Flush()
	if len(score.Misses) > 0 {
		fmt.Fprintln(e.stdout, "\nMisses:")
		for _, m := range score.Misses {
			fmt.Fprintln(e.stdout, "  "+m)
		}
	}
	return nil
}

// evaluate reads every letter as the station reads a document, and scores
// it against its truth.
func evaluate(ctx context.Context, st *station.Station, letters []eval.Truth) (*eval.Score, error) {
	type result struct {
		r   eval.Reading
		err error
	}
	results := make([]result, len(letters))
	eng, err := st.Reading.Engine()
	if err != nil {
		return nil, err
	}
	// One letter per engine at a time: the pool reads them side by side.
	sem := make(chan struct{}, eng.Workers())
	done := make(chan int)
	for i, t := range letters {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- i }()
			a, err := st.Reading.Analyze(ctx, []string{t.Image})
			if err != nil {
				results[i].err = err
				return
			}
			defer a.Close()
			fm := map[string]string{}
			for k, v := range fieldMap(a.Fields) {
				fm[k] = v.Value
			}
			fm["cites"] = strings.Join(a.Fields.Cites, ",")
			results[i].r = eval.Reading{Text: a.Text, Type: a.Type.Type, Fields: fm}
		}()
	}
	for range letters {
		<-done
	}
	var s eval.Score
	for i, t := range letters {
		if results[i].err != nil {
			return nil, fmt.Errorf("%s: %w", t.Image, results[i].err)
		}
		s.Add(t, results[i].r)
	}
	return &s, nil
}

// Version is the program's version, set at build time with
// -ldflags "-X main.Version=…".
var Version = "0.1.0-dev"

func cmdVersion(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "version")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Radicador %s\nTesseract %s, OpenMP thread limit %d\n", Version, ocr.TesseractVersion(), ocr.ThreadLimit())
	return nil
}
