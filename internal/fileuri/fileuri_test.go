package fileuri

import (
	"net/url"
	"path/filepath"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		path string
		dir  bool
		uri  string
	}{
		{"/var/lib/radicador/etiquetas", true, "file:///var/lib/radicador/etiquetas/"},
		{"/tmp/datos con espacio/radicador.db", false, "file:///tmp/datos%20con%20espacio/radicador.db"},
		{"/tmp/a#b?c.db", false, "file:///tmp/a%23b%3Fc.db"},
		{"C:/Datos/Radicador/radicador.db", false, "file:///C:/Datos/Radicador/radicador.db"},
	} {
		got := FromPath(filepath.FromSlash(tc.path), tc.dir)
		if got != tc.uri {
			t.Errorf("FromPath(%q) = %q, want %q", tc.path, got, tc.uri)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" {
			t.Errorf("%q parses with host %q: %v", got, u.Host, err)
			continue
		}
		back := ToPath(u.Path)
		want := filepath.FromSlash(tc.path)
		if tc.dir {
			want += string(filepath.Separator)
		}
		if back != want {
			t.Errorf("ToPath(%q) = %q, want %q", u.Path, back, want)
		}
	}
}
