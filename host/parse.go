package host

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/landscape-go/landscape/compute"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// The parsers here read the values users write (the CLI's flag values).
// Their errors say what is wrong with the value, and neither repeat it nor
// name where it came from: the caller does (the CLI names the flag).

// MaxAxis bounds the points along one grid axis.
const MaxAxis = 1 << 16

// Res is a grid's resolution: points along x and y.
type Res struct{ Nx, Ny int }

// String is r as ParseRes reads it.
func (r Res) String() string {
	if r.Nx == r.Ny {
		return strconv.Itoa(r.Nx)
	}
	return fmt.Sprintf("%dx%d", r.Nx, r.Ny)
}

// ParseRes parses "N" (square) or "NXxNY"; each must be from 2 to MaxAxis.
func ParseRes(s string) (Res, error) {
	bad := func(why string) error {
		return fmt.Errorf("%s (use NX or NXxNY, for example 1024 or 1024x768, each from 2 to %d)", why, MaxAxis)
	}
	parts := strings.Split(strings.ToLower(strings.TrimSpace(s)), "x")
	if len(parts) > 2 {
		return Res{}, bad("too many parts")
	}
	var n [2]int
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return Res{}, bad("not a whole number")
		}
		if v < 2 {
			return Res{}, bad(fmt.Sprintf("%d is below 2", v))
		}
		if v > MaxAxis {
			return Res{}, bad(fmt.Sprintf("%d is above %d", v, MaxAxis))
		}
		n[i] = v
	}
	if len(parts) == 1 {
		n[1] = n[0]
	}
	return Res{n[0], n[1]}, nil
}

// ParseRange parses "x0:x1,y0:y1" into two increasing, finite intervals,
// or "x0:x1" (for a surface of one parameter, drawn as a curve) into x
// alone, y then being the zero Interval.
func ParseRange(s string) (x, y sdk.Interval, err error) {
	parts := strings.Split(s, ",")
	if len(parts) == 1 {
		if x, err = parseInterval(parts[0]); err != nil {
			return x, y, fmt.Errorf("%v (want x0:x1,y0:y1, or lo:hi for a surface of one parameter)", err)
		}
		return x, y, nil
	}
	if len(parts) != 2 {
		return x, y, fmt.Errorf("want x0:x1,y0:y1, for example -2:2,-1:3 (lo:hi for a surface of one parameter)")
	}
	var iv [2]sdk.Interval
	for i, p := range parts {
		if iv[i], err = parseInterval(p); err != nil {
			return x, y, fmt.Errorf("%v (want x0:x1,y0:y1 with x0 < x1 and y0 < y1)", err)
		}
	}
	return iv[0], iv[1], nil
}

// ParseInterval parses "lo:hi" into an increasing, finite interval.
func ParseInterval(s string) (sdk.Interval, error) {
	iv, err := parseInterval(s)
	if err != nil {
		return iv, fmt.Errorf("%v (want lo:hi with lo < hi, for example -0.5:1.5)", err)
	}
	return iv, nil
}

func parseInterval(s string) (sdk.Interval, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return sdk.Interval{}, fmt.Errorf("%q has no ':'", s)
	}
	lo, err := parseFinite(a)
	if err != nil {
		return sdk.Interval{}, err
	}
	hi, err := parseFinite(b)
	if err != nil {
		return sdk.Interval{}, err
	}
	if !(lo < hi) {
		return sdk.Interval{}, fmt.Errorf("%v:%v is empty or inverted", lo, hi)
	}
	if hi-lo > math.MaxFloat64/4 {
		return sdk.Interval{}, fmt.Errorf("%v:%v is too wide", lo, hi)
	}
	return sdk.Interval{Lo: lo, Hi: hi}, nil
}

func parseFinite(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", strings.TrimSpace(s))
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not finite", strings.TrimSpace(s))
	}
	return v, nil
}

// ParseVector parses comma-separated finite numbers ("1,2.5,-3").
func ParseVector(s string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		v, err := parseFinite(p)
		if err != nil {
			return nil, fmt.Errorf("%v (want comma-separated numbers)", err)
		}
		out = append(out, v)
	}
	return out, nil
}

