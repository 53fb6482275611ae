package escl

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // page decoders
	_ "image/png"
	"math"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libp2p/zeroconf/v2"

	"github.com/radicador/radicador/scan"
)

func init() { scan.Register(Driver{}) }

// Driver is the eSCL driver: devices are escl:URL.
type Driver struct{}

// Scheme gives "escl".
func (Driver) Scheme() string { return "escl" }

// DiscoveryTime is how long Devices listens for scanners on the network.
var DiscoveryTime = 2 * time.Second

// Devices finds eSCL scanners announced over mDNS (_uscan._tcp and
// _uscans._tcp) within DiscoveryTime.
func (Driver) Devices(ctx context.Context) ([]scan.Device, error) {
	ctx, cancel := context.WithTimeout(ctx, DiscoveryTime)
	defer cancel()
	return Discover(ctx)
}

// Discover browses for eSCL scanners until ctx ends.
func Discover(ctx context.Context) ([]scan.Device, error) {
	var (
		mu   sync.Mutex
		seen = map[string]scan.Device{}
		wg   sync.WaitGroup
		errs []error
	)
	for _, svc := range []struct{ name, scheme string }{{"_uscan._tcp", "http"}, {"_uscans._tcp", "https"}} {
		entries := make(chan *zeroconf.ServiceEntry)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for e := range entries {
				if d, ok := deviceOf(e, svc.scheme); ok {
					mu.Lock()
					seen[d.URI] = d
					mu.Unlock()
				}
			}
		}()
		go func() {
			defer wg.Done()
			if err := zeroconf.Browse(ctx, svc.name, "local.", entries); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("mDNS browse %s: %w", svc.name, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	devs := make([]scan.Device, 0, len(seen))
	for _, d := range seen {
		devs = append(devs, d)
	}
	slices.SortFunc(devs, func(a, b scan.Device) int { return strings.Compare(a.URI, b.URI) })
	return devs, errors.Join(errs...)
}

// deviceOf turns an mDNS answer into a device: the address from the A
// record (or the host name), the resource path from the TXT key rs, the
// name from ty.
func deviceOf(e *zeroconf.ServiceEntry, scheme string) (scan.Device, bool) {
	txt := map[string]string{}
	for _, t := range e.Text {
		k, v, _ := strings.Cut(t, "=")
		txt[strings.ToLower(k)] = v
	}
	host := strings.TrimSuffix(e.HostName, ".")
	if len(e.AddrIPv4) > 0 {
		host = e.AddrIPv4[0].String()
	} else if len(e.AddrIPv6) > 0 {
		host = e.AddrIPv6[0].String()
	}
	if host == "" || e.Port == 0 {
		return scan.Device{}, false
	}
	rs := strings.Trim(txt["rs"], "/")
	if rs == "" {
		rs = "eSCL"
	}
	name := txt["ty"]
	if name == "" {
		name = e.Instance
	}
	u := scheme + "://" + net.JoinHostPort(host, strconv.Itoa(e.Port)) + "/" + rs
	return scan.Device{URI: "escl:" + u, Name: name, Model: name}, true
}

// Open opens escl:URL, reading the scanner's capabilities.
func (Driver) Open(ctx context.Context, uri string) (scan.Scanner, error) {
	raw, ok := strings.CutPrefix(uri, "escl:")
	if !ok {
		return nil, fmt.Errorf("%q is not an eSCL device (escl:http://host:port/eSCL)", uri)
	}
	c, err := NewClient(raw, nil)
	if err != nil {
		return nil, err
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	return &Scanner{Client: c, caps: caps}, nil
}

// NewScanner gives a scanner over an existing client.
func NewScanner(ctx context.Context, c *Client) (*Scanner, error) {
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return nil, err
	}
	return &Scanner{Client: c, caps: caps}, nil
}

// Scanner is an eSCL scanner.
type Scanner struct {
	Client *Client
	caps   *Capabilities
}

// Close does nothing: eSCL holds no connection between jobs.
func (s *Scanner) Close() error { return nil }

func (s *Scanner) input(src scan.Source) *InputCaps {
	switch src {
	case scan.Flatbed:
		return s.caps.Platen
	case scan.ADF:
		return s.caps.ADFSimplex
	case scan.Duplex:
		return s.caps.ADFDuplex
	}
	return nil
}

var modeNames = map[scan.Mode]string{scan.Color: RGB24, scan.Gray: Grayscale8, scan.BW: BlackAndWhite1}

// Capabilities gives what the scanner said it can do.
func (s *Scanner) Capabilities(ctx context.Context) (scan.Capabilities, error) {
	var c scan.Capabilities
	for _, src := range []scan.Source{scan.ADF, scan.Duplex, scan.Flatbed} {
		ic := s.input(src)
		if ic == nil {
			continue
		}
		c.Sources = append(c.Sources, src)
		c.MaxWidth = max(c.MaxWidth, float64(ic.MaxWidth)/300*25.4)
		c.MaxHeight = max(c.MaxHeight, float64(ic.MaxHeight)/300*25.4)
		for _, p := range ic.Profiles {
			for _, m := range scan.Modes {
				if slices.Contains(p.ColorModes, modeNames[m]) && !slices.Contains(c.Modes, m) {
					c.Modes = append(c.Modes, m)
				}
			}
			c.Resolutions = append(c.Resolutions, profileResolutions(p)...)
		}
	}
	if slices.Contains(c.Modes, scan.Gray) && !slices.Contains(c.Modes, scan.BW) {
		c.Modes = append(c.Modes, scan.BW)
	}
	slices.Sort(c.Resolutions)
	c.Resolutions = slices.Compact(c.Resolutions)
	return c, nil
}

var commonDPI = []int{75, 100, 150, 200, 300, 400, 600, 1200}

func profileResolutions(p Profile) []int {
	var out []int
	for _, r := range p.Resolutions {
		if r.X == r.Y && r.X > 0 {
			out = append(out, r.X)
		}
	}
	if p.Range != nil {
		for _, d := range commonDPI {
			if d >= p.Range.X.Min && d <= p.Range.X.Max {
				out = append(out, d)
			}
		}
	}
	return out
}

// request works out the job settings for set from the capabilities.
func (s *Scanner) request(set scan.Settings) (Settings, bool, error) {
	ic := s.input(set.Source)
	if ic == nil || len(ic.Profiles) == 0 {
		return Settings{}, false, fmt.Errorf("this scanner has no %s", set.Source)
	}
	var modes, formats []string
	var dpis []int
	for _, p := range ic.Profiles {
		modes = append(modes, p.ColorModes...)
		formats = append(formats, p.Formats...)
		formats = append(formats, p.FormatsExt...)
		dpis = append(dpis, profileResolutions(p)...)
	}
	mode, threshold := modeNames[set.Mode], false
	if !slices.Contains(modes, mode) {
		if set.Mode == scan.BW && slices.Contains(modes, Grayscale8) {
			mode, threshold = Grayscale8, true
		} else {
			return Settings{}, false, fmt.Errorf("this scanner cannot scan in %s (its modes: %s)", set.Mode, strings.Join(modes, ", "))
		}
	}
	prefer := []string{"image/png", "image/jpeg"}
	if mode == RGB24 {
		prefer = []string{"image/jpeg", "image/png"}
	}
	format := ""
	for _, f := range prefer {
		if slices.Contains(formats, f) {
			format = f
			break
		}
	}
	if format == "" {
		return Settings{}, false, fmt.Errorf("this scanner sends none of the image formats this program reads (it offers: %s)", strings.Join(formats, ", "))
	}
	dpi := set.DPI
	if len(dpis) > 0 {
		best := dpis[0]
		for _, d := range dpis {
			if math.Abs(float64(d-set.DPI)) < math.Abs(float64(best-set.DPI)) {
				best = d
			}
		}
		dpi = best
	}
	units := func(mm, limit float64) int {
		v := int(math.Round(mm / 25.4 * 300))
		if v <= 0 || (limit > 0 && v > int(limit)) {
			v = int(limit)
		}
		return v
	}
	req := Settings{
		Version: "2.0", InputSource: Platen, ColorMode: mode, Format: format,
		Width: units(set.PageSize.Width, float64(ic.MaxWidth)), Height: units(set.PageSize.Height, float64(ic.MaxHeight)),
		XResolution: dpi, YResolution: dpi,
	}
	if set.Source != scan.Flatbed {
		req.InputSource, req.Duplex = Feeder, set.Source == scan.Duplex
	}
	return req, threshold, nil
}

// Scan runs one job. Each page is copied from the network straight into a
// file in out.Dir; the job is deleted on the scanner when it ends early.
func (s *Scanner) Scan(ctx context.Context, set scan.Settings, out scan.Output) (err error) {
	req, threshold, err := s.request(set)
	if err != nil {
		return err
	}
	job, err := s.Client.CreateJob(ctx, req)
	if err != nil {
		return err
	}
	finished := false
	defer func() {
		if !finished {
			// Free the scanner even when our own context is gone.
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			s.Client.DeleteJob(dctx, job)
			cancel()
		}
	}()
	pages := 0
	for {
		page, err := s.fetch(ctx, job, pages+1, req, threshold, out)
		if errors.Is(err, ErrNotFound) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%w (%d pages kept)", scan.ErrCancelled, pages)
			}
			return fmt.Errorf("%w (%d pages scanned before were kept)", err, pages)
		}
		pages++
		if out.Page != nil {
			if err := out.Page(page); err != nil {
				return err
			}
		}
		if set.Source == scan.Flatbed {
			break // a flatbed job is one page
		}
	}
	if err := s.endOfJob(ctx, job, pages, set.Source); err != nil {
		return err
	}
	finished = set.Source != scan.Flatbed
	return nil
}

