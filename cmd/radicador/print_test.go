package main

import (
	"bytes"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/printer/printertest"
)

func TestLabelCommands(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	page := fixture.PNG(t, src, "carta.png", "carta")
	var rad struct{ Number string }
	r := cli(t, data, "radicar", "--kind", "entrada", "--type", "peticion", "--sender", "Ana", "--subject", "Solicitud", "--json", page).OK(t)
	json.Unmarshal([]byte(r.Stdout), &rad)

	// To files, in each format.
	out := t.TempDir()
	for _, f := range []struct{ format, starts string }{{"zpl", "^XA"}, {"epl", "\nN\n"}, {"tspl", "SIZE "}, {"png", "\x89PNG"}, {"pdf", "%PDF-"}} {
		path := filepath.Join(out, "sticker."+f.format)
		cli(t, data, "label", rad.Number, "--format", f.format, "--out", path).OK(t)
		b, _ := os.ReadFile(path)
		if !bytes.HasPrefix(b, []byte(f.starts)) {
			t.Errorf("%s starts %q", f.format, b[:min(10, len(b))])
		}
	}
	r = cli(t, data, "label", rad.Number, "--format", "zpl", "--size", "4x2in", "--dpi", "300", "--copies", "3", "--out", "-").OK(t)
	if !strings.Contains(r.Stdout, "^PW1200") || !strings.Contains(r.Stdout, "^PQ3") {
		t.Errorf("4x2in at 300 dpi, 3 copies:\n%s", r.Stdout)
	}
	// Without --format, the file's extension says it.
	cli(t, data, "receipt", rad.Number, "--out", filepath.Join(out, "acuse.pdf")).OK(t)
	cli(t, data, "label", rad.Number, "--out", filepath.Join(out, "preview.png")).OK(t)
	for name, magic := range map[string]string{"acuse.pdf": "%PDF-", "preview.png": "\x89PNG"} {
		if b, _ := os.ReadFile(filepath.Join(out, name)); !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("%s starts %q", name, b[:min(8, len(b))])
		}
	}

	// Bad input: a clear error, exit 1.
	for _, args := range [][]string{
		{"label", "2026999999999999", "--out", "-"},
		{"label", rad.Number, "--size", "3x3cm", "--out", "-"},
		{"label", rad.Number, "--dpi", "150", "--out", "-"},
		{"label", rad.Number, "--format", "ps", "--out", "-"},
		{"label", rad.Number, "--printer", "lpt1"},
	} {
		if r := cli(t, data, args...); r.Code != 1 || r.Stderr == "" || strings.Count(r.Stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, %q", args, r.Code, r.Stderr)
		}
	}

	// With no printer configured, the sticker and the receipt go to the
	// data folder's etiquetas/, as the desktop does (one rule:
	// Printing.Destination).
	other := cli(t, data, "radicar", "--kind", "entrada", "--type", "peticion", "--sender", "Ana", "--subject", "Otra", page).OK(t)
	otherNumber := strings.Fields(other.Stdout)[0]
	r = cli(t, data, "label", otherNumber).OK(t)
	folder := filepath.Join(data, "etiquetas")
	if !strings.Contains(r.Stdout, "wrote the sticker of "+otherNumber+" to "+folder) {
		t.Errorf("label without a printer: %q", r.Stdout)
	}
	cli(t, data, "receipt", otherNumber).OK(t)
	for name, magic := range map[string]string{otherNumber + "-sticker.png": "\x89PNG", otherNumber + "-receipt.pdf": "%PDF-"} {
		if b, _ := os.ReadFile(filepath.Join(folder, name)); !bytes.HasPrefix(b, []byte(magic)) {
			t.Errorf("etiquetas/%s starts %q", name, b[:min(8, len(b))])
		}
	}

	// A printer that is off: exit 1, the job waits; back on: prints --retry.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	cli(t, data, "config", "set", "printer", "tcp://"+addr).OK(t)
	r = cli(t, data, "label", rad.Number)
	if r.Code != 1 || !strings.Contains(r.Stderr, "waits in the print queue") {
		t.Errorf("printer off: exit %d, %q", r.Code, r.Stderr)
	}
	r = cli(t, data, "prints", "--json").OK(t)
	var queue []map[string]any
	if json.Unmarshal([]byte(r.Stdout), &queue); len(queue) != 1 || queue[0]["number"] != rad.Number {
		t.Errorf("the queue: %s", r.Stdout)
	}
	z := printertest.NewZebra(t, addr)
	r = cli(t, data, "prints", "--retry").OK(t)
	if !strings.Contains(r.Stdout, "printed 1") {
		t.Errorf("retry: %s", r.Stdout)
	}
	if job := <-z.Jobs; !bytes.HasPrefix(job, []byte("^XA")) || bytes.Contains(job, []byte("COPIA")) {
		t.Errorf("the printer received %q", job)
	}
	r = cli(t, data, "label", rad.Number).OK(t)
	if !strings.Contains(r.Stdout, "COPIA") {
		t.Errorf("a reprint: %s", r.Stdout)
	}
	if job := <-z.Jobs; !bytes.Contains(job, []byte("COPIA")) {
		t.Errorf("the reprint did not say COPIA: %q", job)
	}
}
