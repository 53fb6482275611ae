package drivers

import _ "github.com/radicador/radicador/scan/twain" // TWAIN