// ParseAxes parses "i,j": two different parameter indices (whether the
// surface has them is checked when the plane is resolved).
func ParseAxes(s string) ([2]int, error) {
	parts := strings.Split(s, ",")
	var ax [2]int
	if len(parts) != 2 {
		return ax, fmt.Errorf("want two parameter indices, for example 0,1")
	}
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 0 || v >= MaxAxis {
			return ax, fmt.Errorf("%q: indices must be whole numbers from 0", strings.TrimSpace(p))
		}
		ax[i] = v
	}
	if ax[0] == ax[1] {
		return ax, fmt.Errorf("the two axes must differ")
	}
	return ax, nil
}

// FormatBytes writes n bytes in binary units ("1.5 GiB").
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}

// ParseBytes parses a size such as "512MiB", "4GiB", "2G" or a plain byte count.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	lower := strings.ToLower(t)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40}, {"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40}, {"b", 1}} {
		if strings.HasSuffix(lower, u.suffix) {
			mult = u.m
			t = strings.TrimSpace(t[:len(t)-len(u.suffix)])
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v > 0) || v*float64(mult) > 1<<50 {
		return 0, fmt.Errorf("want a positive size such as 512MiB or 8GiB")
	}
	n := int64(v * float64(mult))
	if n < 1 {
		return 0, fmt.Errorf("less than one byte (want a size such as 512MiB or 8GiB)")
	}
	return n, nil
}

// ParseDuration parses a positive duration of at most a day, as Go writes
// them ("30s", "2m", "1h30m", "500ms").
func ParseDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil || d <= 0 || d > 24*time.Hour {
		return 0, fmt.Errorf("want a positive duration of at most 24h, such as 30s or 2m")
	}
	return d, nil
}

// ParseWhole parses a whole number from lo to hi.
func ParseWhole(s string, lo, hi int) (int, error) {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("want a whole number from %d to %d", lo, hi)
	}
	return v, nil
}

// AddSettings parses one hyperparameter value as users give it ("name=value",
// several comma-separated; a piece without '=' continues the previous
// value, so a file name may hold commas) into s. Numbers go to Params;
// anything else (a choice's name, false or true, a file name) to Texts,
// for the surface or optimizer that declares it to judge. A name given
// twice is an error, as is a number that is not finite.
func AddSettings(s *client.Settings, v string) error {
	if s.Params == nil {
		s.Params = sdk.Params{}
	}
	if s.Texts == nil {
		s.Texts = sdk.Texts{}
	}
	var items []string
	for i, kv := range strings.Split(v, ",") {
		if i > 0 && !strings.Contains(kv, "=") && len(items) > 0 {
			items[len(items)-1] += "," + kv
			continue
		}
		items = append(items, kv)
	}
	for _, kv := range items {
		kv = strings.TrimSpace(kv)
		if kv == "" {
			continue
		}
		k, val, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return fmt.Errorf("%q: want name=value, for example A=5", kv)
		}
		_, dupP := s.Params[k]
		_, dupT := s.Texts[k]
		if dupP || dupT {
			if o, n, ok := strings.Cut(k, "."); ok && o != "surface" && o != "opt" {
				return fmt.Errorf("%s is given twice (compare races one optimizer at several settings as --optimizers %s@%s=A,%s@%s=B)", k, o, n, o, n)
			}
			return fmt.Errorf("%s is given twice", k)
		}
		if _, err := strconv.ParseFloat(strings.TrimSpace(val), 64); err != nil {
			s.Texts[k] = strings.TrimSpace(val)
			continue
		}
		f, err := parseFinite(val)
		if err != nil {
			return fmt.Errorf("%s: %v", k, err)
		}
		s.Params[k] = f
	}
	return nil
}

// ParseSettings is AddSettings over several values.
func ParseSettings(vals ...string) (client.Settings, error) {
	var s client.Settings
	for _, v := range vals {
		if err := AddSettings(&s, v); err != nil {
			return s, err
		}
	}
	if s.Params == nil {
		s = client.Settings{Params: sdk.Params{}, Texts: sdk.Texts{}}
	}
	return s, nil
}

