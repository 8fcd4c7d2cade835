package sdk

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/landscape-go/landscape/sdk/grid"
)

// Surface is a loss surface. Loss must be safe for concurrent use: the SDK
// evaluates grids with several goroutines at once.
type Surface interface {
	// Info describes the surface. For a configured surface (see
	// SurfaceWithConfigure) it describes that configuration: dimension,
	// domain and minima may depend on the hyperparameters.
	Info() Info
	// Loss is the float64 reference value at theta (len(theta) == Info().Dim).
	// It returns NaN where the surface is undefined.
	Loss(theta []float64) float64
}

// SurfaceWithGradient is a Surface with an analytic gradient.
type SurfaceWithGradient interface {
	Surface
	// Grad writes the gradient at theta into dst (len(dst) == len(theta)).
	Grad(dst, theta []float64)
}

// SurfaceWithConfigure is a Surface with hyperparameters. The SDK fills in
// defaults and checks bounds (see Hyperparameter) before it calls Configure,
// so Configure sees every declared hyperparameter and only values in range.
// It returns a new surface; the receiver is not modified.
type SurfaceWithConfigure interface {
	Surface
	Configure(p Params) (Surface, error)
}

// SurfaceWithGLSL is a Surface that ships GLSL for GPU evaluation. The
// snippet defines `float loss()`, which may read:
//
//   - P(i): parameter i (0 ≤ i < DIM) at the point being evaluated;
//   - DIM: the number of parameters (an int constant);
//   - each number or choice hyperparameter as a float constant named as
//     declared (a choice's value is its option's index); a kernel declares
//     the constants its snippet names;
//   - DATA(i) and NDATA: the surface's data buffer (SurfaceWithData).
//
// It may also define `void grad(out float g[DIM])`, the analytic gradient at
// the same point; GPU optimizer runs use it, and central differences of
// loss() where it is missing.
//
// A loss that is a sum over samples (a data-driven surface) may also
// define, so that the GPU shares out one point's samples among many
// invocations (and small grids of large datasets use the whole device):
//
//   - SAMPLES: the number of samples (an int constant);
//   - `float loss_terms(int first, int last, int step)`: the sum of the
//     per-sample terms of samples first, first+step, … below last, at the
//     current point (P(i) as in loss());
//   - `float loss_total(float sum)`: the loss at the current point from the
//     sum of all SAMPLES terms (a mean, plus any penalty).
//
// loss() must equal loss_total(loss_terms(0, SAMPLES, 1)) up to float32
// rounding; the host sums each invocation's terms in blocks and adds the
// blocks, and the invocations' sums in a tree.
//
// The host wraps the snippet in a compute shader (package shaders). Math is
// float32 on the GPU; a result that is NaN or ±Inf is stored as NaN.
// sdktest.CheckGLSL checks the snippet against Loss.
type SurfaceWithGLSL interface {
	Surface
	GLSL() string
}

// Info describes a surface.
type Info struct {
	// Name is how users refer to the surface: lowercase letters, digits and
	// '-', starting with a letter.
	Name string
	// Summary is one line for listings.
	Summary string
	// Dim is the number of parameters.
	Dim int
	// Domain is the default range of each parameter (len Dim).
	Domain []Interval
	// Hyperparameters are the surface's settings, in declaration order.
	// Each Default is the value this surface has: the declared default on
	// the surface a plugin serves, the configured value on a surface that
	// Configure returned (so configuring it again changes only what is
	// given). sdktest checks this.
	Hyperparameters []Hyperparameter
	// Minima are known minima, global ones first. Tests check them and
	// images mark them.
	Minima []Minimum
	// Groups partition the parameters (for filter-normalized directions on
	// model surfaces). Optional.
	Groups []Group
	// Periods marks periodic parameters: Periods[k] > 0 says that the loss
	// at θ and at θ + Periods[k]·e_k is the same (an angle), so the host
	// wraps parameter k into [Domain[k].Lo, Domain[k].Lo + Periods[k]) for
	// distances, plots and start points. Empty, or Dim values with 0 for
	// parameters that are not periodic. Optional.
	Periods []float64
	// ParamNames names the parameters (Dim names, or none): a formula's
	// variables, say. The host labels axes, legends and charts with them;
	// trajectories and arrays keep their columns x0, x1, ... whatever the
	// names. Each is 1 to 64 printable characters without spaces or
	// commas, and no two are the same. Optional: without them the
	// parameters are x0, x1, ...
	ParamNames []string
}

// ParamName is the name of parameter k: ParamNames[k], or "x0", "x1", ...
func (i Info) ParamName(k int) string {
	if k >= 0 && k < len(i.ParamNames) {
		return i.ParamNames[k]
	}
	return "x" + strconv.Itoa(k)
}

// Interval is a closed range [Lo, Hi] (fields Lo and Hi), shared with the
// host's grids (package grid).
type Interval = grid.Interval

