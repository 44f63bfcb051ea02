package zmtp

import (
	"errors"
	"io"
	"slices"
	"sync/atomic"
)

// DefaultReadBufferSize is the size of a Reader's buffer when none is given.
const DefaultReadBufferSize = 32 << 10

// Reader reads ZMTP frames from an io.Reader through a reusable buffer.
//
// ReadFrame is resumable: when the underlying reader fails part-way through a
// frame, for example with a deadline error, the bytes already read are kept,
// and the next call continues the same frame. A Reader is not safe for
// concurrent use.
type Reader struct {
	r          io.Reader
	buf        []byte
	start, end int            // unread bytes are buf[start:end]
	v1         bool           // frames of ZMTP 1.0, after such a greeting
	count      *atomic.Uint64 // bytes read, when set
	cmdLimit   uint64         // bounds a command's body when not 0

	// The frame being read, when a call returned before its end.
	inBody  bool
	flags   Flags
	size    uint64 // declared body size
	remain  uint64 // body bytes still to read
	bodyErr error  // sticky error for a frame over its limit
}

// NewReader returns a Reader over r with a buffer of size bytes, or of
// DefaultReadBufferSize if size is below MaxHeaderSize.
func NewReader(r io.Reader, size int) *Reader {
	if size < MaxHeaderSize {
		size = DefaultReadBufferSize
	}
	return &Reader{r: r, buf: make([]byte, size)}
}

// Reset discards any buffered data and partial frame and reads from r next.
func (r *Reader) Reset(rd io.Reader) {
	*r = Reader{r: rd, buf: r.buf, count: r.count, cmdLimit: r.cmdLimit}
}

// SetCommandLimit bounds the body of a command frame to n bytes, below
// the limit ReadFrame is given for every frame; 0 removes the bound. A
// command is small (RFC 37's are, but for READY's metadata), so that a
// peer cannot make a connection allocate a message's worth for one.
func (r *Reader) SetCommandLimit(n uint64) { r.cmdLimit = n }

// Buffered returns the bytes read from the underlying reader but not yet
// consumed.
func (r *Reader) Buffered() []byte { return r.buf[r.start:r.end] }

// ReadFrame reads one frame, appends its body to dst and returns the frame's
// flags (LONG cleared) and the extended dst. A body larger than limit bytes is
// an error wrapping ErrTooLarge, found before anything is allocated for it;
// large bodies grow dst as their bytes arrive, not as their header declares.
//
// If ReadFrame returns an error other than a protocol error after appending
// part of a body, out holds that part: call ReadFrame again with out as dst
// to resume. io.EOF is returned only between frames; a stream that ends
// inside a frame gives io.ErrUnexpectedEOF.
func (r *Reader) ReadFrame(dst []byte, limit uint64) (flags Flags, out []byte, err error) {
	if r.bodyErr != nil {
		return 0, dst, r.bodyErr
	}
	if !r.inBody {
		for {
			var (
				f    Flags
				size uint64
				n    int
				err  error
			)
			if r.v1 {
				f, size, n, err = parseFrameHeaderV1(r.buf[r.start:r.end])
			} else {
				f, size, n, err = ParseFrameHeader(r.buf[r.start:r.end])
			}
			if err != nil {
				r.bodyErr = err
				return 0, dst, err
			}
			if n > 0 {
				r.start += n
				if size > limit {
					r.bodyErr = protoErr("frame", &sizeError{"frame", size, limit})
					return 0, dst, r.bodyErr
				}
				if f.Has(FlagCommand) && r.cmdLimit != 0 && size > r.cmdLimit {
					r.bodyErr = protoErr("command", &sizeError{"command", size, r.cmdLimit})
					return 0, dst, r.bodyErr
				}
				r.inBody, r.flags, r.size, r.remain = true, f, size, size
				break
			}
			if err := r.fill(r.start == r.end); err != nil {
				return 0, dst, err
			}
		}
	}
	for r.remain > 0 {
		if r.start < r.end {
			n := min(uint64(r.end-r.start), r.remain)
			dst = append(dst, r.buf[r.start:r.start+int(n)]...)
			r.start += int(n)
			r.remain -= n
			continue
		}
		if r.remain >= uint64(len(r.buf)) {
			// A long body: read straight into dst, growing it
			// fourfold at a time, never beyond what the frame
			// declares. A header alone, declaring any size, thus
			// makes it allocate len(r.buf), and then no more than
			// four times what the body has brought.
			if cap(dst) == len(dst) {
				dst = slices.Grow(dst, int(min(r.remain, uint64(max(3*len(dst), len(r.buf))))))
			}
			room := dst[len(dst):cap(dst)]
			if uint64(len(room)) > r.remain {
				room = room[:r.remain]
			}
			n, err := r.r.Read(room)
			r.counted(n)
			dst = dst[:len(dst)+n]
			r.remain -= uint64(n)
			if err != nil && r.remain > 0 {
				return 0, dst, eofInFrame(err)
			}
			continue
		}
		if err := r.fill(false); err != nil {
			return 0, dst, err
		}
	}
	r.inBody = false
	return r.flags, dst, nil
}

// fill reads more bytes into the buffer, moving unread bytes to its start.
// atBoundary says whether no part of a frame has been read yet.
func (r *Reader) fill(atBoundary bool) error {
	if r.start > 0 {
		r.end = copy(r.buf, r.buf[r.start:r.end])
		r.start = 0
	}
	n, err := r.r.Read(r.buf[r.end:])
	r.counted(n)
	r.end += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	if atBoundary {
		return err
	}
	return eofInFrame(err)
}

// counted adds n to the count of bytes read, if there is one.
func (r *Reader) counted(n int) {
	if r.count != nil && n > 0 {
		r.count.Add(uint64(n))
	}
}

func eofInFrame(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

// next returns the next n bytes of the stream, n at most the buffer size,
// reading as needed. The bytes are valid until the next call of any method.
func (r *Reader) next(n int) ([]byte, error) {
	for r.end-r.start < n {
		if err := r.fill(r.start == r.end); err != nil {
			return nil, err
		}
	}
	b := r.buf[r.start : r.start+n]
	r.start += n
	return b, nil
}
