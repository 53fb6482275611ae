package station

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
)

// Config is the station's configuration, kept in its database so that every
// change is in the audit log.
type Config struct {
	Organization string   `json:"organization"`
	Office       string   `json:"office"`
	Station      string   `json:"station"`
	Pattern      string   `json:"pattern"`
	Hours        string   `json:"hours"`
	NIT          string   `json:"nit"`     // the organisation's own
	Domains      []string `json:"domains"` // the organisation's mail domains
	// InvoicePrefixes are the prefixes of the invoices the organisation
	// receives: a prefix OCR confused is read as the one it can only be.
	InvoicePrefixes []string           `json:"invoice_prefixes"`
	Types           []radicado.DocType `json:"types"`
	Closures        []calendar.Closure `json:"closures"`
	Depts           map[string]string  `json:"depts"`  // department code → name
	Routes          map[string]string  `json:"routes"` // document type → department code
	Printing        PrintConfig        `json:"printing"`
	Scanning        Scanning           `json:"scanning"`
	Language        string             `json:"language"`
	Mail            MailConfig         `json:"mail"`
	Dispatching     Dispatching        `json:"dispatching"`
	pattern         radicado.Pattern   // parsed Pattern
	hours           calendar.Hours     // parsed Hours
}

// Setting keys. Types and closures take a suffix: term.CODE (days),
// type.CODE (name), closure.YYYY-MM-DD (reason).
const (
	KeyOrganization = "organization"
	KeyOffice       = "office"
	KeyStation      = "station"
	KeyPattern      = "pattern"
	KeyHours        = "hours"
	KeyNIT          = "nit"
	KeyDomains      = "domains"
	KeyInvoices     = "invoice.prefixes"
	KeyPrinter      = "printer"
	KeyPrinterLang  = "printer.language"
	KeyLabelSize    = "label.size"
	KeyLabelDPI     = "label.dpi"
	KeyReceiptPrint = "receipt.printer"
	prefixTerm      = "term."
	prefixType      = "type."
	prefixClosure   = "closure."
	prefixDept      = "dept."
	prefixRoute     = "route."
)

// Defaults of a new station: office 001, station 01, the default pattern,
// office hours 08:00-17:00 and the terms of Ley 1755 de 2015.
var defaults = map[string]string{
	KeyOrganization: "",
	KeyOffice:       "001",
	KeyStation:      "01",
	KeyPattern:      radicado.DefaultPattern,
	KeyHours:        "08:00-17:00",
	KeyNIT:          "",
	KeyDomains:      "",
	KeyInvoices:     "FV,FE",
	KeyPrinter:      "",
	KeyPrinterLang:  "zpl",
	KeyLabelSize:    "50x25mm",
	KeyLabelDPI:     "203",
	KeyReceiptPrint: "",
	KeyBlank:        "drop",
	KeyDeskew:       "yes",
	KeySeparator:    "",
	KeyLanguage:     "es",
}

// invoicePrefixRE is an invoice's prefix as DIAN numbering ranges have
// them: up to four letters; six allowed.
var invoicePrefixRE = regexp.MustCompile(`^[A-Z]{1,6}$`)

