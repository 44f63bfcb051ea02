package term

import (
	"bufio"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// ErrInterrupted is what ReadLine returns when Ctrl-C is typed.
var ErrInterrupted = errors.New("term: interrupted")

// maxLine bounds the characters a line can hold.
const maxLine = 1 << 16

// Config says where an Editor reads and writes and what it offers.
type Config struct {
	// In is the terminal typed on.
	In *os.File
	// Out is where the prompt and the line are drawn, usually the same
	// terminal.
	Out io.Writer
	// HistoryFile keeps the lines entered across runs; "" keeps them for
	// this run only.
	HistoryFile string
	// HistorySize is how many lines the history keeps; 0 means
	// DefaultHistorySize.
	HistorySize int
	// Complete, when set, is asked on Tab for what can replace the word
	// before byte pos of line: it returns where that word starts and the
	// candidates. One candidate replaces the word, followed by a space
	// unless it ends in "="; several are completed to their common prefix,
	// or listed.
	Complete func(line string, pos int) (start int, candidates []string)
}

// An Editor reads lines from a terminal, letting the user edit them:
//
//	Left, Right, Ctrl-B, Ctrl-F      move by a character
//	Alt-B, Alt-F                     move by a word
//	Home, End, Ctrl-A, Ctrl-E        go to the start or the end
//	Backspace, Delete, Ctrl-D        delete before or under the cursor
//	Ctrl-K, Ctrl-U, Ctrl-W           delete to the end, to the start, a word back
//	Up, Down, Ctrl-P, Ctrl-N         walk the history
//	Tab                              complete
//	Ctrl-L                           clear the screen
//	Ctrl-C                           abandon the line (ErrInterrupted)
//	Ctrl-D on an empty line          end (io.EOF)
//
// The terminal is in raw mode only while ReadLine runs. An Editor starts
// no goroutine.
type Editor struct {
	in       *bufio.Reader
	out      io.Writer
	fd       uintptr
	terminal bool // put fd into raw mode while reading
	complete func(string, int) (int, []string)
	hist     history

	mu      sync.Mutex
	restore func() error // puts the terminal back while ReadLine has it raw

	// The line being edited.
	prompt string
	line   []rune
	pos    int    // cursor, in line
	off    int    // first character shown when the line is wider than the screen
	width  int    // screen columns, 0 if unknown
	idx    int    // history entry shown; len(hist.lines) is the line typed
	draft  string // the line typed, while the history is shown
	buf    []byte // output of one key
}

// New returns an Editor on the terminal c.In.
func New(c Config) (*Editor, error) {
	if c.In == nil || c.Out == nil {
		return nil, errors.New("term: an editor needs In and Out")
	}
	if !IsTerminal(c.In.Fd()) {
		return nil, errors.New("term: " + c.In.Name() + " is not a terminal")
	}
	e := newEditor(c.In, c)
	e.fd, e.terminal = c.In.Fd(), true
	return e, nil
}

// newEditor returns an Editor reading keys from r, whatever it is.
func newEditor(r io.Reader, c Config) *Editor {
	size := c.HistorySize
	if size <= 0 {
		size = DefaultHistorySize
	}
	e := &Editor{
		in:       bufio.NewReader(r),
		out:      c.Out,
		complete: c.Complete,
		hist:     history{file: c.HistoryFile, size: size},
	}
	e.hist.load()
	return e
}

// History returns the lines entered, oldest first.
func (e *Editor) History() []string { return append([]string(nil), e.hist.lines...) }

// ReadLine shows prompt and returns the line typed after it, without its
// end. It returns ErrInterrupted when Ctrl-C abandons the line and io.EOF
// when Ctrl-D is typed on an empty line or the input ends.
func (e *Editor) ReadLine(prompt string) (string, error) {
	if e.terminal {
		restore, err := MakeRaw(e.fd)
		if err != nil {
			return "", err
		}
		e.mu.Lock()
		e.restore = restore
		e.mu.Unlock()
		defer e.Restore()
		e.width = Width(e.fd)
	}
	e.prompt, e.line, e.pos, e.off = prompt, e.line[:0], 0, 0
	e.idx, e.draft = len(e.hist.lines), ""
	e.refresh()
	e.flush()
	for {
		k, err := e.readKey()
		if err != nil {
			e.emit("\r\n")
			e.flush()
			if err == io.EOF || errors.Is(err, os.ErrClosed) {
				return "", io.EOF
			}
			return "", err
		}
		line, done, err := e.key(k)
		e.flush()
		if done {
			return line, err
		}
	}
}

// Restore puts the terminal back as it was before ReadLine made it raw, if
// it did. It may be called from any goroutine, as by a signal handler
// before the program ends; the ReadLine that runs then leaves the
// terminal as it is.
func (e *Editor) Restore() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.restore != nil {
		e.restore()
		e.restore = nil
	}
}

// A key is a character typed, or one of the keys below.
type key rune

