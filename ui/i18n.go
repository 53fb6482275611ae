package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/radicador/radicador/assets"
)

// Languages are the languages the screens are translated to; the first is
// the default.
var Languages = []string{"es", "en"}

// catalog holds the messages of one language, falling back to Spanish.
type catalog struct {
	msgs, fallback map[string]string
}

func loadMessages(lang string) (map[string]string, error) {
	b, err := assets.Translations.ReadFile("translations/" + lang + ".json")
	if err != nil {
		return nil, fmt.Errorf("language %q is not available (available: %s)", lang, strings.Join(Languages, ", "))
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("translations %s: %w", lang, err)
	}
	return m, nil
}

func newCatalog(lang string) (*catalog, error) {
	fallback, err := loadMessages(Languages[0])
	if err != nil {
		return nil, err
	}
	msgs, err := loadMessages(lang)
	if err != nil {
		return nil, err
	}
	return &catalog{msgs: msgs, fallback: fallback}, nil
}

// T gives the message key with its {{.Name}} fields filled from pairs of
// name and value.
func (c *catalog) T(key string, pairs ...any) string {
	s, ok := c.msgs[key]
	if !ok {
		if s, ok = c.fallback[key]; !ok {
			s = key
		}
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, "{{."+fmt.Sprint(pairs[i])+"}}", fmt.Sprint(pairs[i+1]))
	}
	return s
}
