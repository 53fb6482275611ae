package central

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"image"
	_ "image/png" // the logo is a PNG
	"strings"
	"text/template"
	"time"

	"github.com/radicador/radicador/radicado"
)

// AcuseTemplate is the e-mail that carries an acuse, in one language: its
// subject and text, as Go templates over AcuseFields.
type AcuseTemplate struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// AcuseFields are what an acuse's template may say.
type AcuseFields struct {
	Number, Code, Subject, Due, Org, Estado string
	ReceivedAt                              time.Time
}

// AcuseLanguages are the languages an acuse is written in; the first is
// the one of a radicado whose sender's language is not known.
var AcuseLanguages = []string{"es", "en"}

// DefaultAcuse is the built-in template of each language.
var DefaultAcuse = map[string]AcuseTemplate{
	"es": {Subject: "Acuse de recibo: radicado {{.Number}}", Body: `Su comunicación fue recibida por {{.Org}} y radicada con el número {{.Number}}.

Asunto: {{.Subject}}
Recibida: {{.ReceivedAt.Format "2006-01-02 15:04"}}
{{if .Due}}Respuesta a más tardar: {{.Due}}
{{end}}Código de consulta: {{.Code}}
{{if .Estado}}
Consulte el estado en {{.Estado}} con el número y el código.
{{end}}
Adjuntamos el acuse de recibo. Este mensaje se envía automáticamente: no lo responda.
`},
	"en": {Subject: "Acknowledgement of receipt: filing number {{.Number}}", Body: `Your communication was received by {{.Org}} and filed under number {{.Number}}.

Subject: {{.Subject}}
Received: {{.ReceivedAt.Format "2006-01-02 15:04"}}
{{if .Due}}Answer due by: {{.Due}}
{{end}}Consultation code: {{.Code}}
{{if .Estado}}
Follow its state at {{.Estado}} with the number and the code.
{{end}}
The acknowledgement is attached. This message is sent automatically: please do not reply to it.
`},
}

// Bounds of what an administrator sets.
const (
	maxAcuseBody = 4000
	maxLogoBytes = 256 << 10
	maxLogoSide  = 1200
)

// Write fills the template with f, checked: a subject on one line.
func (t AcuseTemplate) Write(f AcuseFields) (subject, body string, err error) {
	s, err := execute(t.Subject, f)
	if err != nil {
		return "", "", fmt.Errorf("the acuse's subject: %w", err)
	}
	b, err := execute(t.Body, f)
	if err != nil {
		return "", "", fmt.Errorf("the acuse's text: %w", err)
	}
	return strings.Join(strings.Fields(s), " "), b, nil
}

func execute(src string, f AcuseFields) (string, error) {
	tm, err := template.New("acuse").Option("missingkey=error").Parse(src)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := tm.Execute(&b, f); err != nil {
		return "", err
	}
	return b.String(), nil
}

// check tries the template on sample fields.
func (t AcuseTemplate) check() error {
	if err := radicado.CheckClean("subject", t.Subject, 200); err != nil || strings.TrimSpace(t.Subject) == "" {
		return fmt.Errorf("%w: the acuse's subject: one line of up to 200 characters", ErrInvalid)
	}
	if len(t.Body) > maxAcuseBody || strings.TrimSpace(t.Body) == "" {
		return fmt.Errorf("%w: the acuse's text: up to %d bytes", ErrInvalid, maxAcuseBody)
	}
	if _, _, err := t.Write(AcuseFields{Number: "2026001010000012", Code: "ABCDEFGHJK", Subject: "s", Due: "2026-12-01", Org: "o",
		Estado: "https://x", ReceivedAt: time.Now()}); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// AcuseStyle gives the acuse's template in lang (the first language's when
// lang is not one) and the organisation's logo (PNG; nil: none).
func (d *DB) AcuseStyle(ctx context.Context, lang string) (AcuseTemplate, []byte, error) {
	if _, ok := DefaultAcuse[lang]; !ok {
		lang = AcuseLanguages[0]
	}
	t := DefaultAcuse[lang]
	values := map[string]*string{"acuse.subject." + lang: &t.Subject, "acuse.body." + lang: &t.Body}
	var logo string
	values[settingLogo] = &logo
	for k, v := range values {
		var got string
		err := d.readScan(ctx, `SELECT value FROM settings WHERE key = ?`, []any{k}, &got)
		switch {
		case err == nil:
			*v = got
		case err != sql.ErrNoRows:
			return t, nil, err
		}
	}
	if logo == "" {
		return t, nil, nil
	}
	png, err := base64.StdEncoding.DecodeString(logo)
	if err != nil {
		return t, nil, fmt.Errorf("the stored logo: %w", err)
	}
	return t, png, nil
}

// SetAcuseTemplate sets the acuse's template in lang; the zero template
// goes back to the built-in one.
func (d *DB) SetAcuseTemplate(ctx context.Context, actor, lang string, t AcuseTemplate) error {
	if _, ok := DefaultAcuse[lang]; !ok {
		return fmt.Errorf("%w: language %q: %s", ErrInvalid, lang, strings.Join(AcuseLanguages, " or "))
	}
	if t == (AcuseTemplate{}) {
		t = DefaultAcuse[lang]
	}
	if err := t.check(); err != nil {
		return err
	}
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := d.txSetSetting(ctx, tx, "acuse.subject."+lang, t.Subject); err != nil {
			return err
		}
		if err := d.txSetSetting(ctx, tx, "acuse.body."+lang, t.Body); err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, actor, "config.acuse", "", map[string]string{"lang": lang, "subject": t.Subject, "body": t.Body})
	})
}

// settingLogo keeps the organisation's logo, a PNG in base64.
const settingLogo = "org.logo"

// SetLogo sets the organisation's logo, printed on the acuse: a PNG of at
// most 256 KiB and 1200 pixels a side; nil removes it.
func (d *DB) SetLogo(ctx context.Context, actor string, png []byte) error {
	if png != nil {
		if len(png) > maxLogoBytes {
			return fmt.Errorf("%w: the logo is %d KiB; at most %d", ErrInvalid, len(png)>>10, maxLogoBytes>>10)
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(png))
		if err != nil || format != "png" {
			return fmt.Errorf("%w: the logo must be a PNG image", ErrInvalid)
		}
		if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > maxLogoSide || cfg.Height > maxLogoSide {
			return fmt.Errorf("%w: the logo is %d×%d pixels; at most %d a side", ErrInvalid, cfg.Width, cfg.Height, maxLogoSide)
		}
		if _, _, err := image.Decode(bytes.NewReader(png)); err != nil {
			return fmt.Errorf("%w: the logo does not decode: %v", ErrInvalid, err)
		}
	}
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := d.txSetSetting(ctx, tx, settingLogo, base64.StdEncoding.EncodeToString(png)); err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, actor, "config.logo", "", map[string]any{"bytes": len(png)})
	})
}
