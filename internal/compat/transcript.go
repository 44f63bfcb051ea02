package compat

import (
	"bufio"
	"bytes"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

//go:embed testdata/*.jsonl
var files embed.FS

// Transcript is one captured conversation of the original with itself.
type Transcript struct {
	Name   string
	Header header
	Lines  []Line
}

// header is what a transcript's first line says of the run.
type header struct {
	Cases []struct {
		Case  string   `json:"case"`
		Conns []int    `json:"conns"`
		Sent  []string `json:"sent"`
		Reply []string `json:"reply"`
	} `json:"cases"`
	CLIRuns []struct {
		Argv   []string `json:"argv"`
		Conns  []int    `json:"conns"`
		Exit   int      `json:"exit"`
		Stdout string   `json:"stdout"`
	} `json:"cli_runs"`
	MessageCount int `json:"message_count"`
	Connections  []struct {
		Conn        int    `json:"conn"`
		SocketTypes string `json:"socket_types"`
	} `json:"connections"`
}

// Line is one message of a transcript.
type Line struct {
	Conn   int
	C2S    bool // sent by the side that connected
	Frames [][]byte
}

// Payload returns the xbahn message of the line: its last frame, after a
// REQ/REP envelope.
func (l Line) Payload() []byte { return l.Frames[len(l.Frames)-1] }

// Load reads the transcript of that name, such as "a-api".
func Load(name string) (*Transcript, error) {
	b, err := files.ReadFile("testdata/" + name + ".jsonl")
	if err != nil {
		return nil, err
	}
	t := &Transcript{Name: name}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for i := 0; sc.Scan(); i++ {
		if i == 0 {
			if err := json.Unmarshal(sc.Bytes(), &t.Header); err != nil {
				return nil, fmt.Errorf("%s: header: %v", name, err)
			}
			continue
		}
		var raw struct {
			Conn   int    `json:"conn"`
			Dir    string `json:"dir"`
			Frames []struct {
				Text *string `json:"text"`
				Hex  string  `json:"hex"`
			} `json:"frames"`
		}
		if err := json.Unmarshal(sc.Bytes(), &raw); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, i+1, err)
		}
		l := Line{Conn: raw.Conn, C2S: raw.Dir == "c2s"}
		for _, f := range raw.Frames {
			if f.Text != nil {
				l.Frames = append(l.Frames, []byte(*f.Text))
				continue
			}
			h, err := hex.DecodeString(f.Hex)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, i+1, err)
			}
			l.Frames = append(l.Frames, h)
		}
		t.Lines = append(t.Lines, l)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(t.Lines) != t.Header.MessageCount {
		return nil, fmt.Errorf("%s: %d messages, the header says %d", name, len(t.Lines), t.Header.MessageCount)
	}
	return t, nil
}

// sent decodes a payload as h1 and h2 list it: text, or "hex:" and hex.
func sent(s string) ([]byte, error) {
	if h, ok := strings.CutPrefix(s, "hex:"); ok {
		return hex.DecodeString(h)
	}
	return []byte(s), nil
}
