//go:build !linux && !freebsd

package ui

import "image"

// screenshot gives nil: the window's own capture is used.
func screenshot() (image.Image, error) { return nil, nil }
