package sdktest

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"

	"github.com/landscape-go/landscape/sdk"
)

// Option changes a setting of CheckSurface or CheckOptimizer (each
// ignores the options that concern only the other).
type Option func(*config)

type config struct {
	seed       int64
	points     int     // random points for the gradient and concurrency checks
	samples    int     // random points for the global-minimum check
	gradRel    float64 // relative tolerance of gradient vs finite differences
	hessRel    float64 // relative tolerance of second derivatives vs differences
	statRel    float64 // gradient norm allowed at a minimum, relative to 1+|value|
	valAbs     float64 // absolute tolerance on loss values
	valRel     float64 // relative tolerance on loss values
	goroutines int     // goroutines of the concurrency check
	skip       map[string]bool

	steps   int          // steps of each optimizer run
	params  []sdk.Params // optimizer settings besides the defaults
	refused []sdk.Params // optimizer settings Start must refuse
}

func defaultConfig() config {
	return config{
		seed:       1,
		points:     200,
		samples:    2000,
		gradRel:    1e-4,
		hessRel:    1e-4,
		statRel:    1e-4,
		valAbs:     1e-6,
		valRel:     1e-6,
		goroutines: 8,
		steps:      20,
	}
}

// WithSeed sets the seed of the random points, and of CheckOptimizer's
// runs and batch starts (default 1).
func WithSeed(seed int64) Option { return func(c *config) { c.seed = seed } }

// WithPoints sets how many random points the gradient and concurrency
// checks use (default 200).
func WithPoints(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.points = n
		}
	}
}

// WithSamples sets how many random points of the domain the minima check
// compares with the global minimum (default 2000).
func WithSamples(n int) Option {
	return func(c *config) {
		if n >= 0 {
			c.samples = n
		}
	}
}

// WithGradTolerance sets the relative tolerance of the gradient check:
// |g − fd| ≤ rel·(1 + |g| + |fd|) plus the rounding error of the finite
// difference (default 1e-4).
func WithGradTolerance(rel float64) Option { return func(c *config) { c.gradRel = rel } }

// WithStationarityTolerance sets how large the gradient may be at a known
// minimum: ‖g‖ ≤ rel·(1 + |value|) (default 1e-4).
func WithStationarityTolerance(rel float64) Option { return func(c *config) { c.statRel = rel } }

// WithValueTolerance sets the tolerance on loss values (a minimum's Value
// against its Loss, random points against the global minimum):
// abs + rel·|value| (default 1e-6 and 1e-6).
func WithValueTolerance(abs, rel float64) Option {
	return func(c *config) { c.valAbs, c.valRel = abs, rel }
}

// WithGoroutines sets how many goroutines the concurrency check runs
// (default 8).
func WithGoroutines(n int) Option {
	return func(c *config) {
		if n > 1 {
			c.goroutines = n
		}
	}
}

// Skip leaves out the named checks (CheckNames and OptimizerCheckNames
// list them).
func Skip(checks ...string) Option {
	return func(c *config) {
		if c.skip == nil {
			c.skip = map[string]bool{}
		}
		for _, n := range checks {
			c.skip[n] = true
		}
	}
}

// reporter is the part of testing.TB the checks use, so that a test can
// collect failures without failing.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
}

type check struct {
	name string
	fn   func(r reporter, s sdk.Surface, c *config)
}

// checks lists the checks in the order they run.
var checks = []check{
	{"info", checkInfo},
	{"minima", checkMinima},
	{"gradient", checkGradient},
	{"hessian", checkHessian},
	{"hyperparameters", checkHyperparameters},
	{"concurrency", checkConcurrency},
}

// CheckNames lists the checks CheckSurface runs, in order.
func CheckNames() []string {
	out := make([]string, len(checks))
	for i, c := range checks {
		out[i] = c.name
	}
	return out
}

