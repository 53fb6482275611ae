package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Languages are the console's languages; the first is the default.
var Languages = []string{"es", "en"}

// catalog holds the messages of one language.
type catalog map[string]string

func loadCatalog(lang string) (catalog, error) {
	b, err := files.ReadFile("translations/" + lang + ".json")
	if err != nil {
		return nil, err
	}
	var m catalog
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("translations %s: %w", lang, err)
	}
	return m, nil
}

// T gives the message key with its {{.Name}} fields filled from pairs of
// name and value; a key without a message is given as it is.
func (c catalog) T(key string, pairs ...any) string {
	s, ok := c[key]
	if !ok {
		s = key
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, "{{."+fmt.Sprint(pairs[i])+"}}", fmt.Sprint(pairs[i+1]))
	}
	return s
}

// langOf gives the language for a request: the user's, else the first of
// the browser's Accept-Language the console has, else Spanish.
func langOf(r *http.Request, userLang string) string {
	for _, l := range Languages {
		if l == userLang {
			return l
		}
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		for _, l := range Languages {
			if l == base {
				return l
			}
		}
	}
	return Languages[0]
}
