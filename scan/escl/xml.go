package escl

import (
	"encoding/xml"
	"fmt"
	"html"
	"strings"
)

// The XML namespaces of eSCL.
const (
	NSScan = "http://schemas.hp.com/imaging/escl/2011/05/03"
	NSPWG  = "http://www.pwg.org/schemas/2010/12/sm"
)

// The values of eSCL's colour modes and input sources.
const (
	RGB24          = "RGB24"
	Grayscale8     = "Grayscale8"
	BlackAndWhite1 = "BlackAndWhite1"
	Platen         = "Platen"
	Feeder         = "Feeder"
)

// Capabilities are a scanner's ScannerCapabilities. Element names match in
// any namespace: scanners disagree on prefixes, not on names.
type Capabilities struct {
	XMLName      xml.Name   `xml:"ScannerCapabilities"`
	Version      string     `xml:"Version"`
	MakeAndModel string     `xml:"MakeAndModel"`
	SerialNumber string     `xml:"SerialNumber"`
	Platen       *InputCaps `xml:"Platen>PlatenInputCaps"`
	ADFSimplex   *InputCaps `xml:"Adf>AdfSimplexInputCaps"`
	ADFDuplex    *InputCaps `xml:"Adf>AdfDuplexInputCaps"`
}

// InputCaps are what one input source can do. Sizes are in 300ths of an
// inch.
type InputCaps struct {
	MinWidth  int       `xml:"MinWidth"`
	MaxWidth  int       `xml:"MaxWidth"`
	MinHeight int       `xml:"MinHeight"`
	MaxHeight int       `xml:"MaxHeight"`
	Profiles  []Profile `xml:"SettingProfiles>SettingProfile"`
}

// Profile is one setting profile of an input source.
type Profile struct {
	ColorModes  []string     `xml:"ColorModes>ColorMode"`
	Formats     []string     `xml:"DocumentFormats>DocumentFormat"`
	FormatsExt  []string     `xml:"DocumentFormats>DocumentFormatExt"`
	Resolutions []Resolution `xml:"SupportedResolutions>DiscreteResolutions>DiscreteResolution"`
	Range       *struct {
		X ResolutionRange `xml:"XResolution"`
		Y ResolutionRange `xml:"YResolution"`
	} `xml:"SupportedResolutions>ResolutionRange"`
}

// Resolution is one discrete resolution.
type Resolution struct {
	X int `xml:"XResolution"`
	Y int `xml:"YResolution"`
}

// ResolutionRange is a range of resolutions.
type ResolutionRange struct {
	Min  int `xml:"Min"`
	Max  int `xml:"Max"`
	Step int `xml:"Step"`
}

// Status is a scanner's ScannerStatus.
type Status struct {
	XMLName  xml.Name  `xml:"ScannerStatus"`
	State    string    `xml:"State"`    // Idle, Processing, Testing, Stopped
	ADFState string    `xml:"AdfState"` // ScannerAdfLoaded, ScannerAdfEmpty, ScannerAdfJam…
	Jobs     []JobInfo `xml:"Jobs>JobInfo"`
}

// JobInfo is the state of one job in ScannerStatus.
type JobInfo struct {
	URI             string   `xml:"JobUri"`
	UUID            string   `xml:"JobUuid"`
	State           string   `xml:"JobState"` // Pending, Processing, Completed, Canceled, Aborted
	ImagesCompleted int      `xml:"ImagesCompleted"`
	Reasons         []string `xml:"JobStateReasons>JobStateReason"`
}

