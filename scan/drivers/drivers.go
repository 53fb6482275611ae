// Package drivers registers every scanner driver of the platform with the
// scan package: import it for its side effect.
package drivers

import (
	_ "github.com/radicador/radicador/scan/escl" // network scanners
	_ "github.com/radicador/radicador/scan/file" // files and folders
)