// fetch downloads the next page into a file of its own and describes it.
func (s *Scanner) fetch(ctx context.Context, job string, index int, req Settings, threshold bool, out scan.Output) (scan.Page, error) {
	f, err := os.CreateTemp(out.Dir, ".escl-*")
	if err != nil {
		return scan.Page{}, err
	}
	tmp := f.Name()
	keep := false
	defer func() {
		if !keep {
			os.Remove(tmp)
		}
	}()
	w := &progressWriter{w: f, page: index, report: out.Progress}
	ct, _, err := s.Client.NextDocument(ctx, job, w)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return scan.Page{}, err
	}
	if ct == "" {
		ct = req.Format
	}
	mode := map[string]scan.Mode{RGB24: scan.Color, Grayscale8: scan.Gray, BlackAndWhite1: scan.BW}[req.ColorMode]
	if threshold {
		return s.thresholded(tmp, index, req, out.Dir)
	}
	rf, err := os.Open(tmp)
	if err != nil {
		return scan.Page{}, err
	}
	cfg, format, err := image.DecodeConfig(rf)
	rf.Close()
	if err != nil {
		return scan.Page{}, fmt.Errorf("page %d from the scanner is not a readable %s image: %w", index, ct, err)
	}
	ext := ".png"
	if format == "jpeg" {
		ext = ".jpg"
	}
	final := filepath.Join(out.Dir, scan.PageName(index, ext))
	if err := os.Rename(tmp, final); err != nil {
		return scan.Page{}, err
	}
	keep = true
	return scan.Page{Index: index, Path: final, Format: "image/" + format, Width: cfg.Width, Height: cfg.Height, DPI: req.XResolution, Mode: mode}, nil
}

