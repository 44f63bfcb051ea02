package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"demo"}, &out, &errOut); code != 0 {
		t.Fatalf("run(demo) = %d, stderr %q", code, errOut.String())
	}
	for _, want := range []string{
		`client: send "hello"`,
		`server: got ["hello"]`,
		`client: reply ["echo" "hello"]`,
		`client: reply ["echo" "ZMTP 3.1"]`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"bogus"}, &out, &errOut); code != 2 {
		t.Errorf("run(bogus) = %d, want 2", code)
	}
	if !strings.Contains(errOut.String(), "usage: engineer") {
		t.Errorf("stderr = %q, want usage", errOut.String())
	}
}
