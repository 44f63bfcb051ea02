//go:build libzmq

package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	zmq "github.com/pebbe/zmq4"
)

// table makes every measurement once, writing progress to progress, and
// then writes the table to out. It returns how many cells failed. A cell
// whose progress name ("measurement, implementation") match does not
// find is left out.
func table(out, progress io.Writer, d time.Duration, match *regexp.Regexp) (failed int) {
	start := time.Now()
	results := make([][]*result, len(measurements))
	for mi, m := range measurements {
		results[mi] = make([]*result, len(impls))
		for ii, im := range impls {
			b := m.body(im)
			name := m.name + ", " + im.name
			if b == nil || !match.MatchString(name) {
				continue
			}
			fmt.Fprintf(progress, "%s: ", name)
			r := measure(d, b)
			results[mi][ii] = &r
			if r.err != nil {
				failed++
				fmt.Fprintf(progress, "failed: %v\n", r.err)
			} else {
				fmt.Fprintf(progress, "%d in %v\n", r.n, r.elapsed.Round(time.Millisecond))
			}
		}
	}
	writeTable(out, start, d, results)
	return failed
}

// The columns the ratios compare xbahn with.
const (
	xbahnColumn  = 0
	libzmqColumn = 1
	floorColumn  = 4
)

// writeTable writes the results as a markdown table, with the time and
// machine above it and notes below it.
func writeTable(w io.Writer, start time.Time, d time.Duration, results [][]*result) {
	fmt.Fprintf(w, "Measured %s in one run of %v per cell, on loopback TCP.\n\n",
		start.UTC().Format("2006-01-02 15:04 MST"), d)
	fmt.Fprintf(w, "%s; %s.\n\n", machine(), versions())

	fmt.Fprint(w, "| |")
	for _, im := range impls {
		fmt.Fprintf(w, " %s |", im.name)
	}
	fmt.Fprintf(w, " xbahn vs %s | xbahn vs %s |\n|---|", impls[libzmqColumn].name, impls[floorColumn].name)
	fmt.Fprint(w, strings.Repeat("---:|", len(impls)+2), "\n")

	var failures []string
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |", r.label)
		for ii, im := range impls {
			res := results[r.of][ii]
			switch {
			case res == nil:
				fmt.Fprint(w, " — |")
			case res.err != nil:
				fmt.Fprint(w, " failed |")
				failures = append(failures, fmt.Sprintf("%s, %s: %v", measurements[r.of].name, im.name, res.err))
			default:
				fmt.Fprintf(w, " %s |", formatValue(r.latency, r.value(*res)))
			}
		}
		for _, other := range []int{libzmqColumn, floorColumn} {
			fmt.Fprintf(w, " %s |", ratio(r, results[r.of][xbahnColumn], results[r.of][other]))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, `
The ratio columns compare speed: above 1, xbahn is faster; below 1, slower.
Round trips are timed one by one on one connection; "8 clients" are eight
connections, each used by its own goroutine, to one echoing REP; PUSH/PULL
counts messages from one PUSH until its PULL has received the last; RPC
callers share one client: xbahn's rpc over DEALER/ROUTER, the standard
library's net/rpc with gob, and for raw TCP a minimal binary protocol of
call ids and operands. In the rows headed "server apart" the server runs
in a process of its own, on the same machine. A dash means the
implementation has no such thing.
`)
	// Each failure is listed once, though it may fill several cells.
	seen := map[string]bool{}
	for _, f := range failures {
		if !seen[f] {
			seen[f] = true
			fmt.Fprintf(w, "\nFailed: %s\n", f)
		}
	}
}

// formatValue writes a duration in seconds as microseconds, and a rate
// with three significant digits.
func formatValue(latency bool, v float64) string {
	if latency {
		us := v * 1e6
		if us < 100 {
			return fmt.Sprintf("%.1f µs", us)
		}
		return fmt.Sprintf("%.0f µs", us)
	}
	unit := ""
	switch {
	case v >= 1e6:
		v, unit = v/1e6, " M"
	case v >= 1e3:
		v, unit = v/1e3, " k"
	}
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f%s", v, unit)
	case v < 100:
		return fmt.Sprintf("%.1f%s", v, unit)
	}
	return fmt.Sprintf("%.0f%s", v, unit)
}

// ratio writes how many times faster xbahn is than other in row r.
func ratio(r row, xbahn, other *result) string {
	if xbahn == nil || other == nil || xbahn.err != nil || other.err != nil {
		return "—"
	}
	x, o := r.value(*xbahn), r.value(*other)
	if x <= 0 || o <= 0 {
		return "—"
	}
	if r.latency {
		return fmt.Sprintf("%.2f×", o/x)
	}
	return fmt.Sprintf("%.2f×", x/o)
}

// machine describes the machine and the Go that built the command.
func machine() string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if name, ok := strings.CutPrefix(s.Text(), "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
		f.Close()
	}
	desc := fmt.Sprintf("%s %s/%s, %s, %d CPUs", runtime.Version(), runtime.GOOS, runtime.GOARCH, cpu, runtime.NumCPU())
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			desc += ", load average " + strings.Join(f[:3], " ")
		}
	}
	return desc
}

// versions names the versions of the peers measured.
func versions() string {
	major, minor, patch := zmq.Version()
	desc := fmt.Sprintf("libzmq %d.%d.%d", major, minor, patch)
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range bi.Deps {
			switch dep.Path {
			case "github.com/pebbe/zmq4", "github.com/go-zeromq/zmq4":
				desc += fmt.Sprintf(", %s %s", strings.TrimPrefix(dep.Path, "github.com/"), dep.Version)
			}
		}
	}
	return desc
}