// Settings are the ScanSettings of a new job.
type Settings struct {
	XMLName     xml.Name `xml:"ScanSettings"`
	Version     string   `xml:"Version"`
	Units       string   `xml:"ScanRegions>ScanRegion>ContentRegionUnits"`
	XOffset     int      `xml:"ScanRegions>ScanRegion>XOffset"`
	YOffset     int      `xml:"ScanRegions>ScanRegion>YOffset"`
	Width       int      `xml:"ScanRegions>ScanRegion>Width"`
	Height      int      `xml:"ScanRegions>ScanRegion>Height"`
	InputSource string   `xml:"InputSource"`
	ColorMode   string   `xml:"ColorMode"`
	Format      string   `xml:"DocumentFormat"`
	FormatExt   string   `xml:"DocumentFormatExt"`
	XResolution int      `xml:"XResolution"`
	YResolution int      `xml:"YResolution"`
	Duplex      bool     `xml:"Duplex"`
}

// Marshal writes the settings as scanners expect them: pwg and scan
// prefixes declared once at the root.
func (s Settings) Marshal() []byte {
	var b strings.Builder
	e := html.EscapeString
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<scan:ScanSettings xmlns:scan="%s" xmlns:pwg="%s">`, NSScan, NSPWG)
	fmt.Fprintf(&b, `<pwg:Version>%s</pwg:Version>`, e(s.Version))
	fmt.Fprintf(&b, `<pwg:ScanRegions><pwg:ScanRegion><pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>`)
	fmt.Fprintf(&b, `<pwg:XOffset>%d</pwg:XOffset><pwg:YOffset>%d</pwg:YOffset><pwg:Width>%d</pwg:Width><pwg:Height>%d</pwg:Height>`,
		s.XOffset, s.YOffset, s.Width, s.Height)
	fmt.Fprintf(&b, `</pwg:ScanRegion></pwg:ScanRegions>`)
	fmt.Fprintf(&b, `<pwg:InputSource>%s</pwg:InputSource>`, e(s.InputSource))
	fmt.Fprintf(&b, `<scan:ColorMode>%s</scan:ColorMode>`, e(s.ColorMode))
	fmt.Fprintf(&b, `<pwg:DocumentFormat>%s</pwg:DocumentFormat>`, e(s.Format))
	if s.FormatExt != "" {
		fmt.Fprintf(&b, `<scan:DocumentFormatExt>%s</scan:DocumentFormatExt>`, e(s.FormatExt))
	}
	fmt.Fprintf(&b, `<scan:XResolution>%d</scan:XResolution><scan:YResolution>%d</scan:YResolution>`, s.XResolution, s.YResolution)
	if s.InputSource == Feeder {
		fmt.Fprintf(&b, `<scan:Duplex>%t</scan:Duplex>`, s.Duplex)
	}
	b.WriteString(`</scan:ScanSettings>`)
	return []byte(b.String())
}

// maxXML bounds the XML documents read from a device.
const maxXML = 1 << 20

// ParseCapabilities reads ScannerCapabilities and checks that it describes
// at least one usable source.
func ParseCapabilities(b []byte) (*Capabilities, error) {
	var c Capabilities
	if err := xml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("the scanner's capabilities are not valid eSCL XML: %w", err)
	}
	if c.Platen == nil && c.ADFSimplex == nil && c.ADFDuplex == nil {
		return nil, fmt.Errorf("the scanner's capabilities name neither a flatbed nor a feeder")
	}
	for _, ic := range []*InputCaps{c.Platen, c.ADFSimplex, c.ADFDuplex} {
		if ic != nil && (ic.MaxWidth < 0 || ic.MaxHeight < 0 || ic.MinWidth > ic.MaxWidth && ic.MaxWidth > 0) {
			return nil, fmt.Errorf("the scanner's capabilities give an impossible scan area")
		}
	}
	return &c, nil
}

// ParseStatus reads ScannerStatus.
func ParseStatus(b []byte) (*Status, error) {
	var s Status
	if err := xml.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("the scanner's status is not valid eSCL XML: %w", err)
	}
	return &s, nil
}

// ParseSettings reads ScanSettings (the simulator's side).
func ParseSettings(b []byte) (*Settings, error) {
	var s Settings
	if err := xml.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("scan settings are not valid eSCL XML: %w", err)
	}
	return &s, nil
}
