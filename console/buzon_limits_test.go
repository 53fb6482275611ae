package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/console"
)

// TestBuzonLimits: the Buzón's limit of five submissions an address in ten
// minutes holds for submissions sent at once (each takes its place before
// its files are read), counts those refused for their files (they cost
// the server as much) but not a wrong field (said before any file is
// read), and one address over its limit does not close the Buzón for the
// others; a field after the files is refused.
func TestBuzonLimits(t *testing.T) {
	ctx := context.Background()
	form := map[string]string{"name": "Ana Ruiz", "id_type": "CC", "id_number": "52123456", "email": "ana@correo.co",
		"type": "peticion", "subject": "Solicitud", "message": "Solicito un certificado.", "website": ""}
	pdf := aPDF(t, "Carta", false)
	numbered := func(s *site) int {
		list, err := s.db.List(ctx, central.Filter{Station: "90"})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}

	t.Run("at once", func(t *testing.T) {
		s := newSite(t)
		s.db.EnableBuzon(ctx, "test", "001", "90")
		// Eight forms from one address, each sent up to the middle of
		// its file; then all finish together.
		const n = 8
		var wg sync.WaitGroup
		finish := make(chan struct{})
		codes := make([]int, n)
		for i := range n {
			b := s.browser()
			b.get("/buzon")
			head, tail, ct := splitForm(t, merge(merge(form, "csrf", b.csrf), "subject", fmt.Sprintf("A la vez %d", i)), pdf)
			pr, pw := io.Pipe()
			go func() {
				pw.Write(head)
				<-finish
				pw.Write(tail)
				pw.Close()
			}()
			req, _ := http.NewRequest("POST", s.srv.URL+"/buzon", pr)
			req.Header.Set("Content-Type", ct)
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := b.c.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				codes[i] = resp.StatusCode
			}()
		}
		time.Sleep(500 * time.Millisecond) // every form has reached its file
		close(finish)
		wg.Wait()
		sort.Ints(codes)
		if fmt.Sprint(codes) != "[200 200 200 200 200 429 429 429]" {
			t.Errorf("eight at once from one address: %v", codes)
		}
		if got := numbered(s); got != 5 {
			t.Errorf("%d numbered, want 5", got)
		}
	})

	t.Run("refused ones count", func(t *testing.T) {
		s := newSite(t)
		s.db.EnableBuzon(ctx, "test", "001", "90")
		// Five with a wrong field (no file read, nothing counted), five
		// whose file is refused (read and taken apart: counted), then a
		// good one.
		var codes []int
		for range 5 {
			resp, _ := s.browser().hand(merge(form, "email", "no es un correo"), upload{"carta.pdf", pdf})
			codes = append(codes, resp.StatusCode)
		}
		for range 5 {
			resp, _ := s.browser().hand(form, upload{"carta.pdf", aPDF(t, "Carta con guion", true)})
			codes = append(codes, resp.StatusCode)
		}
		resp, _ := s.browser().hand(form, upload{"carta.pdf", pdf})
		codes = append(codes, resp.StatusCode)
		if fmt.Sprint(codes) != "[400 400 400 400 400 400 400 400 400 400 429]" {
			t.Errorf("five wrong fields, five refused files, then a good one: %v", codes)
		}
		if got := numbered(s); got != 0 {
			t.Errorf("%d numbered", got)
		}
	})

	t.Run("one address does not close it", func(t *testing.T) {
		s := newSiteWith(t, console.Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
		s.db.EnableBuzon(ctx, "test", "001", "90")
		// One address sends far more than everyone's limit (300 in ten
		// minutes); its own limit refuses it from the sixth on.
		flood := s.browser()
		flood.xff = "198.51.100.9"
		refused := 0
		for i := range 320 {
			resp, _ := flood.hand(merge(form, "subject", fmt.Sprintf("Inundación %d", i)))
			if resp.StatusCode == 429 {
				refused++
			}
		}
		if refused != 315 {
			t.Errorf("%d of the flood's 320 refused, want 315", refused)
		}
		citizen := s.browser()
		citizen.xff = "198.51.100.10"
		if resp, _ := citizen.hand(form, upload{"carta.pdf", pdf}); resp.StatusCode != 200 {
			t.Errorf("another address after the flood: %d", resp.StatusCode)
		}
	})

	t.Run("fields before files", func(t *testing.T) {
		s := newSite(t)
		s.db.EnableBuzon(ctx, "test", "001", "90")
		// A wrong e-mail with a file over the limit: the e-mail is what is
		// said, the file is not read.
		big := append(append([]byte{}, pdf...), bytes.Repeat([]byte(" "), 11<<20)...)
		if resp, body := s.browser().hand(merge(form, "email", "no es un correo"), upload{"grande.pdf", big}); resp.StatusCode != 400 || !strings.Contains(body, "correo") {
			t.Errorf("a wrong e-mail with a file too big: %d", resp.StatusCode)
		}
		// A field after the file (another form token, here) is refused.
		b := s.browser()
		b.get("/buzon")
		head, tail, ct := splitForm(t, merge(form, "csrf", b.csrf), pdf)
		var body bytes.Buffer
		body.Write(head)
		body.Write(bytes.TrimSuffix(tail, []byte("--"+boundaryOf(ct)+"--\r\n")))
		fmt.Fprintf(&body, "--%s\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\notro\r\n--%s--\r\n", boundaryOf(ct), boundaryOf(ct))
		req, _ := http.NewRequest("POST", s.srv.URL+"/buzon", &body)
		req.Header.Set("Content-Type", ct)
		resp, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("a field after the files: %d", resp.StatusCode)
		}
		if got := numbered(s); got != 0 {
			t.Errorf("%d numbered", got)
		}
	})
}

// splitForm makes the Buzón's form with one file, cut in the middle of
// the file: what goes before the cut, what goes after, and its type.
func splitForm(t *testing.T, fields map[string]string, file []byte) (head, tail []byte, contentType string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	w, err := mw.CreateFormFile("files", "carta.pdf")
	if err != nil {
		t.Fatal(err)
	}
	cut := body.Len() + len(file)/2
	w.Write(file)
	mw.Close()
	all := body.Bytes()
	return all[:cut], all[cut:], mw.FormDataContentType()
}

func boundaryOf(contentType string) string {
	_, b, _ := strings.Cut(contentType, "boundary=")
	return b
}
