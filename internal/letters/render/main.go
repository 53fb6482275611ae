// Command render draws the project's test letters into a folder, as
// scanned pages beside their ground truth, for `radicador eval --corpus`.
package main

import (
	"fmt"
	"os"

	"github.com/radicador/radicador/internal/letters"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: render FOLDER")
		os.Exit(2)
	}
	if err := letters.Render(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}