// enum is a closed set of names a value takes, in order.
type enum []string

// parse is the index of s in e, or an error listing e.
func (e enum) parse(s string) (int, error) {
	for i, n := range e {
		if s == n {
			return i, nil
		}
	}
	return 0, fmt.Errorf("accepted: %s", strings.Join(e, ", "))
}

func (e enum) name(i int) string {
	if i >= 0 && i < len(e) {
		return e[i]
	}
	return strconv.Itoa(i)
}

// Backend is where grids are evaluated: auto takes the GPU when a GL 4.3
// context can be made and the surface ships GLSL that compiles, and the
// CPU otherwise (saying why); gl and cpu insist.
type Backend int

// The backends.
const (
	BackendAuto Backend = iota
	BackendGL
	BackendCPU
)

var backendNames = enum{"auto", "gl", "cpu"}

// String is b's name.
func (b Backend) String() string { return backendNames.name(int(b)) }

// ParseBackend reads a backend's name.
func ParseBackend(s string) (Backend, error) {
	i, err := backendNames.parse(s)
	return Backend(i), err
}

// PlaneKind is how a plane through parameter space is chosen.
type PlaneKind int

// The planes: two parameters vary (axis), two seeded Gaussian directions
// (random), the same rescaled filter by filter to the origin's norms
// (filter, Li et al. 2018), the first two principal directions of an
// optimizer trajectory (pca), two directions given (dirs), or the
// Hessian's eigenvectors (hessian).
const (
	PlaneAxis PlaneKind = iota
	PlaneRandom
	PlaneFilter
	PlanePCA
	// PlaneDirs takes the directions the user brings (PlaneSpec.Dirs).
	PlaneDirs
	// PlaneHessian takes the Hessian's eigenvectors at the point: its two
	// largest eigenvalues', or its largest's and smallest's
	// (PlaneSpec.Extremes).
	PlaneHessian
)

var planeNames = enum{"axis", "random", "filter", "pca", "dirs", "hessian"}

// String is k's name.
func (k PlaneKind) String() string { return planeNames.name(int(k)) }

// ParsePlaneKind reads a plane's name.
func ParsePlaneKind(s string) (PlaneKind, error) {
	i, err := planeNames.parse(s)
	return PlaneKind(i), err
}

// FilterBias is what filter-normalized directions do with bias groups
// (see compute.BiasRule): zero (loss-landscape's ignore='biasbn', the
// default), copy (the origin's values) or rescale (as a filter).
type FilterBias = compute.BiasRule

var filterBiasNames = enum{"zero", "copy", "rescale"}

// FilterBiasName is b's name.
func FilterBiasName(b FilterBias) string { return filterBiasNames.name(int(b)) }

// ParseFilterBias reads zero, copy or rescale.
func ParseFilterBias(s string) (FilterBias, error) {
	i, err := filterBiasNames.parse(s)
	return FilterBias(i), err
}

// Direction is a line's direction through parameter space: parameter Axis
// (Kind PlaneAxis), or a seeded Gaussian direction (PlaneRandom),
// filter-normalized (PlaneFilter).
type Direction struct {
	Kind PlaneKind
	Axis int
}

// String is d as ParseDirection reads it.
func (d Direction) String() string {
	if d.Kind == PlaneAxis {
		return "axis:" + strconv.Itoa(d.Axis)
	}
	return d.Kind.String()
}

// ParseDirection reads "axis:I", "random" or "filter".
func ParseDirection(s string) (Direction, error) {
	switch {
	case strings.HasPrefix(s, "axis:"):
		k, err := strconv.Atoi(strings.TrimPrefix(s, "axis:"))
		if err != nil || k < 0 {
			return Direction{}, fmt.Errorf("want axis:I with I a parameter's index")
		}
		return Direction{Kind: PlaneAxis, Axis: k}, nil
	case s == "random":
		return Direction{Kind: PlaneRandom}, nil
	case s == "filter":
		return Direction{Kind: PlaneFilter}, nil
	}
	return Direction{}, fmt.Errorf("accepted: axis:I, random, filter")
}

