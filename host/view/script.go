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

// ScriptActions lists the actions a script's lines take, as help and
// errors show them.
const ScriptActions = "zoom FACTOR, pan DX DY, click X Y, key NAME, frames N, screenshot PATH, resize W H"

// ActionKind is what a script line does.
type ActionKind int

// The script's actions.
const (
	// ActZoom zooms by Args[0] about the view's centre (below 1 zooms out).
	ActZoom ActionKind = iota + 1
	// ActPan moves the view by Args[0], Args[1] (fractions of the view).
	ActPan
	// ActClick clicks at pixel Args[0], Args[1] of the framebuffer (y
	// down).
	ActClick
	// ActKey presses Key.
	ActKey
	// ActFrames waits Args[0] frames before the next action.
	ActFrames
	// ActScreenshot saves the next frame to Path.
	ActScreenshot
	// ActResize resizes the window to Args[0]×Args[1] pixels.
	ActResize
)

var actionNames = map[ActionKind]string{ActZoom: "zoom", ActPan: "pan", ActClick: "click", ActKey: "key", ActFrames: "frames", ActScreenshot: "screenshot", ActResize: "resize"}

// String is the action's name in scripts.
func (k ActionKind) String() string {
	if n, ok := actionNames[k]; ok {
		return n
	}
	return fmt.Sprintf("ActionKind(%d)", int(k))
}

// actionArgs is how many numbers the actions that take numbers take.
var actionArgs = map[ActionKind]int{ActZoom: 1, ActPan: 2, ActClick: 2, ActFrames: 1, ActResize: 2}

// Key is a key the viewer understands, from the keyboard or a script.
type Key int

// The viewer's keys.
const (
	KeyReset          Key = iota + 1 // r: back to the starting view
	KeyColormap                      // c: the next colormap
	KeyLog                           // l: log colour scale on or off
	KeyMoreLevels                    // plus: more contour lines
	KeyFewerLevels                   // minus: fewer contour lines
	KeyScreenshot                    // s: save a screenshot
	KeyClearRuns                     // x: clear the optimizer runs
	KeyToggle3D                      // v: 2D or 3D
	KeyNextSurface                   // n: the next surface
	KeyPrevSurface                   // p: the previous surface
	KeyHyperparameter                // h: select the next hyperparameter
	KeyLower                         // comma: lower the selected hyperparameter
	KeyRaise                         // period: raise it
	KeyQuit                          // q or escape: quit
	KeyCritical                      // k: show or hide the critical points
)

// keyNames are the keys' script names, in the order error messages list
// them.
var keyNames = []struct {
	name string
	key  Key
}{
	{"r", KeyReset}, {"c", KeyColormap}, {"l", KeyLog}, {"plus", KeyMoreLevels}, {"minus", KeyFewerLevels},
	{"s", KeyScreenshot}, {"x", KeyClearRuns}, {"v", KeyToggle3D}, {"n", KeyNextSurface}, {"p", KeyPrevSurface},
	{"h", KeyHyperparameter}, {"comma", KeyLower}, {"period", KeyRaise}, {"q", KeyQuit}, {"escape", KeyQuit},
	{"k", KeyCritical},
}

// KeyNames are the keys' script names, in order.
func KeyNames() []string {
	out := make([]string, len(keyNames))
	for i, k := range keyNames {
		out[i] = k.name
	}
	return out
}

// String is the key's script name.
func (k Key) String() string {
	for _, n := range keyNames {
		if n.key == k {
			return n.name
		}
	}
	return fmt.Sprintf("Key(%d)", int(k))
}

// Action is one line of a viewer script.
type Action struct {
	Kind ActionKind
	// Args holds zoom's factor, pan's fractions, click's pixels, frames'
	// count, resize's size.
	Args []float64
	// Key is key's key.
	Key Key
	// Path is screenshot's file.
	Path string
	Line int
}

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
		bad := func(why string) error {
			return fmt.Errorf("%w: line %d %q: %s (actions: %s)", ErrScript, n, line, why, ScriptActions)
		}
		a, err := parseAction(f, bad)
		if err != nil {
			return nil, err
		}
		a.Line = n
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrScript, err)
	}
	return out, nil
}

// parseAction reads one line's fields; bad makes its errors.
func parseAction(f []string, bad func(why string) error) (Action, error) {
	var a Action
	for k, name := range actionNames {
		if name == f[0] {
			a.Kind = k
		}
	}
	switch a.Kind {
	case ActZoom, ActPan, ActClick, ActFrames, ActResize:
		if len(f)-1 != actionArgs[a.Kind] {
			return a, bad(fmt.Sprintf("%s takes %d numbers", a.Kind, actionArgs[a.Kind]))
		}
		for _, s := range f[1:] {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return a, bad(fmt.Sprintf("%q is not a finite number", s))
			}
			a.Args = append(a.Args, v)
		}
		whole := func(v float64) bool { return v == math.Trunc(v) }
		switch {
		case a.Kind == ActZoom && !(a.Args[0] > 0 && a.Args[0] <= 1e6):
			return a, bad("the factor must be above 0 (below 1 zooms out) and at most 1e6")
		case a.Kind == ActFrames && (a.Args[0] < 0 || a.Args[0] > 1e6 || !whole(a.Args[0])):
			return a, bad("frames takes a whole number from 0 to 1000000")
		case a.Kind == ActPan && (math.Abs(a.Args[0]) > 1e3 || math.Abs(a.Args[1]) > 1e3):
			return a, bad("pan moves at most 1000 views")
		case a.Kind == ActResize && (a.Args[0] < 1 || a.Args[1] < 1 || a.Args[0] > 8192 || a.Args[1] > 8192 || !whole(a.Args[0]) || !whole(a.Args[1])):
			return a, bad("resize takes whole numbers of pixels from 1 to 8192")
		}
	case ActKey:
		if len(f) != 2 {
			return a, bad("key takes one name")
		}
		name := strings.ToLower(f[1])
		for _, k := range keyNames {
			if k.name == name {
				a.Key = k.key
			}
		}
		if a.Key == 0 {
			return a, bad(fmt.Sprintf("unknown key (known: %s)", strings.Join(KeyNames(), ", ")))
		}
	case ActScreenshot:
		if len(f) != 2 {
			return a, bad("screenshot takes one path")
		}
		a.Path = f[1]
	default:
		return a, bad("unknown action")
	}
	return a, nil
}
