// Package sim is an eSCL scanner simulator: an HTTP server that speaks the
// protocol as a driverless network scanner does, with a flatbed and a
// duplex feeder that serve letter-like pages drawn on the fly. It lets the
// station be demonstrated without hardware, and it injects the faults real
// scanners have (busy answers, jams, jobs that vanish, broken XML).
package sim

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/radicador/radicador/internal/pagegen"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/escl"
)

// Options shape the simulated scanner.
type Options struct {
	// Name is the make and model announced (default "Radicador eSCL Simulator").
	Name string
	// Sheets is how many sheets the feeder holds for each job (default 10).
	// A duplex job gives two pages per sheet.
	Sheets int
	// Busy503 makes every n-th NextDocument answer 503 once before the page.
	Busy503 int
	// JamAfter jams the feeder after that many pages (0: never).
	JamAfter int
	// VanishAfter drops the job after that many pages, with paper left in
	// the feeder (0: never).
	VanishAfter int
	// BadXML serves capabilities that are not well-formed XML.
	BadXML bool
	// Empty is a feeder with no paper in it.
	Empty bool
	// Delay is added before each page, as a slow scanner's motor would.
	Delay time.Duration
	// LocationHost, when set, is the host written in the Location of new
	// jobs instead of the one the request reached ("localhost", another
	// network's address), as some scanners do.
	LocationHost string
}

// Server is the simulator. It is an http.Handler serving /eSCL/….
type Server struct {
	opt Options

	mu     sync.Mutex
	jobs   map[string]*job
	order  []string // job ids, oldest first, for ScannerStatus
	served int      // NextDocument calls, for Busy503
	// Requests counts requests by method and path kind, for tests.
	requests map[string]int
}

type job struct {
	id       string
	settings escl.Settings
	pages    int // pages to give in all
	next     int // pages given so far
	state    string
	reasons  []string
	adf      string
	busyOnce map[int]bool
}

// New gives a simulator.
func New(opt Options) *Server {
	if opt.Name == "" {
		opt.Name = "Radicador eSCL Simulator"
	}
	if opt.Sheets == 0 {
		opt.Sheets = 10
	}
	return &Server{opt: opt, jobs: map[string]*job{}, requests: map[string]int{}}
}

// Requests gives how many requests of a kind ("POST ScanJobs", "DELETE job",
// "GET NextDocument"…) the simulator answered.
func (s *Server) Requests(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[kind]
}

// ServeHTTP answers the eSCL requests.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/eSCL")
	switch {
	case r.Method == http.MethodGet && path == "/ScannerCapabilities":
		s.count("GET ScannerCapabilities")
		s.capabilities(w)
	case r.Method == http.MethodGet && path == "/ScannerStatus":
		s.count("GET ScannerStatus")
		s.status(w)
	case r.Method == http.MethodPost && path == "/ScanJobs":
		s.count("POST ScanJobs")
		s.createJob(w, r)
	case strings.HasPrefix(path, "/ScanJobs/"):
		id, rest, _ := strings.Cut(strings.TrimPrefix(path, "/ScanJobs/"), "/")
		switch {
		case r.Method == http.MethodGet && rest == "NextDocument":
			s.count("GET NextDocument")
			s.nextDocument(w, id)
		case r.Method == http.MethodDelete && rest == "":
			s.count("DELETE job")
			s.deleteJob(w, id)
		default:
			http.Error(w, "not found", http.StatusNotFound)
		}
	default:
		http.Error(w, "not found", http.StatusNotFound)
	}
}

func (s *Server) count(kind string) {
	s.mu.Lock()
	s.requests[kind]++
	s.mu.Unlock()
}

const resolutions = `<scan:SupportedResolutions><scan:DiscreteResolutions>` +
	`<scan:DiscreteResolution><scan:XResolution>75</scan:XResolution><scan:YResolution>75</scan:YResolution></scan:DiscreteResolution>` +
	`<scan:DiscreteResolution><scan:XResolution>100</scan:XResolution><scan:YResolution>100</scan:YResolution></scan:DiscreteResolution>` +
	`<scan:DiscreteResolution><scan:XResolution>150</scan:XResolution><scan:YResolution>150</scan:YResolution></scan:DiscreteResolution>` +
	`<scan:DiscreteResolution><scan:XResolution>200</scan:XResolution><scan:YResolution>200</scan:YResolution></scan:DiscreteResolution>` +
	`<scan:DiscreteResolution><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:DiscreteResolution>` +
	`<scan:DiscreteResolution><scan:XResolution>600</scan:XResolution><scan:YResolution>600</scan:YResolution></scan:DiscreteResolution>` +
	`</scan:DiscreteResolutions></scan:SupportedResolutions>`

