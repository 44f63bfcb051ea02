// Package fuzz holds the fuzz targets of xbahn: one target per decoder of
// the zmtp, wire and route packages, of the URL parser and of the engineer
// command line, each reaching only exported API, with seed corpora of edge
// cases under testdata/fuzz. The engineer shell's line editor is fuzzed in
// its own package, engineer/internal/term, which is not importable here.
//
// Plain "go test ./fuzz" replays every seed and every input once found to
// crash; "go test ./fuzz -run '^$' -fuzz FuzzName -fuzztime 1m" fuzzes one
// target for longer.
package fuzz