// CheckSurface runs every conformance check on s as subtests of t.
func CheckSurface(t *testing.T, s sdk.Surface, opts ...Option) {
	t.Helper()
	cfg := newConfig(opts)
	for _, c := range checks {
		if cfg.skip[c.name] {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			t.Helper()
			run(t, c, s, &cfg)
		})
	}
}

func newConfig(opts []Option) config {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

// run runs one check and turns a panic of the surface into a failure.
func run(r reporter, c check, s sdk.Surface, cfg *config) {
	r.Helper()
	defer func() {
		if p := recover(); p != nil {
			r.Errorf("%s: %s check: panic: %v", surfaceName(s), c.name, p)
		}
	}()
	c.fn(r, s, cfg)
}

func surfaceName(s sdk.Surface) (name string) {
	defer func() {
		if recover() != nil {
			name = fmt.Sprintf("%T", s)
		}
	}()
	if n := s.Info().Name; n != "" {
		return n
	}
	return fmt.Sprintf("%T", s)
}

// limited passes at most max failures on and counts the rest, so that one
// systematic error does not print a thousand lines.
type limited struct {
	r        reporter
	max, n   int
	dropping bool
}

func limit(r reporter, max int) *limited { return &limited{r: r, max: max} }

func (l *limited) Helper() { l.r.Helper() }

func (l *limited) Errorf(format string, args ...any) {
	l.r.Helper()
	l.n++
	if l.n <= l.max {
		l.r.Errorf(format, args...)
	}
}

// done reports how many failures were left out.
func (l *limited) done(what string) {
	l.r.Helper()
	if l.n > l.max {
		l.r.Errorf("... and %d more %s failures", l.n-l.max, what)
	}
}

// ---- info ----

func checkInfo(r reporter, s sdk.Surface, c *config) {
	r.Helper()
	info := s.Info()
	name := info.Name
	if name == "" {
		name = fmt.Sprintf("%T", s)
	}
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info().Validate(): %v", name, err)
	}
	if !sdk.ValidName(info.Name) {
		r.Errorf("%s: name %q: use lowercase letters, digits and '-', starting with a letter", name, info.Name)
	}
	checkSummary(r, name, info.Summary)
	for k, d := range info.Domain {
		if !finite(d.Lo) || !finite(d.Hi) || !(d.Lo < d.Hi) {
			r.Errorf("%s: domain of parameter %d is [%v, %v], want finite Lo < Hi", name, k, d.Lo, d.Hi)
		}
	}
	checkHyperparameterDocs(r, name, info.Hyperparameters)
	for i, m := range info.Minima {
		if !finite(m.Value) {
			r.Errorf("%s: minimum #%d has value %v", name, i, m.Value)
		}
		for _, x := range m.Location {
			if !finite(x) {
				r.Errorf("%s: minimum #%d has location %v", name, i, m.Location)
				break
			}
		}
	}
	if again := s.Info(); !reflect.DeepEqual(info, again) {
		r.Errorf("%s: two calls of Info() differ:\n%+v\n%+v", name, info, again)
	}
	if info.Validate() != nil {
		return // the rest needs a sound Info
	}

	cs, err := sdk.Configure(s, nil)
	if err != nil {
		r.Errorf("%s: Configure with the defaults: %v", name, err)
		return
	}
	if cs == nil {
		r.Errorf("%s: Configure with the defaults returned a nil surface", name)
		return
	}
	if _, ok := s.(sdk.SurfaceWithConfigure); !ok {
		return
	}
	ci := cs.Info()
	if err := ci.Validate(); err != nil {
		r.Errorf("%s: configured with the defaults: Info().Validate(): %v", name, err)
		return
	}
	if ci.Name != info.Name {
		r.Errorf("%s: configured with the defaults, the name became %q", name, ci.Name)
	}
	if ci.Dim != info.Dim {
		r.Errorf("%s: configured with the defaults, Dim = %d, want %d as unconfigured", name, ci.Dim, info.Dim)
		return
	}
	// The unconfigured surface is its default configuration.
	rng := newRand(c.seed)
	theta := make([]float64, info.Dim)
	l := limit(r, 5)
	for i := 0; i < 10; i++ {
		randomPoint(rng, info.Domain, theta)
		a, b := s.Loss(theta), cs.Loss(theta)
		if !sameValue(a, b, c.valAbs, c.valRel) {
			l.Errorf("%s: at %v: Loss = %v, but configured with the defaults %v", name, theta, a, b)
		}
	}
	l.done("default-configuration")
}