// thresholded turns a grey page into black and white for scanners that
// cannot scan line art.
func (s *Scanner) thresholded(path string, index int, req Settings, dir string) (scan.Page, error) {
	f, err := os.Open(path)
	if err != nil {
		return scan.Page{}, err
	}
	img, _, err := image.Decode(f)
	f.Close()
	if err != nil {
		return scan.Page{}, fmt.Errorf("page %d from the scanner is not a readable image: %w", index, err)
	}
	g, ok := img.(*image.Gray)
	if !ok {
		g = image.NewGray(img.Bounds())
		for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
			for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
				g.Set(x, y, img.At(x, y))
			}
		}
	}
	return scan.WritePage(dir, index, scan.Threshold(g), scan.BW, req.XResolution)
}

// endOfJob tells a job that ended normally from one that failed, from the
// scanner's status once NextDocument says there is nothing more.
func (s *Scanner) endOfJob(ctx context.Context, job string, pages int, src scan.Source) error {
	if src == scan.Flatbed && pages == 1 {
		return nil
	}
	st, err := s.Client.Status(ctx)
	if err != nil {
		if pages > 0 {
			return nil // the pages are here; the status is only a cross-check
		}
		return fmt.Errorf("the scanner gave no page, and its status cannot be read: %w", err)
	}
	var info *JobInfo
	for i := range st.Jobs {
		if j := st.Jobs[i]; j.URI != "" && strings.HasSuffix(job, j.URI) {
			info = &st.Jobs[i]
		}
	}
	kept := ""
	if pages > 0 {
		kept = fmt.Sprintf(" (%d pages scanned before were kept)", pages)
	}
	switch st.ADFState {
	case "ScannerAdfJam":
		return fmt.Errorf("%w%s", scan.ErrJammed, kept)
	case "ScannerAdfDoorOpen", "ScannerAdfHatchOpen":
		return fmt.Errorf("%w%s", scan.ErrCoverOpen, kept)
	}
	if info != nil && (info.State == "Aborted" || info.State == "Canceled") {
		return fmt.Errorf("the scanner ended the job as %s (%s)%s", strings.ToLower(info.State), strings.Join(info.Reasons, ", "), kept)
	}
	if pages == 0 {
		if src != scan.Flatbed && (st.ADFState == "ScannerAdfEmpty" || st.ADFState == "ScannerAdfProcessing") {
			return scan.ErrNoDocs
		}
		return errors.New("the scanner gave no page")
	}
	if info == nil && st.ADFState == "ScannerAdfLoaded" {
		return fmt.Errorf("the scanner dropped the job with paper still in the feeder%s", kept)
	}
	return nil
}

// progressWriter reports the bytes of a page as they arrive.
type progressWriter struct {
	w      *os.File
	page   int
	n      int64
	report func(scan.Progress)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	if p.report != nil {
		p.report(scan.Progress{Page: p.page, Bytes: p.n, Total: -1})
	}
	return n, err
}