// Hyperparameter is a typed setting of a surface or an optimizer. It is a
// number (the zero value), a flag (Flag set), a choice (Options set) or a
// text (Text set).
type Hyperparameter struct {
	Name    string
	Doc     string
	Default float64
	// Min and Max bound the value, inclusive. Both zero means unbounded.
	Min, Max float64
	// Integer restricts the value to whole numbers.
	Integer bool
	// Options makes the hyperparameter a choice among named options. Its
	// value in Params is the option's index (0 ≤ v < len(Options)), so it
	// reaches Configure and GLSL as a number; users may give the name.
	Options []string
	// Flag makes the hyperparameter a switch: its value in Params is 0
	// (false) or 1 (true), as GLSL constants too, and users write false or
	// true (as torch.optim spells amsgrad=True, nesterov=False).
	Flag bool
	// Text makes the hyperparameter a string (a file name, a column name).
	// Its value is in Texts, not Params, and DefaultText is its default (the
	// configured value on a configured surface, as Default is). Surfaces
	// with text hyperparameters implement SurfaceWithTexts.
	Text        bool
	DefaultText string
}

// Texts holds text hyperparameter values by name.
type Texts map[string]string

// SurfaceWithTexts is a Surface with text hyperparameters (see
// Hyperparameter.Text). The SDK calls ConfigureTexts, instead of Configure,
// with every declared number and choice in p and every declared text in t.
type SurfaceWithTexts interface {
	Surface
	ConfigureTexts(p Params, t Texts) (Surface, error)
}

// Choice reports whether h is a choice.
func (h Hyperparameter) Choice() bool { return len(h.Options) > 0 }

// flagNames are a flag's values as users write them, by value.
var flagNames = [2]string{"false", "true"}

// Option is the index of the option named name, or -1.
func (h Hyperparameter) Option(name string) int {
	for i, o := range h.Options {
		if o == name {
			return i
		}
	}
	return -1
}

// DefaultString is h's default as users write it: the text, the option's
// name, false or true, or the number.
func (h Hyperparameter) DefaultString() string {
	if h.Text {
		return h.DefaultText
	}
	return h.Format(h.Default)
}

// DefaultValue is h's default for JSON: the text, the option's name, a
// boolean, or the number.
func (h Hyperparameter) DefaultValue() any {
	if h.Flag {
		return h.Default == 1
	}
	if h.Text || h.Choice() {
		return h.DefaultString()
	}
	return h.Default
}

