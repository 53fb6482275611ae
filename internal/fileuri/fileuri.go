// Package fileuri turns file paths into file: URIs and back, the same on
// Linux and Windows: C:\Datos becomes file:///C:/Datos (a drive letter is
// never read as a host), and a URI's path becomes a path of the system.
package fileuri

import (
	"net/url"
	"path/filepath"
	"strings"
)

// FromPath gives the file: URI of an absolute path (a folder's with a
// trailing slash when dir).
func FromPath(path string, dir bool) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // C:/Datos → /C:/Datos
	}
	if dir && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// ToPath gives the path of a file: URI's path part, as the system writes
// it.
func ToPath(uriPath string) string {
	p := uriPath
	if len(p) >= 3 && p[0] == '/' && p[2] == ':' && isLetter(p[1]) {
		p = p[1:] // /C:/Datos → C:/Datos
	}
	return filepath.FromSlash(p)
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
