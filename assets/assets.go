// Package assets holds the files the app embeds: its icon and the
// translations of its screens.
package assets

import (
	"embed"
	_ "embed"
)

// Icon is the app's icon, a 512×512 PNG.
//
//go:embed icon.png
var Icon []byte

// Translations holds one JSON file per language (es.json, en.json), each a
// flat map from message key to text.
//
//go:embed translations/*.json
var Translations embed.FS