// Format is v as users write it: the option's name for a choice, false or
// true for a flag.
func (h Hyperparameter) Format(v float64) string {
	if h.Flag && (v == 0 || v == 1) {
		return flagNames[int(v)]
	}
	if h.Choice() && v >= 0 && int(v) < len(h.Options) && v == math.Trunc(v) {
		return h.Options[int(v)]
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// Minimum is a known minimum of a surface. A minimum on the domain's
// boundary (eggholder's) need not have a zero gradient there.
type Minimum struct {
	Location []float64
	Value    float64
	// Local marks a local (not global) minimum.
	Local bool
}

// Group is a named run of consecutive parameters.
type Group struct {
	Name       string
	Start, Len int
	// Kind says what the parameters are; the zero value is a filter.
	Kind GroupKind
}

// GroupKind is what a parameter group is, which filter-normalized
// directions treat apart (Li et al. 2018, loss-landscape's
// normalize_directions_for_weights).
type GroupKind int

const (
	// GroupFilter is a filter: the incoming weights of one output unit (a
	// row of a Linear layer's weight matrix, one output channel of a
	// convolution's kernel), part of a tensor of two or more dimensions.
	// Its direction is rescaled to the origin's filter norm.
	GroupFilter GroupKind = iota
	// GroupBias is a whole parameter tensor of one dimension or none: a
	// layer's biases, batch-norm scales or shifts, a scalar. Li et al.
	// zero its direction (ignore='biasbn') or copy the origin's values.
	GroupBias
)

// Params holds hyperparameter values by name.
type Params map[string]float64

// Sentinel errors a surface or an optimizer returns (wrapped, with %w), and
// the host branches on.
var (
	// ErrBadParams: a hyperparameter is unknown, out of bounds or refused.
	// A Configure or Start that refuses its settings returns it.
	ErrBadParams = errors.New("sdk: bad hyperparameter")
	// ErrBadRequest: a request is malformed (a start point with no
	// coordinates, points of the wrong dimension, sizes that disagree).
	ErrBadRequest = errors.New("sdk: bad request")
)

// Bounded reports whether the hyperparameter declares bounds.
func (h Hyperparameter) Bounded() bool { return h.Min != 0 || h.Max != 0 }

// Check reports whether v is an acceptable value for h.
func (h Hyperparameter) Check(v float64) error {
	if h.Text {
		return fmt.Errorf("%w: %s is text, not a number", ErrBadParams, h.Name)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s=%v is not a finite number", ErrBadParams, h.Name, v)
	}
	if h.Flag && v != 0 && v != 1 {
		return fmt.Errorf("%w: %s=%v: write false or true (0 or 1)", ErrBadParams, h.Name, v)
	}
	if h.Choice() && (v != math.Trunc(v) || v < 0 || int(v) >= len(h.Options)) {
		return fmt.Errorf("%w: %s=%v: choose one of %s", ErrBadParams, h.Name, v, strings.Join(h.Options, ", "))
	}
	if h.Integer && v != math.Trunc(v) {
		return fmt.Errorf("%w: %s=%v must be a whole number", ErrBadParams, h.Name, v)
	}
	if h.Bounded() && (v < h.Min || v > h.Max) {
		return fmt.Errorf("%w: %s=%v is out of bounds [%v, %v]", ErrBadParams, h.Name, v, h.Min, h.Max)
	}
	return nil
}

// Resolve checks p against the declared hyperparameters and returns a full
// set: every declared number and choice, defaults filled in. Unknown names
// are an error that lists the accepted ones. (ResolveTexts also takes
// texts.)
func Resolve(decl []Hyperparameter, p Params) (Params, error) {
	out, _, err := ResolveTexts(decl, p, nil)
	return out, err
}

// ResolveTexts is Resolve for numbers and texts together: p holds numbers
// (a choice by index, a flag as 0 or 1), t holds texts, and a choice may
// be given by name in t, a flag as false or true. It returns every declared number and choice in one set and every
// declared text in the other, defaults filled in.
func ResolveTexts(decl []Hyperparameter, p Params, t Texts) (Params, Texts, error) {
	out := make(Params, len(decl))
	texts := Texts{}
	known := make(map[string]Hyperparameter, len(decl))
	for _, h := range decl {
		known[h.Name] = h
		if h.Text {
			texts[h.Name] = h.DefaultText
		} else {
			out[h.Name] = h.Default
		}
	}
	lookup := func(k string) (Hyperparameter, error) {
		h, ok := known[k]
		if ok {
			return h, nil
		}
		if len(decl) == 0 {
			return h, fmt.Errorf("%w: %q is unknown (this surface has no hyperparameters)", ErrBadParams, k)
		}
		acc := make([]string, len(decl))
		for i, d := range decl {
			acc[i] = d.Name
		}
		return h, fmt.Errorf("%w: %q is unknown (accepted: %s)", ErrBadParams, k, strings.Join(acc, ", "))
	}
	for _, k := range sortedKeys(p) {
		h, err := lookup(k)
		if err != nil {
			return nil, nil, err
		}
		if h.Text {
			texts[k] = strconv.FormatFloat(p[k], 'g', -1, 64)
			continue
		}
		if err := h.Check(p[k]); err != nil {
			return nil, nil, err
		}
		out[k] = p[k]
	}
	for _, k := range sortedKeys(t) {
		h, err := lookup(k)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case h.Text:
			texts[k] = t[k]
		case h.Choice():
			i := h.Option(t[k])
			if i < 0 {
				return nil, nil, fmt.Errorf("%w: %s=%q: choose one of %s", ErrBadParams, k, t[k], strings.Join(h.Options, ", "))
			}
			out[k] = float64(i)
		case h.Flag:
			v, ok := flagValue(t[k])
			if !ok {
				return nil, nil, fmt.Errorf("%w: %s=%q: write false or true", ErrBadParams, k, t[k])
			}
			out[k] = v
		default:
			return nil, nil, fmt.Errorf("%w: %s=%q is not a number", ErrBadParams, k, t[k])
		}
	}
	return out, texts, nil
}

// flagValue reads a flag as users write it (false/true, as torch spells
// them False/True, or 0/1).
func flagValue(s string) (float64, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "false", "0":
		return 0, true
	case "true", "1":
		return 1, true
	}
	return 0, false
}

func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// Configure returns s configured with p: p is resolved against s's declared
// hyperparameters, and s's Configure (if any) is called. A surface without
// hyperparameters accepts only an empty p.
func Configure(s Surface, p Params) (Surface, error) { return ConfigureTexts(s, p, nil) }

// ConfigureTexts is Configure with texts (see ResolveTexts).
func ConfigureTexts(s Surface, p Params, t Texts) (Surface, error) {
	info := s.Info()
	full, texts, err := ResolveTexts(info.Hyperparameters, p, t)
	if err != nil {
		return nil, err
	}
	var cs Surface
	switch c := s.(type) {
	case SurfaceWithTexts:
		cs, err = c.ConfigureTexts(full, texts)
	case SurfaceWithConfigure:
		cs, err = c.Configure(full)
	default:
		return s, nil
	}
	if err != nil {
		if errors.Is(err, ErrBadParams) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrBadParams, err)
	}
	return cs, nil
}