// inputCaps describes one source: up to US Legal (2550 × 4200 300ths of
// an inch), three colour modes, JPEG, PNG and PDF.
func inputCaps(tag string) string {
	return `<scan:` + tag + `><scan:MinWidth>16</scan:MinWidth><scan:MaxWidth>2550</scan:MaxWidth>` +
		`<scan:MinHeight>16</scan:MinHeight><scan:MaxHeight>4200</scan:MaxHeight>` +
		`<scan:MaxScanRegions>1</scan:MaxScanRegions><scan:SettingProfiles><scan:SettingProfile>` +
		`<scan:ColorModes><scan:ColorMode>BlackAndWhite1</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>` +
		`<scan:DocumentFormats><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat><pwg:DocumentFormat>image/png</pwg:DocumentFormat>` +
		`<scan:DocumentFormatExt>image/jpeg</scan:DocumentFormatExt><scan:DocumentFormatExt>image/png</scan:DocumentFormatExt></scan:DocumentFormats>` +
		resolutions + `</scan:SettingProfile></scan:SettingProfiles>` +
		`<scan:SupportedIntents><scan:Intent>Document</scan:Intent><scan:Intent>TextAndGraphic</scan:Intent><scan:Intent>Photo</scan:Intent></scan:SupportedIntents>` +
		`<scan:MaxOpticalXResolution>600</scan:MaxOpticalXResolution><scan:MaxOpticalYResolution>600</scan:MaxOpticalYResolution>` +
		`</scan:` + tag + `>`
}

func (s *Server) capabilities(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml")
	if s.opt.BadXML {
		io.WriteString(w, `<?xml version="1.0"?><scan:ScannerCapabilities xmlns:scan="`+escl.NSScan+`"><scan:Platen><scan:PlatenInputCaps>`)
		return
	}
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<scan:ScannerCapabilities xmlns:scan="%s" xmlns:pwg="%s">`+
		`<pwg:Version>2.63</pwg:Version><pwg:MakeAndModel>%s</pwg:MakeAndModel><pwg:SerialNumber>SIM-0001</pwg:SerialNumber>`+
		`<scan:UUID>4509a320-00a0-008f-00b6-002507510eca</scan:UUID>`+
		`<scan:Platen>%s</scan:Platen>`+
		`<scan:Adf>%s%s<scan:FeederCapacity>%d</scan:FeederCapacity>`+
		`<scan:AdfOptions><scan:AdfOption>DetectPaperLoaded</scan:AdfOption><scan:AdfOption>Duplex</scan:AdfOption></scan:AdfOptions></scan:Adf>`+
		`</scan:ScannerCapabilities>`,
		escl.NSScan, escl.NSPWG, xmlText(s.opt.Name), inputCaps("PlatenInputCaps"),
		inputCaps("AdfSimplexInputCaps"), inputCaps("AdfDuplexInputCaps"), s.opt.Sheets)
}

func xmlText(v string) string {
	var b bytes.Buffer
	for _, r := range v {
		switch r {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (s *Server) status(w http.ResponseWriter) {
	s.mu.Lock()
	state, adf := "Idle", "ScannerAdfLoaded"
	if s.opt.Empty {
		adf = "ScannerAdfEmpty"
	}
	if n := len(s.order); n > 0 {
		if j := s.jobs[s.order[n-1]]; j != nil && j.adf != "" {
			adf = j.adf // the feeder as the last job left it
		}
	}
	var jobs strings.Builder
	for i := len(s.order) - 1; i >= 0; i-- {
		j := s.jobs[s.order[i]]
		if j == nil {
			continue
		}
		if j.state == "Processing" {
			state = "Processing"
		}
		fmt.Fprintf(&jobs, `<scan:JobInfo><pwg:JobUri>/eSCL/ScanJobs/%s</pwg:JobUri><pwg:JobUuid>%s</pwg:JobUuid>`+
			`<scan:Age>1</scan:Age><pwg:ImagesCompleted>%d</pwg:ImagesCompleted><pwg:ImagesToTransfer>%d</pwg:ImagesToTransfer>`+
			`<pwg:JobState>%s</pwg:JobState><pwg:JobStateReasons>`, j.id, j.id, j.next, j.pages-j.next, j.state)
		for _, r := range j.reasons {
			fmt.Fprintf(&jobs, `<pwg:JobStateReason>%s</pwg:JobStateReason>`, r)
		}
		jobs.WriteString(`</pwg:JobStateReasons></scan:JobInfo>`)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<scan:ScannerStatus xmlns:scan="%s" xmlns:pwg="%s"><pwg:Version>2.63</pwg:Version>`+
		`<pwg:State>%s</pwg:State><scan:AdfState>%s</scan:AdfState><scan:Jobs>%s</scan:Jobs></scan:ScannerStatus>`,
		escl.NSScan, escl.NSPWG, state, adf, jobs.String())
}

