package store

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/radicador/radicador/radicado"
)

// holdTest holds a message with the given Message-ID, as a fetch would.
func holdTest(t *testing.T, s *Store, id string, claim *Claim) int64 {
	t.Helper()
	sum, size, err := s.Blobs().Put(context.Background(), bytes.NewReader([]byte("Message-ID: <"+id+">\r\n\r\ntexto")))
	if err != nil {
		t.Fatal(err)
	}
	n, _, err := s.AddMail(context.Background(), MailEntry{MessageID: id, SHA256: sum, Size: size, Source: "imap", From: "a@x.co",
		Subject: "s", Date: time.Now(), Carried: []string{"inner-" + id}}, claim)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMailGuards: a held message and its claims are never deleted, what it
// is never changes, and once radicated or discarded it stays so, and its
// Message-IDs stay recorded; a radicación that takes a message already
// taken, or carrying one radicated, records nothing.
func TestMailGuards(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	c := &Claim{Folder: "Radicador/001-01", UIDValidity: 7, UID: 3}
	first := holdTest(t, s, "m1@x.co", c)
	if again, _, err := s.AddMail(ctx, MailEntry{MessageID: "m1@x.co", SHA256: mustMail(t, s, first).SHA256, Source: "imap"},
		&Claim{Folder: "Radicador/001-01", UIDValidity: 7, UID: 9}); err != nil || again != first {
		t.Fatalf("the same bytes again: %d %v", again, err)
	}
	d := draft(t, s, radicado.Entrada, "por correo")
	d.Mail, d.Channel = first, radicado.ChannelEmail
	rec, err := s.Radicar(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DELETE FROM mail`,
		`DELETE FROM mail_claims`,
		`DELETE FROM mail_ids`,
		`UPDATE mail_ids SET number = 'otro'`,
		`UPDATE mail SET state = 'waiting'`,
		`UPDATE mail SET number = 'otro'`,
		`UPDATE mail SET sha256 = 'x'`,
		`UPDATE mail SET message_id = 'otro@x.co'`,
		`UPDATE mail SET carried = ''`,
		`UPDATE radicados SET channel = ''`,
		`UPDATE radicados SET sender_email = 'otro@x.co'`,
	} {
		if _, err := s.db.Exec(q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
	// Taken again, and a message carrying one radicated: refused, nothing
	// numbered.
	second := holdTest(t, s, "inner-m1@x.co", nil)
	for _, id := range []int64{first, second} {
		d := draft(t, s, radicado.Entrada, "otra vez")
		d.Mail = id
		if _, err := s.Radicar(ctx, d); !errors.Is(err, ErrMailDone) && !errors.Is(err, ErrMailRadicated) {
			t.Errorf("message %d radicated again: %v", id, err)
		}
	}
	if _, err := s.DiscardMail(ctx, second, "ana", "copia de "+rec.Number); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DiscardMail(ctx, second, "ana", "otra vez"); !errors.Is(err, ErrMailDone) {
		t.Errorf("discarded twice: %v", err)
	}
	if all, _ := s.List(ctx, Filter{}); len(all) != 1 {
		t.Errorf("%d radicados", len(all))
	}
	for _, claim := range []Claim{*c, {Folder: "Radicador/001-01", UIDValidity: 7, UID: 9}} {
		if st, err := s.MailClaimed(ctx, claim); err != nil || !st.Held || st.State != MailRadicated || st.Moved {
			t.Errorf("claim %+v: %+v %v", claim, st, err)
		}
	}
	if rep, err := s.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("verify: %+v %v", rep, err)
	}
}

func mustMail(t *testing.T, s *Store, id int64) MailEntry {
	t.Helper()
	m, err := s.Mail(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
