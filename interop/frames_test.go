package interop

import (
	"bytes"
	"fmt"
)

// diffFrames describes the first difference between got and want, or
// returns "" when they are byte-for-byte equal. It never prints whole
// large frames.
func diffFrames(got, want [][]byte) string {
	if len(got) != len(want) {
		return fmt.Sprintf("got %d frames %s, want %d frames %s", len(got), brief(got), len(want), brief(want))
	}
	for i := range want {
		if bytes.Equal(got[i], want[i]) {
			continue
		}
		if len(got[i]) <= 64 && len(want[i]) <= 64 {
			return fmt.Sprintf("frame %d = %q, want %q", i, got[i], want[i])
		}
		if len(got[i]) != len(want[i]) {
			return fmt.Sprintf("frame %d: got %d bytes, want %d", i, len(got[i]), len(want[i]))
		}
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				return fmt.Sprintf("frame %d: byte %d = %#02x, want %#02x", i, j, got[i][j], want[i][j])
			}
		}
	}
	return ""
}

// brief formats frames, cutting long ones short.
func brief(fs [][]byte) string {
	var b bytes.Buffer
	b.WriteByte('[')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(' ')
		}
		if len(f) > 16 {
			fmt.Fprintf(&b, "%q…(%d bytes)", f[:16], len(f))
		} else {
			fmt.Fprintf(&b, "%q", f)
		}
	}
	b.WriteByte(']')
	return b.String()
}