// configFrom builds and checks a configuration from stored settings.
func configFrom(settings map[string]string) (Config, error) {
	get := func(k string) string {
		if v, ok := settings[k]; ok {
			return v
		}
		return defaults[k]
	}
	c := Config{
		Organization: get(KeyOrganization),
		Office:       get(KeyOffice),
		Station:      get(KeyStation),
		Pattern:      get(KeyPattern),
		Hours:        get(KeyHours),
		NIT:          get(KeyNIT),
		Types:        radicado.DefaultTypes(),
		Depts:        map[string]string{},
		Routes:       map[string]string{},
	}
	for _, d := range strings.Split(get(KeyDomains), ",") {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			c.Domains = append(c.Domains, d)
		}
	}
	for _, p := range strings.Split(get(KeyInvoices), ",") {
		if p = strings.ToUpper(strings.TrimSpace(p)); p == "" {
			continue
		}
		if !invoicePrefixRE.MatchString(p) {
			return c, fmt.Errorf("invoice prefix %q: one to six letters", p)
		}
		c.InvoicePrefixes = append(c.InvoicePrefixes, p)
	}
	if c.NIT != "" {
		if _, err := ident.New(ident.NIT, c.NIT); err != nil {
			return c, fmt.Errorf("the organisation's NIT: %w", err)
		}
	}
	var err error
	if c.Printing, err = printingFrom(get); err != nil {
		return c, err
	}
	if c.Scanning, err = scanningFrom(get); err != nil {
		return c, err
	}
	if c.Mail, err = mailFrom(get); err != nil {
		return c, err
	}
	if c.Dispatching, err = dispatchingFrom(get, settings); err != nil {
		return c, err
	}
	if c.Language = get(KeyLanguage); c.Language != "es" && c.Language != "en" {
		return c, fmt.Errorf("%s: es or en", KeyLanguage)
	}
	if c.pattern, err = radicado.ParsePattern(c.Pattern); err != nil {
		return c, err
	}
	if err := c.pattern.CheckCode("office", c.Office); err != nil {
		return c, err
	}
	if err := c.pattern.CheckCode("station", c.Station); err != nil {
		return c, err
	}
	if c.hours, err = calendar.ParseHours(c.Hours); err != nil {
		return c, err
	}
	for _, k := range slices.Sorted(maps.Keys(settings)) {
		v := settings[k]
		switch {
		case strings.HasPrefix(k, prefixType):
			code := strings.TrimPrefix(k, prefixType)
			if err := radicado.CheckTypeCode(code); err != nil {
				return c, err
			}
			name, err := radicado.CleanText("type name", v, 80)
			if err != nil || name == "" {
				return c, fmt.Errorf("type %s needs a name", code)
			}
			c.setType(code, func(t *radicado.DocType) { t.Name = name })
		case strings.HasPrefix(k, prefixTerm):
			code := strings.TrimPrefix(k, prefixTerm)
			if err := radicado.CheckTypeCode(code); err != nil {
				return c, err
			}
			days, err := strconv.Atoi(v)
			if err != nil || days < 0 || days > 365 {
				return c, fmt.Errorf("term of %s: %q is not a number of business days from 0 to 365", code, v)
			}
			c.setType(code, func(t *radicado.DocType) { t.Days = days })
		case strings.HasPrefix(k, prefixDept):
			code := strings.TrimPrefix(k, prefixDept)
			if err := radicado.CheckDeptCode(code); err != nil {
				return c, err
			}
			c.Depts[code] = v
		case strings.HasPrefix(k, prefixRoute):
			c.Routes[strings.TrimPrefix(k, prefixRoute)] = v
		case strings.HasPrefix(k, prefixScan):
			p, err := ParseProfile(strings.TrimPrefix(k, prefixScan), v)
			if err != nil {
				return c, err
			}
			c.Scanning.Profiles = append(c.Scanning.Profiles, p)
		case strings.HasPrefix(k, prefixClosure):
			d, err := calendar.ParseDate(strings.TrimPrefix(k, prefixClosure))
			if err != nil {
				return c, fmt.Errorf("non-working day: %w", err)
			}
			c.Closures = append(c.Closures, calendar.Closure{Date: d, Reason: v})
		}
	}
	for t, d := range c.Routes {
		if _, err := radicado.FindType(c.Types, t); err != nil {
			return c, fmt.Errorf("route.%s: %w", t, err)
		}
		if _, ok := c.Depts[d]; !ok {
			return c, fmt.Errorf("route.%s: department %q is not known (add it with dept.%s)", t, d, d)
		}
	}
	return c, nil
}

// setType changes the type with code, adding it (named by its code) when new.
func (c *Config) setType(code string, f func(*radicado.DocType)) {
	for i := range c.Types {
		if c.Types[i].Code == code {
			f(&c.Types[i])
			return
		}
	}
	t := radicado.DocType{Code: code, Name: code}
	f(&t)
	c.Types = append(c.Types, t)
}

// ParsedPattern gives the number pattern.
func (c Config) ParsedPattern() radicado.Pattern { return c.pattern }

// Calendar builds the business-day calendar of the configuration.
func (c Config) Calendar() (*calendar.Calendar, error) {
	return calendar.New(calendar.Colombia(), c.Closures, c.hours)
}

// Settings is the service of the station's configuration: read whole,
// changed a few keys at a time, every change checked whole and audited.
type Settings struct{ *core }

// Config reads the station's configuration.
func (s *Settings) Config(ctx context.Context) (Config, error) { return s.config(ctx) }

