package route

import (
	"errors"
	"strconv"
)

// Errors wrapped by a [*PathError]; test for them with [errors.Is].
var (
	// ErrInvalid means the path breaks the rules of [Check].
	ErrInvalid = errors.New("route: invalid path")
	// ErrExists means [Tree.Add] found the path already registered.
	ErrExists = errors.New("route: duplicate path")
)

// PathError reports a path that [Check] or a [Tree] write rejected.
type PathError struct {
	Path   string // the path as given
	Err    error  // ErrInvalid or ErrExists
	Reason string // what is wrong with an invalid path, such as "empty segment"
}

func (e *PathError) Error() string {
	s := e.Err.Error() + " " + strconv.Quote(e.Path)
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

func (e *PathError) Unwrap() error { return e.Err }
