package printer

// Spooler is a printer of the Windows spooler, by its name.
type Spooler struct {
	Name string
}

func (p *Spooler) String() string { return "windows://" + p.Name }