// ---- minima ----

func checkMinima(r reporter, s sdk.Surface, c *config) {
	r.Helper()
	info := s.Info()
	name := info.Name
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info is invalid, minima not checked: %v", name, err)
		return
	}
	if len(info.Minima) == 0 {
		return
	}
	g, hasGrad := s.(sdk.SurfaceWithGradient)
	dom := info.Domain
	rng := newRand(c.seed)
	tol := func(v float64) float64 { return c.valAbs + c.valRel*math.Abs(v) }

	lowest := math.Inf(1)
	seenLocal := false
	for i, m := range info.Minima {
		kind := "global"
		if m.Local {
			kind = "local"
			seenLocal = true
		} else {
			if seenLocal {
				r.Errorf("%s: global minimum #%d at %v is listed after a local one; list global minima first", name, i, m.Location)
			}
			lowest = math.Min(lowest, m.Value)
		}
		where := fmt.Sprintf("%s: %s minimum #%d at %v (value %v)", name, kind, i, m.Location, m.Value)

		for k, x := range m.Location {
			if x < dom[k].Lo || x > dom[k].Hi {
				r.Errorf("%s: coordinate %d = %v outside the domain [%v, %v]", where, k, x, dom[k].Lo, dom[k].Hi)
			}
		}
		loc := append([]float64(nil), m.Location...)
		if v := s.Loss(loc); !(math.Abs(v-m.Value) <= tol(m.Value)) {
			r.Errorf("%s: Loss = %v, want %v (|diff| = %.3g, tolerance %.3g)", where, v, m.Value, math.Abs(v-m.Value), tol(m.Value))
		}

		if hasGrad {
			grad := make([]float64, len(loc))
			g.Grad(grad, loc)
			gtol := c.statRel * (1 + math.Abs(m.Value))
			// Inside the domain the gradient vanishes; on the boundary a
			// minimum of the box only needs the gradient to point outward
			// (a constrained minimum, as Eggholder's).
			var norm2 float64
			for k, gk := range grad {
				switch {
				case math.IsNaN(gk):
					norm2 = math.NaN()
				case loc[k] <= dom[k].Lo:
					if gk < -gtol {
						r.Errorf("%s: on the lower boundary of parameter %d the gradient %v points into the domain", where, k, gk)
					}
				case loc[k] >= dom[k].Hi:
					if gk > gtol {
						r.Errorf("%s: on the upper boundary of parameter %d the gradient %v points into the domain", where, k, gk)
					}
				default:
					norm2 += gk * gk
				}
			}
			if n := math.Sqrt(norm2); !(n <= gtol) {
				r.Errorf("%s: gradient %v has norm %.3g, want ≤ %.3g", where, grad, n, gtol)
			}
		}

		// Small steps away must not go down: a saddle claimed as a minimum
		// fails here.
		p := make([]float64, len(loc))
		for j := 0; j < 16; j++ {
			for k := range p {
				step := 1e-3 * (dom[k].Hi - dom[k].Lo) * (2*rng.Float64() - 1)
				p[k] = math.Min(math.Max(loc[k]+step, dom[k].Lo), dom[k].Hi)
			}
			if v := s.Loss(p); v < m.Value-tol(m.Value) {
				r.Errorf("%s: nearby point %v has lower loss %v", where, p, v)
				break
			}
		}
	}

	for i, m := range info.Minima {
		if m.Local {
			if m.Value < lowest-tol(lowest) {
				r.Errorf("%s: local minimum #%d at %v has value %v below the global minimum %v", name, i, m.Location, m.Value, lowest)
			}
		} else if m.Value > lowest+tol(lowest) {
			r.Errorf("%s: global minima differ in value: minimum #%d at %v has %v, another %v; mark the higher ones Local", name, i, m.Location, m.Value, lowest)
		}
	}

	if math.IsInf(lowest, 1) {
		return // only local minima are known
	}
	theta := make([]float64, info.Dim)
	best, bestAt := math.Inf(1), []float64(nil)
	for i := 0; i < c.samples; i++ {
		randomPoint(rng, dom, theta)
		if v := s.Loss(theta); v < best {
			best, bestAt = v, append(bestAt[:0], theta...)
		}
	}
	if best < lowest-tol(lowest) {
		r.Errorf("%s: random point %v has loss %v below the global minimum value %v; the listed global minima are wrong or incomplete", name, bestAt, best, lowest)
	}
}