// Validate checks that an Info is well formed.
func (i Info) Validate() error {
	if !ValidName(i.Name) {
		return fmt.Errorf("sdk: surface name %q: use lowercase letters, digits and '-', starting with a letter", i.Name)
	}
	if i.Dim < 1 {
		return fmt.Errorf("sdk: surface %s: dimension %d < 1", i.Name, i.Dim)
	}
	if len(i.Domain) != i.Dim {
		return fmt.Errorf("sdk: surface %s: domain has %d intervals, want %d", i.Name, len(i.Domain), i.Dim)
	}
	for k, d := range i.Domain {
		if !(d.Lo < d.Hi) || math.IsInf(d.Lo, 0) || math.IsInf(d.Hi, 0) {
			return fmt.Errorf("sdk: surface %s: domain of parameter %d is [%v, %v]", i.Name, k, d.Lo, d.Hi)
		}
	}
	if err := validHyperparameters("surface "+i.Name, i.Hyperparameters); err != nil {
		return err
	}
	for _, m := range i.Minima {
		if len(m.Location) != i.Dim {
			return fmt.Errorf("sdk: surface %s: minimum %v has %d coordinates, want %d", i.Name, m.Location, len(m.Location), i.Dim)
		}
		if math.IsNaN(m.Value) || math.IsInf(m.Value, 0) {
			return fmt.Errorf("sdk: surface %s: minimum at %v has the value %v, not a finite number", i.Name, m.Location, m.Value)
		}
		for k, x := range m.Location {
			if !(x >= i.Domain[k].Lo && x <= i.Domain[k].Hi) {
				return fmt.Errorf("sdk: surface %s: minimum at %v lies outside the domain (parameter %d: %v is not in [%v, %v])", i.Name, m.Location, k, x, i.Domain[k].Lo, i.Domain[k].Hi)
			}
		}
	}
	for _, g := range i.Groups {
		if g.Start < 0 || g.Len < 1 || g.Start+g.Len > i.Dim {
			return fmt.Errorf("sdk: surface %s: group %s [%d,+%d) outside %d parameters", i.Name, g.Name, g.Start, g.Len, i.Dim)
		}
		if g.Kind != GroupFilter && g.Kind != GroupBias {
			return fmt.Errorf("sdk: surface %s: group %s has kind %d", i.Name, g.Name, g.Kind)
		}
	}
	if len(i.Periods) != 0 && len(i.Periods) != i.Dim {
		return fmt.Errorf("sdk: surface %s: %d periods for %d parameters", i.Name, len(i.Periods), i.Dim)
	}
	for k, p := range i.Periods {
		if !(p >= 0) || math.IsInf(p, 0) {
			return fmt.Errorf("sdk: surface %s: period of parameter %d is %v", i.Name, k, p)
		}
	}
	if len(i.ParamNames) != 0 && len(i.ParamNames) != i.Dim {
		return fmt.Errorf("sdk: surface %s: %d parameter names for %d parameters", i.Name, len(i.ParamNames), i.Dim)
	}
	seen := map[string]bool{}
	for k, n := range i.ParamNames {
		bad := n == "" || len(n) > 64 || seen[n] || strings.ContainsAny(n, ", ")
		for _, r := range n {
			bad = bad || !unicode.IsPrint(r)
		}
		if bad {
			return fmt.Errorf("sdk: surface %s: parameter %d's name %q is empty, too long, repeated or holds a space, a comma or an unprintable character", i.Name, k, n)
		}
		seen[n] = true
	}
	return nil
}

// validHyperparameters checks a declaration list: names present and
// unique, bounds ordered, defaults acceptable. owner names the surface or
// optimizer in errors.
func validHyperparameters(owner string, hs []Hyperparameter) error {
	seen := map[string]bool{}
	for _, h := range hs {
		if h.Name == "" || seen[h.Name] {
			return fmt.Errorf("sdk: %s: hyperparameter name %q empty or repeated", owner, h.Name)
		}
		seen[h.Name] = true
		if h.Bounded() && h.Min > h.Max {
			return fmt.Errorf("sdk: %s: hyperparameter %s has bounds [%v, %v]", owner, h.Name, h.Min, h.Max)
		}
		if kinds := btoi(h.Text) + btoi(h.Flag) + btoi(h.Choice()); kinds > 1 {
			return fmt.Errorf("sdk: %s: hyperparameter %s is more than one of text, flag and choice", owner, h.Name)
		}
		if h.Text {
			continue
		}
		if err := h.Check(h.Default); err != nil {
			return fmt.Errorf("sdk: %s: default: %w", owner, err)
		}
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ValidName reports whether s is an acceptable surface or optimizer name.
func ValidName(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
