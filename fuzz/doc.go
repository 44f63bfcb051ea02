// Package fuzz holds the fuzz targets of xbahn: one target per decoder of
// the zmtp, wire and route packages and of the URL parser, each reaching only
// exported API, with seed corpora of edge cases under testdata/fuzz.
//
// Plain "go test ./fuzz" replays every seed and every input once found to
// crash; "go test ./fuzz -run '^$' -fuzz FuzzName -fuzztime 1m" fuzzes one
// target for longer.
package fuzz