func (s *Server) createJob(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	set, err := escl.ParseSettings(body)
	if err != nil || set.XResolution <= 0 || set.XResolution > 600 {
		http.Error(w, "bad scan settings", http.StatusBadRequest)
		return
	}
	if set.Format != "image/jpeg" && set.Format != "image/png" {
		http.Error(w, "format not supported", http.StatusConflict)
		return
	}
	id := newID()
	j := &job{id: id, settings: *set, state: "Processing", busyOnce: map[int]bool{}}
	switch {
	case set.InputSource == escl.Feeder && s.opt.Empty:
		j.pages, j.adf = 0, "ScannerAdfEmpty"
	case set.InputSource == escl.Feeder && set.Duplex:
		j.pages = 2 * s.opt.Sheets
	case set.InputSource == escl.Feeder:
		j.pages = s.opt.Sheets
	default:
		j.pages = 1
	}
	s.mu.Lock()
	s.jobs[id] = j
	s.order = append(s.order, id)
	if len(s.order) > maxJobs { // forget the oldest, as scanners do
		delete(s.jobs, s.order[0])
		s.order = s.order[1:]
	}
	s.mu.Unlock()
	host := r.Host
	if s.opt.LocationHost != "" {
		host = s.opt.LocationHost
	}
	w.Header().Set("Location", "http://"+host+"/eSCL/ScanJobs/"+id)
	w.WriteHeader(http.StatusCreated)
}

// maxJobs is how many jobs the simulator remembers for ScannerStatus.
const maxJobs = 20

func newID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) nextDocument(w http.ResponseWriter, id string) {
	s.mu.Lock()
	j := s.jobs[id]
	if j == nil || j.state != "Processing" {
		s.mu.Unlock()
		http.Error(w, "no such job", http.StatusNotFound)
		return
	}
	s.served++
	if s.opt.Busy503 > 0 && s.served%s.opt.Busy503 == 0 && !j.busyOnce[j.next] {
		j.busyOnce[j.next] = true
		s.mu.Unlock()
		w.Header().Set("Retry-After", "0")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	switch {
	case s.opt.JamAfter > 0 && j.next == s.opt.JamAfter:
		j.state, j.adf, j.reasons = "Aborted", "ScannerAdfJam", []string{"JobAborted", "MediaJam"}
	case s.opt.VanishAfter > 0 && j.next == s.opt.VanishAfter:
		delete(s.jobs, id) // gone without a trace, paper still loaded
	case j.next >= j.pages:
		j.state, j.reasons = "Completed", []string{"JobCompletedSuccessfully"}
		if j.settings.InputSource == escl.Feeder {
			j.adf = "ScannerAdfEmpty"
		}
	default:
		j.next++
		n, set := j.next, j.settings
		s.mu.Unlock()
		s.servePage(w, n, set)
		return
	}
	s.mu.Unlock()
	http.Error(w, "no more pages", http.StatusNotFound)
}

func (s *Server) servePage(w http.ResponseWriter, n int, set escl.Settings) {
	if s.opt.Delay > 0 {
		time.Sleep(s.opt.Delay)
	}
	dpi := set.XResolution
	spec := pagegen.Spec{
		DPI:    dpi,
		Width:  float64(set.Width) / 300 * 25.4,
		Height: float64(set.Height) / 300 * 25.4,
		Lines: []string{
			"Bogotá D.C., 14 de noviembre de 2026", "", "Señores", "RADICADOR S.A.S.", "",
			"Asunto: Derecho de petición - página " + strconv.Itoa(n), "",
			"Por medio de la presente solicito copia de los documentos",
			"que reposan en sus archivos.", "", "Atentamente,", "", "Ana María Pérez", "C.C. 52.123.456",
		},
	}
	var img image.Image
	switch set.ColorMode {
	case escl.RGB24:
		img = pagegen.RGB(spec)
	case escl.BlackAndWhite1:
		img = scan.Threshold(pagegen.Gray(spec))
	default:
		img = pagegen.Gray(spec)
	}
	var buf bytes.Buffer
	var err error
	if set.Format == "image/png" {
		err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
	} else {
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", set.Format)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Write(buf.Bytes())
}

func (s *Server) deleteJob(w http.ResponseWriter, id string) {
	s.mu.Lock()
	j := s.jobs[id]
	if j != nil && j.state == "Processing" {
		j.state, j.reasons = "Canceled", []string{"JobCanceledByUser"}
	}
	s.mu.Unlock()
	if j == nil {
		http.Error(w, "no such job", http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusOK)
}
