//go:build linux || darwin || freebsd

package drivers

import _ "github.com/radicador/radicador/scan/sane" // SANE