// ---- gradient ----

func checkGradient(r reporter, s sdk.Surface, c *config) {
	r.Helper()
	g, ok := s.(sdk.SurfaceWithGradient)
	if !ok {
		return
	}
	info := s.Info()
	name := info.Name
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info is invalid, gradient not checked: %v", name, err)
		return
	}
	n := info.Dim
	rng := newRand(c.seed + 1)
	theta := make([]float64, n)
	saved := make([]float64, n)
	grad := make([]float64, n)
	tp := make([]float64, n)
	l := limit(r, 10)
	nan := 0
	for i := 0; i < c.points; i++ {
		randomPoint(rng, info.Domain, theta)
		f0 := s.Loss(theta)
		if math.IsNaN(f0) {
			nan++
			continue
		}
		copy(saved, theta)
		for k := range grad {
			grad[k] = math.NaN() // Grad must write every component, not add to it
		}
		g.Grad(grad, theta)
		if !equalBits(theta, saved) {
			l.Errorf("%s: Grad modified theta: %v became %v", name, saved, theta)
			copy(theta, saved)
		}
		for k := 0; k < n; k++ {
			gk := grad[k]
			// Central differences with h = 1e-6·max(1, |θ_k|). Close to a
			// kink or a cusp (|x| in ackley, √|u| in eggholder) the
			// truncation error of that step can exceed the tolerance at a
			// perfectly generic point, so a mismatch is retried with
			// smaller steps: a right gradient then agrees, a wrong one
			// disagrees at every step.
			h := 1e-6 * math.Max(1, math.Abs(theta[k]))
			var fd float64
			ok := false
			for try := 0; try < 3 && !ok; try++ {
				fd, ok = centralDiff(s, theta, tp, k, h, gk, c.gradRel)
				if !ok {
					h /= 16
				}
			}
			if !ok {
				h *= 16
				l.Errorf("%s: at %v: ∂/∂θ%d: analytic %v, central difference %v (h = %.3g, |diff| = %.3g)", name, theta, k, gk, fd, h, math.Abs(gk-fd))
			}
		}
	}
	l.done("gradient")
	if c.points > 0 && nan > c.points/2 {
		r.Errorf("%s: Loss is NaN at %d of %d random points of the domain", name, nan, c.points)
	}
}

// centralDiff returns the central difference of s's loss along parameter k
// at theta with step h, and whether it agrees with the analytic value g.
func centralDiff(s sdk.Surface, theta, tp []float64, k int, h, g, rel float64) (float64, bool) {
	copy(tp, theta)
	tp[k] = theta[k] + h
	hp := tp[k] - theta[k] // the step actually taken
	fp := s.Loss(tp)
	tp[k] = theta[k] - h
	hm := theta[k] - tp[k]
	fm := s.Loss(tp)
	fd := (fp - fm) / (hp + hm)
	// Rounding error of the difference quotient: a few dozen ulps of the
	// loss values, divided by the step.
	noise := 64 * 0x1p-52 * (math.Abs(fp) + math.Abs(fm)) / (hp + hm)
	return fd, math.Abs(g-fd) <= rel*(1+math.Abs(g)+math.Abs(fd))+noise
}