// Endpoint is an end of a minimum-energy path: a point (numbers, or a
// file as LoadVector reads it), or a surface's known minimum by its index
// (Minimum ≥ 0, written minK).
type Endpoint struct {
	X       []float64
	Minimum int
	// Text is the endpoint as written.
	Text string
}

// ParseEndpoint reads "minK" (the surface's known minimum K, from 0) or a
// point (numbers or a file: see LoadVector).
func ParseEndpoint(s string) (Endpoint, error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, "min"); ok {
		k, err := strconv.Atoi(rest)
		if err != nil || k < 0 {
			return Endpoint{}, fmt.Errorf("want minK with K a known minimum's index (min0 is the first; see landscape surfaces), numbers x0,x1,... or a trajectory/.npy file")
		}
		return Endpoint{Minimum: k, Text: s}, nil
	}
	x, err := LoadVector(s)
	if err != nil {
		return Endpoint{}, err
	}
	return Endpoint{X: x, Minimum: -1, Text: s}, nil
}

// ParseEndpoints reads "A:B", two endpoints (see ParseEndpoint) split at
// the last ':' that leaves both sides readable.
func ParseEndpoints(s string) (a, b Endpoint, err error) {
	var first error
	for i := len(s) - 1; i > 0; i-- {
		if s[i] != ':' {
			continue
		}
		if a, err = ParseEndpoint(s[:i]); err == nil {
			if b, err = ParseEndpoint(s[i+1:]); err == nil {
				return a, b, nil
			}
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = fmt.Errorf("want A:B, two ends of a path (minK, x0,x1,... or a file), for example min0:min1")
	}
	return a, b, first
}

// ProfileDir is a direction of a stats profile: a Direction (axis:I,
// random, filter), the Hessian's lowest and highest eigenvectors
// (Hessian), or a vector read from a file (Vec).
type ProfileDir struct {
	Direction
	Hessian bool
	Vec     []float64
	// Text is the direction as written.
	Text string
}

// ParseProfileDir reads "axis:I", "random", "filter", "hessian" or a
// direction vector's file (.npy, or a trajectory's last point).
func ParseProfileDir(s string) (ProfileDir, error) {
	s = strings.TrimSpace(s)
	if s == "hessian" {
		return ProfileDir{Hessian: true, Text: s}, nil
	}
	if looksLikeFile(s) || strings.Contains(s, ".npy@") || strings.Contains(s, ".csv@") || strings.Contains(s, ".json@") {
		v, err := LoadVector(s)
		if err != nil {
			return ProfileDir{}, err
		}
		return ProfileDir{Vec: v, Text: s}, nil
	}
	d, err := ParseDirection(s)
	if err != nil {
		return ProfileDir{}, fmt.Errorf("accepted: axis:I, random, filter, hessian or a direction's .npy file")
	}
	return ProfileDir{Direction: d, Text: s}, nil
}

// ParseSigma reads σ, a positive finite number of grid cells.
func ParseSigma(s string) (float64, error) {
	v, err := parseFinite(s)
	if err != nil {
		return 0, fmt.Errorf("%v (want a positive number of grid cells, for example 1 or 2.5)", err)
	}
	if !(v > 0) {
		return 0, fmt.Errorf("%v is not positive (want a positive number of grid cells, for example 1 or 2.5)", v)
	}
	return v, nil
}

// RacerSpec is one optimizer of a race as written: NAME, or NAME@k=v with
// settings of its own (NAME@lr=0.1,momentum=0.9).
type RacerSpec struct {
	// Text is the racer as written, its label.
	Text      string
	Optimizer string
	// Settings are its own (nil for none).
	Settings *client.Settings
}

// ParseRacers parses a comma-separated list of optimizers, each NAME or
// NAME@name=value, so that one optimizer races at several settings
// (gd@lr=0.1,gd@lr=0.01,adam). A piece with '=' and no '@' is one more
// setting of the racer before it (momentum@lr=0.01,momentum=0.9); any
// other piece is an optimizer's name. Names are checked against the
// catalog later.
func ParseRacers(s string) ([]RacerSpec, error) {
	var out []RacerSpec
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		name, set, at := strings.Cut(p, "@")
		switch {
		case !at && strings.Contains(p, "="):
			if len(out) == 0 || out[len(out)-1].Settings == nil {
				return nil, fmt.Errorf("%q: a setting follows an optimizer's NAME@name=value (for example gd@lr=0.1,gd@lr=0.01,adam)", p)
			}
			r := &out[len(out)-1]
			if err := AddSettings(r.Settings, p); err != nil {
				return nil, fmt.Errorf("%s: %v", r.Optimizer, err)
			}
			r.Text += "," + p
			continue
		case strings.TrimSpace(name) == "":
			return nil, fmt.Errorf("%q has no optimizer name (want NAME or NAME@name=value)", p)
		case !at:
			out = append(out, RacerSpec{Text: p, Optimizer: p})
			continue
		}
		name = strings.TrimSpace(name)
		if strings.TrimSpace(set) == "" || strings.Contains(set, "@") || strings.ContainsAny(name, "= \t") {
			return nil, fmt.Errorf("%q: want NAME@name=value, for example gd@lr=0.1", p)
		}
		st := &client.Settings{}
		if err := AddSettings(st, set); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		out = append(out, RacerSpec{Text: p, Optimizer: name, Settings: st})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("want comma-separated optimizers, each NAME or NAME@name=value")
	}
	return out, nil
}

