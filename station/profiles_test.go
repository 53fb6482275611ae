package station

import (
	"context"
	"strings"
	"testing"

	"github.com/radicador/radicador/scan"
)

func TestScanningSettings(t *testing.T) {
	ctx := context.Background()
	st := openTest(t, nil)
	tests := []struct {
		key, value string
		err        string // "" when accepted
	}{
		{"profile.Ventanilla", "sane:test adf 300 gray carta", ""},
		{"profile.Vidrio", "escl:http://10.0.0.5/eSCL flatbed 200 color oficio", ""},
		{"profile.Malo", "sane:test adf", "want DEVICE SOURCE DPI MODE SIZE"},
		{"profile.Malo", "test adf 300 gray carta", "is not a URI"},
		{"profile.Malo", "sane:test cajon 300 gray carta", "source \"cajon\""},
		{"profile.Malo", "sane:test adf 30 gray carta", "75 to 1200"},
		{"profile.Malo", "sane:test adf 300 sepia carta", "mode \"sepia\""},
		{"profile.Malo", "sane:test adf 300 gray sabana", "page size"},
		{"scan.blank", "keep", ""},
		{"scan.blank", "maybe", "drop or keep"},
		{"scan.deskew", "no", ""},
		{"scan.deskew", "quizas", "not yes or no"},
		{"scan.separator", "SEPARADOR", ""},
		{"language", "en", ""},
		{"language", "fr", "es or en"},
	}
	for _, tc := range tests {
		err := st.Settings.Set(ctx, map[string]*string{tc.key: &tc.value})
		if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s=%q: %v, want %q", tc.key, tc.value, err, tc.err)
		}
	}
	cfg, err := st.Settings.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Scanning
	if len(s.Profiles) != 2 || s.DropBlank || s.Deskew || s.Separator != "SEPARADOR" || cfg.Language != "en" {
		t.Fatalf("scanning %+v, language %s", s, cfg.Language)
	}
	p := s.Profiles[1]
	if p.Name != "Vidrio" || p.Settings.Source != scan.Flatbed || p.Settings.DPI != 200 || p.Settings.PageSize != scan.Oficio {
		t.Errorf("profile %+v", p)
	}
	if back, err := ParseProfile(p.Name, p.String()); err != nil || back != p {
		t.Errorf("profile does not survive its own text: %+v, %v", back, err)
	}
	opt := cfg.Cleanup()
	if !opt.IsRadicado("2026001010000012") || opt.IsRadicado("SEPARADOR") {
		t.Error("the clean-up options do not tell radicado numbers")
	}
}
