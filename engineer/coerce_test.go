package engineer

import (
	"math"
	"testing"
)

func TestCoerce(t *testing.T) {
	for _, tt := range []struct {
		t    Type
		v    any
		want any // nil: an error
	}{
		{Int, "7", int64(7)},
		{Int, int64(-3), int64(-3)},
		{Int, 5, int64(5)},
		{Int, uint64(9), int64(9)},
		{Int, uint64(math.MaxUint64), nil},
		{Int, 3.0, int64(3)},
		{Int, 3.5, nil},
		{Int, 1e19, nil},
		{Int, math.Exp2(63), nil},
		{Int, true, nil},
		{Float, int64(2), 2.0},
		{Float, 0.25, 0.25},
		{Float, "1.5", 1.5},
		{Bool, true, true},
		{Bool, "false", false},
		{Bool, int64(1), nil},
		{String, "x", "x"},
		{String, int64(1), nil},
		{Int, nil, nil},
	} {
		got, err := coerce(tt.t, tt.v)
		if tt.want == nil {
			if err == nil {
				t.Errorf("coerce(%s, %#v) = %#v, want an error", tt.t, tt.v, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("coerce(%s, %#v) = %#v, %v; want %#v", tt.t, tt.v, got, err, tt.want)
		}
	}
}