const (
	keyNone key = unicode.MaxRune + 1 + iota
	keyUp
	keyDown
	keyLeft
	keyRight
	keyHome
	keyEnd
	keyDelete
	keyWordLeft
	keyWordRight
)

const (
	ctrlA     = 1
	ctrlB     = 2
	ctrlC     = 3
	ctrlD     = 4
	ctrlE     = 5
	ctrlF     = 6
	ctrlH     = 8
	tab       = 9
	ctrlJ     = 10
	ctrlK     = 11
	ctrlL     = 12
	ctrlM     = 13
	ctrlN     = 14
	ctrlP     = 16
	ctrlU     = 21
	ctrlW     = 23
	escape    = 27
	backspace = 127
)

// readKey reads one key: a character, a control character or an escape
// sequence; keyNone for sequences it does not know.
func (e *Editor) readKey() (key, error) {
	b, err := e.in.ReadByte()
	if err != nil {
		return keyNone, err
	}
	if b >= utf8.RuneSelf {
		e.in.UnreadByte()
		r, _, err := e.in.ReadRune()
		return key(r), err
	}
	if b != escape {
		return key(b), nil
	}
	b, err = e.in.ReadByte()
	if err != nil {
		return keyNone, err
	}
	switch b {
	case 'b', 'B':
		return keyWordLeft, nil
	case 'f', 'F':
		return keyWordRight, nil
	case '[', 'O':
	default:
		// A lone Escape: the byte after it is a key of its own.
		e.in.UnreadByte()
		return keyNone, nil
	}
	// A control sequence: parameter and intermediate bytes (0x20 to 0x3f),
	// then a final byte (0x40 to 0x7e). Anything else ends it unfinished
	// and is a key of its own, so that no Enter or Ctrl-C is swallowed.
	var param [8]byte
	n := 0
	for {
		c, err := e.in.ReadByte()
		if err != nil {
			return keyNone, err
		}
		switch {
		case c >= 0x40 && c <= 0x7e:
			return csiKey(c, string(param[:n])), nil
		case c < 0x20 || c > 0x7e:
			e.in.UnreadByte()
			return keyNone, nil
		}
		if n < len(param) {
			param[n] = c
			n++
		}
	}
}

// csiKey is the key a control sequence with this final byte and these
// parameters stands for.
func csiKey(final byte, param string) key {
	switch final {
	case 'A':
		return keyUp
	case 'B':
		return keyDown
	case 'C':
		if strings.HasSuffix(param, ";5") || strings.HasSuffix(param, ";3") {
			return keyWordRight
		}
		return keyRight
	case 'D':
		if strings.HasSuffix(param, ";5") || strings.HasSuffix(param, ";3") {
			return keyWordLeft
		}
		return keyLeft
	case 'H':
		return keyHome
	case 'F':
		return keyEnd
	case '~':
		switch param {
		case "1", "7":
			return keyHome
		case "4", "8":
			return keyEnd
		case "3":
			return keyDelete
		}
	}
	return keyNone
}

// key acts on one key; done says the line is over.
func (e *Editor) key(k key) (line string, done bool, err error) {
	switch k {
	case ctrlM, ctrlJ:
		line = string(e.line)
		e.pos = len(e.line)
		e.refresh()
		e.emit("\r\n")
		e.hist.add(line)
		return line, true, nil
	case ctrlC:
		e.emit("^C\r\n")
		return "", true, ErrInterrupted
	case ctrlD:
		if len(e.line) == 0 {
			e.emit("\r\n")
			return "", true, io.EOF
		}
		e.deleteRange(e.pos, e.pos+1)
	case keyDelete:
		e.deleteRange(e.pos, e.pos+1)
	case ctrlH, backspace:
		e.deleteRange(e.pos-1, e.pos)
	case ctrlA, keyHome:
		e.pos = 0
	case ctrlE, keyEnd:
		e.pos = len(e.line)
	case ctrlB, keyLeft:
		e.pos = max(e.pos-1, 0)
	case ctrlF, keyRight:
		e.pos = min(e.pos+1, len(e.line))
	case keyWordLeft:
		e.pos = e.wordStart()
	case keyWordRight:
		e.pos = e.wordEnd()
	case ctrlK:
		e.deleteRange(e.pos, len(e.line))
	case ctrlU:
		e.deleteRange(0, e.pos)
	case ctrlW:
		e.deleteRange(e.wordStart(), e.pos)
	case ctrlP, keyUp:
		e.walk(-1)
	case ctrlN, keyDown:
		e.walk(+1)
	case ctrlL:
		e.emit("\x1b[H\x1b[2J")
	case tab:
		e.completeWord()
	default:
		if k < ' ' || k == backspace || k > unicode.MaxRune {
			return "", false, nil
		}
		if e.pos == len(e.line) && (e.width == 0 || len(e.line)+1 < e.width-utf8.RuneCountInString(e.prompt)-1) {
			// Typed at the end of a line that fits: draw the character alone.
			if e.insert([]rune{rune(k)}) {
				e.buf = utf8.AppendRune(e.buf, rune(k))
			}
			return "", false, nil
		}
		e.insert([]rune{rune(k)})
	}
	e.refresh()
	return "", false, nil
}