// ---- hyperparameters ----

const unknownName = "no-such-hyperparameter"

func checkHyperparameters(r reporter, s sdk.Surface, c *config) {
	r.Helper()
	info := s.Info()
	name := info.Name
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info is invalid, hyperparameters not checked: %v", name, err)
		return
	}

	// Snapshot the receiver to see that configuring leaves it alone.
	rng := newRand(c.seed + 2)
	pts := make([][]float64, 5)
	before := make([]float64, len(pts))
	for i := range pts {
		pts[i] = make([]float64, info.Dim)
		randomPoint(rng, info.Domain, pts[i])
		before[i] = s.Loss(pts[i])
	}

	refuse := func(p settings, why string) {
		r.Helper()
		cs, err, pan := configure(s, p)
		switch {
		case pan != nil:
			r.Errorf("%s: Configure(%v) (%s) panicked: %v", name, p, why, pan)
		case err == nil:
			r.Errorf("%s: Configure(%v) (%s) succeeded with Dim %d; want an error wrapping sdk.ErrBadParams", name, p, why, dimOf(cs))
		case !errors.Is(err, sdk.ErrBadParams):
			r.Errorf("%s: Configure(%v) (%s): error %q does not wrap sdk.ErrBadParams", name, p, why, err)
		}
	}
	accept := func(p settings, why string) {
		r.Helper()
		cs, err, pan := configure(s, p)
		switch {
		case pan != nil:
			r.Errorf("%s: Configure(%v) (%s) panicked: %v", name, p, why, pan)
		case err != nil:
			r.Errorf("%s: Configure(%v) (%s): %v", name, p, why, err)
		case cs == nil:
			r.Errorf("%s: Configure(%v) (%s) returned a nil surface", name, p, why)
		default:
			checkConfigured(r, name, cs, p, why)
		}
	}
	// either: an error wrapping ErrBadParams, or a sound surface.
	either := func(p settings, why string) {
		r.Helper()
		cs, err, pan := configure(s, p)
		switch {
		case pan != nil:
			r.Errorf("%s: Configure(%v) (%s) panicked: %v; refuse the value with sdk.ErrBadParams or declare bounds", name, p, why, pan)
		case err != nil:
			if !errors.Is(err, sdk.ErrBadParams) {
				r.Errorf("%s: Configure(%v) (%s): error %q does not wrap sdk.ErrBadParams", name, p, why, err)
			}
		case cs == nil:
			r.Errorf("%s: Configure(%v) (%s) returned a nil surface and no error", name, p, why)
		default:
			checkConfigured(r, name, cs, p, why+"; refuse it with sdk.ErrBadParams or declare bounds")
		}
	}

	refuse(settings{Params: sdk.Params{unknownName: 1}}, "unknown name")
	for _, h := range info.Hyperparameters {
		one := func(v float64) settings { return settings{Params: sdk.Params{h.Name: v}} }
		text := func(v string) settings { return settings{Texts: sdk.Texts{h.Name: v}} }
		if h.Text {
			// Only the surface knows which texts make sense; none may
			// make it panic.
			accept(text(h.DefaultText), "the default text")
			either(text("\x00no such value"), "an odd text")
			either(text(""), "an empty text")
			continue
		}
		if h.Choice() {
			// A surface may refuse an option with others (a loss that
			// does not fit the model), but never panic.
			accept(one(h.Default), "the default option")
			for i, o := range h.Options {
				either(one(float64(i)), "option "+o)
				either(text(o), "option "+o+" by name")
			}
			refuse(one(float64(len(h.Options))), "an index past the options")
			refuse(one(-1), "a negative index")
			refuse(text("\x00no such option"), "an unknown option name")
			continue
		}
		refuse(one(math.NaN()), "NaN")
		refuse(one(math.Inf(1)), "+Inf")
		refuse(one(math.Inf(-1)), "-Inf")
		accept(one(h.Default), "the default")
		if h.Bounded() {
			refuse(one(below(h.Min, h.Integer)), "just below Min")
			refuse(one(above(h.Max, h.Integer)), "just above Max")
			accept(one(h.Min), "Min")
			accept(one(h.Max), "Max")
		} else {
			// Unbounded: odd values must not break the surface.
			for _, v := range []float64{-1e3, -1, 0, 1, 1e3} {
				either(one(v), "an unbounded value")
			}
		}
		if h.Integer {
			var frac float64
			switch {
			case !h.Bounded():
				frac = 1.5
			case h.Min <= 1.5 && 1.5 <= h.Max:
				frac = 1.5
			case h.Max-h.Min >= 1:
				frac = math.Floor(h.Min) + 0.5
			default:
				frac = math.NaN()
			}
			if !math.IsNaN(frac) {
				refuse(one(frac), "a fraction for an integer")
			}
		}
	}

	if after := s.Info(); !reflect.DeepEqual(info, after) {
		r.Errorf("%s: configuring modified the receiver's Info:\nbefore %+v\nafter  %+v", name, info, after)
	}
	for i, p := range pts {
		if v := s.Loss(p); !sameBits(v, before[i]) {
			r.Errorf("%s: configuring modified the receiver: Loss(%v) was %v, now %v", name, p, before[i], v)
		}
	}
}

