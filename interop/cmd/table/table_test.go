//go:build libzmq

package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary be the server process of the table's
// rows that have one.
func TestMain(m *testing.M) {
	if asked, status := serveChild(); asked {
		os.Exit(status)
	}
	os.Exit(m.Run())
}

// TestTable runs every cell briefly and checks that the table has every
// row and column, filled wherever an implementation has the feature.
func TestTable(t *testing.T) {
	if testing.Short() {
		t.Skip("measures every cell; skipped in -short mode")
	}
	var out, progress bytes.Buffer
	if failed := table(&out, &progress, 20*time.Millisecond, regexp.MustCompile("")); failed != 0 {
		t.Fatalf("table: %d cells failed:\n%s", failed, progress.String())
	}
	lines := strings.Split(out.String(), "\n")
	for _, want := range []string{"xbahn", "libzmq", "go-zeromq/zmq4", "net/rpc", "raw TCP", "xbahn vs libzmq", "xbahn vs raw TCP", "libzmq 4."} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table does not mention %q:\n%s", want, out.String())
		}
	}
	for _, r := range rows {
		line := ""
		for _, l := range lines {
			if strings.HasPrefix(l, "| "+r.label+" |") {
				line = l
			}
		}
		if line == "" {
			t.Errorf("no row %q in:\n%s", r.label, out.String())
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")[1:]
		if got, want := len(cells), len(impls)+2; got != want {
			t.Errorf("row %q has %d cells, want %d", r.label, got, want)
			continue
		}
		for i, im := range impls {
			m := measurements[r.of]
			cell := strings.TrimSpace(cells[i])
			if got, want := cell == "—", m.body(im) == nil; got != want {
				t.Errorf("row %q, %s: cell %q, want a dash: %v", r.label, im.name, cell, want)
			}
		}
		if cell := strings.TrimSpace(cells[len(impls)+1]); !strings.HasSuffix(cell, "×") {
			t.Errorf("row %q: ratio to the floor %q, want a number", r.label, cell)
		}
	}
}

func TestFormatValue(t *testing.T) {
	for _, tt := range []struct {
		latency bool
		v       float64
		want    string
	}{
		{true, 15.26e-6, "15.3 µs"},
		{true, 258.4e-6, "258 µs"},
		{false, 11000, "11.0 k"},
		{false, 6.91e6, "6.91 M"},
		{false, 139_400, "139 k"},
		{false, 7.5, "7.50"},
	} {
		if got := formatValue(tt.latency, tt.v); got != tt.want {
			t.Errorf("formatValue(%v, %v) = %q, want %q", tt.latency, tt.v, got, tt.want)
		}
	}
}
