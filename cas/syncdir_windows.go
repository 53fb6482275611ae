package cas

// syncDir does nothing on Windows, where a folder cannot be opened for
// flushing; NTFS journals the rename itself.
func syncDir(dir string) error { return nil }