// Sweep is a hyperparameter swept over N values from Lo to Hi, both
// included: evenly spaced, or evenly on a log scale.
type Sweep struct {
	Name   string
	Lo, Hi float64
	N      int
	Log    bool
}

// MaxSweep bounds a sweep's values.
const MaxSweep = 1000

// ParseSweep parses "name=lo:hi:n" (n evenly spaced values, both ends
// included, as numpy.linspace) or "name=lo:hi:n:log" (as numpy.geomspace;
// lo and hi positive); n from 2 to MaxSweep.
func ParseSweep(s string) (Sweep, error) {
	const want = "want name=lo:hi:n or name=lo:hi:n:log, for example lr=1e-4:1e-1:9:log"
	name, spec, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return Sweep{}, errors.New(want)
	}
	parts := strings.Split(spec, ":")
	if len(parts) != 3 && len(parts) != 4 {
		return Sweep{}, errors.New(want)
	}
	w := Sweep{Name: name}
	if len(parts) == 4 {
		switch strings.TrimSpace(parts[3]) {
		case "log":
			w.Log = true
		case "lin":
		default:
			return w, fmt.Errorf("the spacing is log or lin, not %q", parts[3])
		}
	}
	iv, err := parseInterval(parts[0] + ":" + parts[1])
	if err != nil {
		return w, fmt.Errorf("%v (%s)", err, want)
	}
	w.Lo, w.Hi = iv.Lo, iv.Hi
	if w.Log && !(w.Lo > 0) {
		return w, fmt.Errorf("%g:%g: a log sweep needs positive ends", w.Lo, w.Hi)
	}
	n, err := strconv.Atoi(strings.TrimSpace(parts[2]))
	if err != nil || n < 2 || n > MaxSweep {
		return w, fmt.Errorf("%q: the number of values must be a whole number from 2 to %d", strings.TrimSpace(parts[2]), MaxSweep)
	}
	w.N = n
	return w, nil
}

// Values are the sweep's N values, Lo first and Hi last (exactly).
func (w Sweep) Values() []float64 {
	out := make([]float64, w.N)
	for i := range out {
		t := float64(i) / float64(w.N-1)
		if w.Log {
			out[i] = math.Exp(math.Log(w.Lo) + t*(math.Log(w.Hi)-math.Log(w.Lo)))
		} else {
			out[i] = w.Lo + t*(w.Hi-w.Lo)
		}
	}
	out[0], out[w.N-1] = w.Lo, w.Hi
	return out
}

// String is w as ParseSweep reads it.
func (w Sweep) String() string {
	s := fmt.Sprintf("%s=%g:%g:%d", w.Name, w.Lo, w.Hi, w.N)
	if w.Log {
		s += ":log"
	}
	return s
}