// insert puts rs at the cursor, unless the line would grow too long.
func (e *Editor) insert(rs []rune) bool {
	if len(e.line)+len(rs) > maxLine {
		e.emit("\a")
		return false
	}
	e.line = append(e.line[:e.pos], append(rs, e.line[e.pos:]...)...)
	e.pos += len(rs)
	return true
}

// deleteRange removes the characters from i up to j, as far as the line
// has them, and leaves the cursor where they were.
func (e *Editor) deleteRange(i, j int) {
	i, j = max(i, 0), min(j, len(e.line))
	if i >= j {
		return
	}
	e.line = append(e.line[:i], e.line[j:]...)
	e.pos = i
}

// wordStart is where the word before the cursor starts.
func (e *Editor) wordStart() int {
	i := e.pos
	for i > 0 && e.line[i-1] == ' ' {
		i--
	}
	for i > 0 && e.line[i-1] != ' ' {
		i--
	}
	return i
}

// wordEnd is where the word after the cursor ends.
func (e *Editor) wordEnd() int {
	i := e.pos
	for i < len(e.line) && e.line[i] == ' ' {
		i++
	}
	for i < len(e.line) && e.line[i] != ' ' {
		i++
	}
	return i
}

// walk shows the history entry d steps away, the line typed after the
// newest.
func (e *Editor) walk(d int) {
	next := e.idx + d
	if next < 0 || next > len(e.hist.lines) {
		return
	}
	if e.idx == len(e.hist.lines) {
		e.draft = string(e.line)
	}
	e.idx = next
	text := e.draft
	if next < len(e.hist.lines) {
		text = e.hist.lines[next]
	}
	e.line = append(e.line[:0], []rune(text)...)
	e.pos = len(e.line)
}

// completeWord completes the word before the cursor.
func (e *Editor) completeWord() {
	if e.complete == nil {
		return
	}
	text := string(e.line)
	pos := len(string(e.line[:e.pos]))
	start, cands := e.complete(text, pos)
	if start < 0 || start > pos || len(cands) == 0 {
		e.emit("\a")
		return
	}
	word := text[start:pos]
	if len(cands) == 1 {
		c := cands[0]
		if !strings.HasSuffix(c, "=") {
			c += " "
		}
		e.replace(text, start, c)
		return
	}
	if p := commonPrefix(cands); len(p) > len(word) && strings.HasPrefix(p, word) {
		e.replace(text, start, p)
		return
	}
	e.emit("\r\n")
	for i, c := range cands {
		if i > 0 {
			e.emit("  ")
		}
		e.emit(c)
	}
	e.emit("\r\n")
}

// replace puts with in place of the word from byte start of text up to
// the cursor.
func (e *Editor) replace(text string, start int, with string) {
	i := utf8.RuneCountInString(text[:start])
	rs := []rune(with)
	if len(e.line)-(e.pos-i)+len(rs) > maxLine {
		e.emit("\a")
		return
	}
	rest := append([]rune(nil), e.line[e.pos:]...)
	e.line = append(append(e.line[:i], rs...), rest...)
	e.pos = i + len(rs)
}

// commonPrefix is the longest prefix of every string in list.
func commonPrefix(list []string) string {
	p := list[0]
	for _, s := range list[1:] {
		n := 0
		for n < len(p) && n < len(s) && p[n] == s[n] {
			n++
		}
		p = p[:n]
	}
	for !utf8.ValidString(p) {
		p = p[:len(p)-1]
	}
	return p
}

// refresh draws the prompt and the line, scrolled so that the cursor
// shows when they are wider than the screen.
func (e *Editor) refresh() {
	avail := e.width - utf8.RuneCountInString(e.prompt) - 1
	from, to := 0, len(e.line)
	if e.width > 0 && avail >= 8 && len(e.line) > avail {
		e.off = min(e.off, e.pos, len(e.line))
		if e.pos-e.off >= avail {
			e.off = e.pos - avail + 1
		}
		from, to = e.off, min(len(e.line), e.off+avail)
	}
	e.emit("\r")
	e.emit(e.prompt)
	e.emit(string(e.line[from:to]))
	e.emit("\x1b[K")
	if back := to - e.pos; back > 0 {
		e.buf = append(e.buf, "\x1b["...)
		e.buf = strconv.AppendInt(e.buf, int64(back), 10)
		e.buf = append(e.buf, 'D')
	}
}

func (e *Editor) emit(s string) { e.buf = append(e.buf, s...) }

// flush writes what the last key drew.
func (e *Editor) flush() {
	if len(e.buf) > 0 {
		e.out.Write(e.buf)
		e.buf = e.buf[:0]
	}
}
