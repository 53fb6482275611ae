package station

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/cleanup"
)

// Scanning settings. A profile is stored as profile.NAME =
// "DEVICE SOURCE DPI MODE SIZE", e.g. "sane:test adf 300 gray carta".
const (
	KeyBlank     = "scan.blank"     // drop or keep
	KeyDeskew    = "scan.deskew"    // yes or no
	KeySeparator = "scan.separator" // barcode text of separator sheets
	KeyLanguage  = "language"       // es or en
	prefixScan   = "profile."
)

// Profile is a named way of scanning: a device and its settings.
type Profile struct {
	Name     string        `json:"name"`
	Device   string        `json:"device"` // URI, as radicador devices lists them
	Settings scan.Settings `json:"-"`
}

// String writes a profile's value as it is stored.
func (p Profile) String() string {
	s := p.Settings
	return fmt.Sprintf("%s %s %d %s %s", p.Device, s.Source, s.DPI, s.Mode, pageSizeName(s.PageSize))
}

func pageSizeName(p scan.PageSize) string {
	if p.Name != "" {
		return p.Name
	}
	return fmt.Sprintf("%gx%gmm", p.Width, p.Height)
}

// ParseProfile reads a profile's stored value.
func ParseProfile(name, value string) (Profile, error) {
	f := strings.Fields(value)
	if len(f) != 5 {
		return Profile{}, fmt.Errorf("scanner profile %q: want DEVICE SOURCE DPI MODE SIZE, e.g. sane:test adf 300 gray carta", name)
	}
	p := Profile{Name: name, Device: f[0]}
	if !strings.Contains(p.Device, ":") {
		return p, fmt.Errorf("scanner profile %q: device %q is not a URI such as sane:NAME or escl:URL", name, f[0])
	}
	var err error
	if p.Settings.Source, err = scan.ParseSource(f[1]); err != nil {
		return p, fmt.Errorf("scanner profile %q: %w", name, err)
	}
	if p.Settings.DPI, err = strconv.Atoi(f[2]); err != nil || p.Settings.DPI < 75 || p.Settings.DPI > 1200 {
		return p, fmt.Errorf("scanner profile %q: resolution %q: use 75 to 1200 dpi", name, f[2])
	}
	if p.Settings.Mode, err = scan.ParseMode(f[3]); err != nil {
		return p, fmt.Errorf("scanner profile %q: %w", name, err)
	}
	if p.Settings.PageSize, err = scan.ParsePageSize(f[4]); err != nil {
		return p, fmt.Errorf("scanner profile %q: %w", name, err)
	}
	return p, nil
}

// Scanning is how pages are looked at as they arrive.
type Scanning struct {
	Profiles  []Profile `json:"profiles"`
	DropBlank bool      `json:"drop_blank"`
	Deskew    bool      `json:"deskew"`
	Separator string    `json:"separator"`
}

// Cleanup gives the page clean-up options of the configuration.
func (c Config) Cleanup() cleanup.Options {
	return cleanup.Options{DropBlank: c.Scanning.DropBlank, Deskew: c.Scanning.Deskew, Separator: c.Scanning.Separator,
		IsRadicado: func(s string) bool { _, err := c.pattern.Parse(s); return err == nil }}
}

func yesNo(key, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "si", "sí", "true", "1", "drop":
		return true, nil
	case "no", "false", "0", "keep":
		return false, nil
	}
	return false, fmt.Errorf("%s: %q is not yes or no", key, v)
}

func scanningFrom(get func(string) string) (Scanning, error) {
	var s Scanning
	var err error
	if v := get(KeyBlank); v != "drop" && v != "keep" {
		return s, fmt.Errorf("%s: drop or keep", KeyBlank)
	}
	s.DropBlank = get(KeyBlank) == "drop"
	if s.Deskew, err = yesNo(KeyDeskew, get(KeyDeskew)); err != nil {
		return s, err
	}
	s.Separator = get(KeySeparator)
	return s, nil
}