// checkConfigured checks a surface that Configure(p) returned.
// settings are hyperparameter values to configure a surface with: numbers
// (and choices by index) and texts (and choices by name).
type settings struct {
	Params sdk.Params
	Texts  sdk.Texts
}

func checkConfigured(r reporter, name string, cs sdk.Surface, p settings, why string) {
	r.Helper()
	var ci sdk.Info
	if pan := try(func() { ci = cs.Info() }); pan != nil {
		r.Errorf("%s: configured with %v (%s): Info() panicked: %v", name, p, why, pan)
		return
	}
	if err := ci.Validate(); err != nil {
		r.Errorf("%s: configured with %v (%s): Info().Validate(): %v", name, p, why, err)
		return
	}
	theta := make([]float64, ci.Dim)
	for k, d := range ci.Domain {
		theta[k] = d.Lo + (d.Hi-d.Lo)/3
	}
	if pan := try(func() { cs.Loss(theta) }); pan != nil {
		r.Errorf("%s: configured with %v (%s): Loss(%v) panicked: %v", name, p, why, theta, pan)
	}
	if g, ok := cs.(sdk.SurfaceWithGradient); ok {
		if pan := try(func() { g.Grad(make([]float64, ci.Dim), theta) }); pan != nil {
			r.Errorf("%s: configured with %v (%s): Grad at %v panicked: %v", name, p, why, theta, pan)
		}
	}
}

func configure(s sdk.Surface, p settings) (cs sdk.Surface, err error, pan any) {
	pan = try(func() { cs, err = sdk.ConfigureTexts(s, p.Params, p.Texts) })
	return cs, err, pan
}

// try calls f and returns what it panicked with, if anything.
func try(f func()) (pan any) {
	defer func() { pan = recover() }()
	f()
	return nil
}

func dimOf(s sdk.Surface) int {
	if s == nil {
		return 0
	}
	return s.Info().Dim
}

// below and above return the nearest values just outside a bound.
func below(v float64, integer bool) float64 {
	if integer {
		return math.Ceil(v) - 1
	}
	return v - 1e-9*math.Max(1, math.Abs(v))
}

