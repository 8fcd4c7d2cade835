// Package view is landscape's desktop viewer: a GLFW window that evaluates
// the visible region of a surface on the GPU at the window's resolution and
// draws it straight from the evaluation buffer.
package view

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ErrScript: a viewer script is malformed.
var ErrScript = errors.New("view: bad script")

// Action is one line of a viewer script.
type Action struct {
	// Kind is zoom, pan, click, key, frames or screenshot.
	Kind string
	// Args holds zoom's factor, pan's fractions, click's pixels, frames'
	// count.
	Args []float64
	// Name is key's name or screenshot's path.
	Name string
	Line int
}

// Keys the viewer understands, by script name.
var keyNames = []string{"r", "c", "l", "plus", "minus", "s", "x", "v", "n", "p", "h", "comma", "period", "q", "escape"}

var actionArgs = map[string]int{"zoom": 1, "pan": 2, "click": 2, "frames": 1, "resize": 2}

// ParseScript reads one action per line: zoom FACTOR, pan DX DY (fractions
// of the view), click X Y (pixels), key NAME, frames N, screenshot PATH,
// and resize W H (the window, in pixels, 1 to 8192).
// Blank lines and lines starting with # are skipped.
func ParseScript(r io.Reader) ([]Action, error) {
	var out []Action
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		a := Action{Kind: f[0], Line: n}
		bad := func(why string) error {
			return fmt.Errorf("%w: line %d %q: %s (actions: zoom FACTOR, pan DX DY, click X Y, key NAME, frames N, screenshot PATH, resize W H)", ErrScript, n, line, why)
		}
		switch a.Kind {
		case "zoom", "pan", "click", "frames", "resize":
			if len(f)-1 != actionArgs[a.Kind] {
				return nil, bad(fmt.Sprintf("%s takes %d numbers", a.Kind, actionArgs[a.Kind]))
			}
			for _, s := range f[1:] {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, bad(fmt.Sprintf("%q is not a finite number", s))
				}
				a.Args = append(a.Args, v)
			}
			switch {
			case a.Kind == "zoom" && !(a.Args[0] > 0 && a.Args[0] <= 1e6):
				return nil, bad("the factor must be above 0 (below 1 zooms out) and at most 1e6")
			case a.Kind == "frames" && (a.Args[0] < 0 || a.Args[0] > 1e6 || a.Args[0] != math.Trunc(a.Args[0])):
				return nil, bad("frames takes a whole number from 0 to 1000000")
			case a.Kind == "pan" && (math.Abs(a.Args[0]) > 1e3 || math.Abs(a.Args[1]) > 1e3):
				return nil, bad("pan moves at most 1000 views")
			case a.Kind == "resize" && (a.Args[0] < 1 || a.Args[1] < 1 || a.Args[0] > 8192 || a.Args[1] > 8192 || a.Args[0] != math.Trunc(a.Args[0]) || a.Args[1] != math.Trunc(a.Args[1])):
				return nil, bad("resize takes whole numbers of pixels from 1 to 8192")
			}
		case "key":
			if len(f) != 2 {
				return nil, bad("key takes one name")
			}
			a.Name = strings.ToLower(f[1])
			known := false
			for _, k := range keyNames {
				known = known || a.Name == k
			}
			if !known {
				return nil, bad(fmt.Sprintf("unknown key (known: %s)", strings.Join(keyNames, ", ")))
			}
		case "screenshot":
			if len(f) != 2 {
				return nil, bad("screenshot takes one path")
			}
			a.Name = f[1]
		default:
			return nil, bad("unknown action")
		}
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrScript, err)
	}
	return out, nil
}