// Keys lists the setting keys a user can set, with what each takes.
func Keys() [][2]string {
	return append([][2]string{
		{KeyOrganization, "the organisation's name, printed on stickers and receipts"},
		{KeyOffice, "office (dependencia) code, as many digits as the pattern's {office:N}"},
		{KeyStation, "station code, as many digits as the pattern's {station:N}"},
		{KeyPattern, "number pattern, default " + radicado.DefaultPattern},
		{KeyHours, "office hours HH:MM-HH:MM; a letter received after closing is filed the next business day"},
		{prefixTerm + "TYPE", "response term of a document type, in business days (0: none)"},
		{prefixType + "TYPE", "name of a document type; a new code adds a type"},
		{prefixClosure + "YYYY-MM-DD", "an extra non-working day, with its reason"},
		{KeyNIT, "the organisation's own NIT, never taken for a sender's"},
		{KeyDomains, "the organisation's mail domains, comma-separated"},
		{KeyInvoices, "prefixes of the invoices received, comma-separated (default FV,FE): a prefix OCR confused is read as the one it can only be"},
		{prefixDept + "CODE", "a department: its name, as letters address it"},
		{prefixRoute + "TYPE", "the department code letters of a type go to"},
		{KeyPrinter, "the sticker printer: tcp://host:9100, cups://QUEUE, windows://NAME, usb:///dev/usb/lp0, file:///path"},
		{KeyPrinterLang, "what it speaks: zpl (default), epl, tspl, or pdf/png for an office printer"},
		{KeyLabelSize, "label size: 50x25mm (default), 2x1in, 60x40mm, 4x2in, or WxHmm / WxHin"},
		{KeyLabelDPI, "print resolution: 203 (default), 300 or 600"},
		{KeyReceiptPrint, "where receipts go: a printer URI as above (PDF for office printers); empty: the sticker printer"},
		{prefixScan + "NAME", "a scanner profile: DEVICE SOURCE DPI MODE SIZE, e.g. sane:test adf 300 gray carta"},
		{KeyBlank, "blank pages: drop (default) or keep"},
		{KeyDeskew, "straighten skewed pages: yes (default) or no"},
		{KeySeparator, "barcode text of separator sheets between letters of one batch (empty: none)"},
		{KeyLanguage, "language of the screens: es (default) or en"},
	}, append(mailKeys(), dispatchingKeys()...)...)
}

func knownKey(k string) bool {
	if _, ok := defaults[k]; ok {
		return true
	}
	for _, p := range []string{prefixTerm, prefixType, prefixClosure, prefixDept, prefixRoute, prefixScan, prefixCourier, prefixReason} {
		if strings.HasPrefix(k, p) && len(k) > len(p) {
			return true
		}
	}
	return false
}

// Set changes settings, given as key and value pairs (a nil value removes
// the key, going back to its default). The configuration they make together
// is checked before anything is stored, so that a pattern and the codes that
// must fit it can change at once.
func (s *Settings) Set(ctx context.Context, changes map[string]*string) error {
	return s.store.UpdateSettings(ctx, s.actor, func(settings map[string]string) error {
		for _, k := range slices.Sorted(maps.Keys(changes)) {
			v := changes[k]
			if version := settings[KeyCentralVersion]; version != "" && centralKey(k) {
				return fmt.Errorf("%s is the organisation's, set on the central server (configuration version %s): change it there", k, version)
			}
			if !knownKey(k) {
				var known []string
				for _, kv := range Keys() {
					known = append(known, kv[0])
				}
				return fmt.Errorf("unknown setting %q (known: %s)", k, strings.Join(known, ", "))
			}
			if v == nil {
				delete(settings, k)
				continue
			}
			clean, err := radicado.CleanText(k, *v, 200)
			if err != nil {
				return err
			}
			settings[k] = clean
		}
		for _, k := range []string{KeyOffice, KeyStation} {
			if v, ok := changes[k]; ok && v != nil {
				settings[k] = padCode(settings, k, settings[k])
			}
		}
		_, err := configFrom(settings)
		return err
	})
}

// padCode writes a short numeric code with the leading zeros its field in
// the pattern needs: office 1 becomes 001.
func padCode(settings map[string]string, key, code string) string {
	pat, ok := settings[KeyPattern]
	if !ok {
		pat = defaults[KeyPattern]
	}
	p, err := radicado.ParsePattern(pat)
	if err != nil || code == "" || strings.Trim(code, "0123456789") != "" {
		return code
	}
	if w := p.Width(key); len(code) < w {
		return strings.Repeat("0", w-len(code)) + code
	}
	return code
}