func above(v float64, integer bool) float64 {
	if integer {
		return math.Floor(v) + 1
	}
	return v + 1e-9*math.Max(1, math.Abs(v))
}

// ---- concurrency ----

func checkConcurrency(r reporter, s sdk.Surface, c *config) {
	r.Helper()
	info := s.Info()
	name := info.Name
	if err := info.Validate(); err != nil {
		r.Errorf("%s: Info is invalid, concurrency not checked: %v", name, err)
		return
	}
	g, hasGrad := s.(sdk.SurfaceWithGradient)
	rng := newRand(c.seed + 3)
	n := c.points
	pts := make([][]float64, 0, n+len(info.Minima))
	for i := 0; i < n; i++ {
		p := make([]float64, info.Dim)
		randomPoint(rng, info.Domain, p)
		pts = append(pts, p)
	}
	for _, m := range info.Minima {
		pts = append(pts, append([]float64(nil), m.Location...))
	}
	want := make([]float64, len(pts))
	var wantG [][]float64
	for i, p := range pts {
		want[i] = s.Loss(p)
	}
	if hasGrad {
		wantG = make([][]float64, len(pts))
		for i, p := range pts {
			wantG[i] = make([]float64, info.Dim)
			g.Grad(wantG[i], p)
		}
	}

	type mismatch struct {
		worker, point int
		got           float64
		k             int // -1: loss; else gradient component
	}
	var (
		mu   sync.Mutex
		bad  []mismatch
		pans []any
		wg   sync.WaitGroup
	)
	for w := 0; w < c.goroutines; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					mu.Lock()
					pans = append(pans, p)
					mu.Unlock()
				}
			}()
			// Each worker has its own copies and its own order.
			order := rand.New(rand.NewPCG(uint64(w), 7)).Perm(len(pts))
			theta := make([]float64, info.Dim)
			grad := make([]float64, info.Dim)
			var local []mismatch
			for rep := 0; rep < 3; rep++ {
				for _, i := range order {
					copy(theta, pts[i])
					if v := s.Loss(theta); !sameBits(v, want[i]) {
						local = append(local, mismatch{w, i, v, -1})
					}
					if hasGrad {
						g.Grad(grad, theta)
						for k, gk := range grad {
							if !sameBits(gk, wantG[i][k]) {
								local = append(local, mismatch{w, i, gk, k})
								break
							}
						}
					}
				}
			}
			mu.Lock()
			bad = append(bad, local...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	for _, p := range pans {
		r.Errorf("%s: concurrent evaluation panicked: %v", name, p)
	}
	l := limit(r, 10)
	for _, m := range bad {
		if m.k < 0 {
			l.Errorf("%s: concurrent Loss(%v) in goroutine %d = %v, alone %v; Loss must be safe for concurrent use (no shared scratch)", name, pts[m.point], m.worker, m.got, want[m.point])
		} else {
			l.Errorf("%s: concurrent Grad at %v in goroutine %d: component %d = %v, alone %v; Grad must be safe for concurrent use", name, pts[m.point], m.worker, m.k, m.got, wantG[m.point][m.k])
		}
	}
	l.done("concurrency")
	checkHessianConcurrency(r, s, c, pts)
}

// ---- helpers ----

func newRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x6c616e64))
}

// randomPoint draws theta uniformly from the domain.
func randomPoint(rng *rand.Rand, dom []sdk.Interval, theta []float64) {
	for k, d := range dom {
		theta[k] = d.Lo + (d.Hi-d.Lo)*rng.Float64()
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func sameBits(a, b float64) bool {
	return math.Float64bits(a) == math.Float64bits(b) || math.IsNaN(a) && math.IsNaN(b)
}

func equalBits(a, b []float64) bool {
	for i := range a {
		if !sameBits(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sameValue(a, b, abs, rel float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if a == b {
		return true
	}
	return math.Abs(a-b) <= abs+rel*math.Max(math.Abs(a), math.Abs(b))
}
