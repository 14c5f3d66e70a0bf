package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"badges/cluster"
	"badges/internal/testenv"
	"badges/presence"
	"badges/store"
)

// TestMigrate copies an embedded store into Redis, and a second run
// changes nothing.
func TestMigrate(t *testing.T) {
	r := testenv.StartRedis(t)
	data := t.TempDir()
	st, err := store.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	seen := time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)
	now := time.Now()
	want := []presence.Record{
		{JID: "alice@example.com", Subscribed: true, HideMessage: true, LastSeen: seen},
		{JID: "bob@example.com", Subscribed: true, OptedOut: true},
		{JID: "carol@example.com", HTTP: &presence.HTTPState{Status: presence.Away, Message: "lunch",
			Changed: now.Add(-time.Minute).Truncate(time.Millisecond), Expires: now.Add(time.Hour).Truncate(time.Millisecond)}},
	}
	for _, rec := range want {
		if errs := st.Write([]presence.Write{{Record: rec}}); errs != nil {
			t.Fatal(errs[0])
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	args := []string{"migrate", "-data", data, "-redis", r.URL}
	var out bytes.Buffer
	if err := run(t.Context(), args, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "3 copied") {
		t.Errorf("first run said %q, want 3 copied", out.String())
	}
	rdb, err := cluster.Connect(r.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	cs := cluster.NewStore(rdb)
	snap := func() map[string]presence.Shared {
		all, err := cs.Snapshot(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		m := make(map[string]presence.Shared, len(all))
		for _, s := range all {
			m[s.Record.JID] = s
		}
		return m
	}
	first := snap()
	if len(first) != len(want) {
		t.Fatalf("redis holds %d records, want %d", len(first), len(want))
	}
	for _, w := range want {
		got := first[w.JID].Record
		w.Version = got.Version
		if !equalRecords(got, w) {
			t.Errorf("%s: redis holds %+v, want %+v", w.JID, got, w)
		}
	}
	if p := first["carol@example.com"].Presence; p.Status != presence.Away || p.Message != "lunch" {
		t.Errorf("carol shows %+v, want away with her message", p)
	}

	out.Reset()
	if err := run(t.Context(), args, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatalf("second migrate: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "0 copied") {
		t.Errorf("second run said %q, want 0 copied", out.String())
	}
	for jid, s := range snap() {
		if s.Record.Version != first[jid].Record.Version {
			t.Errorf("%s: version %d after the second run, was %d", jid, s.Record.Version, first[jid].Record.Version)
		}
	}
}

func equalRecords(a, b presence.Record) bool {
	eqHTTP := (a.HTTP == nil) == (b.HTTP == nil)
	if eqHTTP && a.HTTP != nil {
		eqHTTP = a.HTTP.Status == b.HTTP.Status && a.HTTP.Message == b.HTTP.Message &&
			a.HTTP.Changed.Equal(b.HTTP.Changed) && a.HTTP.Expires.Equal(b.HTTP.Expires)
	}
	return a.JID == b.JID && a.Subscribed == b.Subscribed && a.OptedOut == b.OptedOut &&
		a.HideMessage == b.HideMessage && a.LastSeen.Equal(b.LastSeen) && a.Version == b.Version && eqHTTP
}
