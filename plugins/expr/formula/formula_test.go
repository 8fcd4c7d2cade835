package formula

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/sdktest"
)

// formulas are the surfaces the conformance, reference and GLSL tests run
// on: 1-D, 2-D and N-D, every function and operator, regions where the
// formula is undefined (NaN), declared and unused variables.
var formulas = []struct {
	name, f, vars, domain string
}{
	{"parabola", "(t-2)^2", "", ""},
	{"ripple", "sin(4*x)*cos(4*y)+2*(x^2+y^2)", "", "-2:2"},
	{"rosenbrock-4", "100*(x2-x1^2)^2 + (1-x1)^2 + 100*(x3-x2^2)^2 + (1-x2)^2 + 100*(x4-x3^2)^2 + (1-x3)^2", "", "-2:2"},
	{"rastrigin-3", "30 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y) + z^2 - 10*cos(2*pi*z)", "", "-5.12:5.12"},
	{"ackley", "-20*exp(-0.2*sqrt((x^2+y^2)/2)) - exp((cos(2*pi*x)+cos(2*pi*y))/2) + 20 + e", "", "-5:5"},
	{"beale", "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y**3)^2", "", "-4.5:4.5"},
	{"functions", "log(1+x^2) + sqrt(y^2+1) + atan2(y, x+3) + tanh(x*y) + abs(x-y)^1.5 + exp(-z^2) + asin(z/3) + acos(y/3) + atan(x) + sinh(y/2) - cosh(z/2) + tan(x/2) + log2(2+y) + log10(3+z)", "x y z", "-2:2"},
	{"min-max", "max(x, y, 0)^2 + min(x^2, y^2, 1) + max(x - y, 2*y)", "", "-3:3"},
	{"powers", "x^y + pow(y, 3) - 2*x^-2 + x**0.5", "", "x:0.1:3 y:-2:2"},
	{"negative-base", "x^3 - 2/x^2 + (x-1)^5/10 + y^4", "", "-2:2"},
	{"nan-regions", "sqrt(x) + log(y) + x*y", "", "-0.5:3"},
	{"unused-var", "(a-1)^2 + 2", "a b", "a:-3:3 b:0:1"},
	{"unicode", "(θ-2)^2 + sinh(φ)/10", "", "-3:3"},
	{"wide", "w1*w2 + w2*w3 - w3*w4 + w4*w5 + w5*w6 - w6*w7 + w7*w8 + w8*w9 + w9*w10 + w10*w11 - w11*w12 + w1^2 + w12^2", "", "-1:1"},
}

func compileT(t testing.TB, f, vars, domain string) *Surface {
	t.Helper()
	s, err := Compile(f, vars, domain)
	if err != nil {
		t.Fatalf("Compile(%q, %q, %q): %v", f, vars, domain, err)
	}
	return s
}

func forEachFormula(t *testing.T, check func(t *testing.T, s *Surface)) {
	for _, c := range formulas {
		t.Run(c.name, func(t *testing.T) { check(t, compileT(t, c.f, c.vars, c.domain)) })
	}
}

// TestConformance runs the SDK's conformance checks on every formula and
// on the default surface.
func TestConformance(t *testing.T) {
	t.Run("default", func(t *testing.T) { sdktest.CheckSurface(t, New()) })
	forEachFormula(t, func(t *testing.T, s *Surface) { sdktest.CheckSurface(t, s) })
}

// TestDefaults: the surface New builds directly is the one Compile builds
// from the default texts.
func TestDefaults(t *testing.T) {
	a, b := New(), compileT(t, DefaultFormula, "", DefaultDomain)
	if !reflect.DeepEqual(a.Info(), b.Info()) {
		t.Errorf("New().Info() = %+v\nCompile: %+v", a.Info(), b.Info())
	}
	if a.GLSL() != b.GLSL() {
		t.Errorf("GLSL differs:\n%s\n%s", a.GLSL(), b.GLSL())
	}
	x := []float64{1.5, -2.25}
	ga, gb := make([]float64, 2), make([]float64, 2)
	a.Grad(ga, x)
	b.Grad(gb, x)
	if a.Loss(x) != 7.3125 || b.Loss(x) != 7.3125 || !reflect.DeepEqual(ga, []float64{3, -4.5}) || !reflect.DeepEqual(ga, gb) {
		t.Errorf("at %v: New %v %v, Compile %v %v", x, a.Loss(x), ga, b.Loss(x), gb)
	}
	info := a.Info()
	if info.Name != "expr" || info.Dim != 2 || info.Domain[0] != (sdk.Interval{Lo: -10, Hi: 10}) || len(info.Minima) != 0 {
		t.Errorf("Info = %+v", info)
	}
	if !(info.Domain[0].Lo <= 10 && 10 <= info.Domain[0].Hi) {
		t.Errorf("the default domain %v does not hold the README's start 10", info.Domain[0])
	}
}

// TestAgainstGo compares formulas with the same functions written in Go
// (package funcs, the testfuncs plugin's): values, gradients and Hessians
// at random points of their domains.
func TestAgainstGo(t *testing.T) {
	cases := []struct {
		surface string
		p       sdk.Params
		f       string
	}{
		{"ripple", nil, "sin(4*x)*cos(4*y)+2*(x^2+y^2)"},
		{"saddle", nil, "x^2 - y^2"},
		{"himmelblau", nil, "(x^2+y-11)^2 + (x+y^2-7)^2"},
		{"beale", nil, "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2"},
		{"booth", nil, "(x + 2*y - 7)^2 + (2*x + y - 5)^2"},
		{"goldstein-price", nil, "(1 + (x+y+1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2)) * (30 + (2*x-3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2))"},
		{"six-hump-camel", nil, "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2"},
		{"eggholder", nil, "-(y+47)*sin(sqrt(abs(x/2 + y + 47))) - x*sin(sqrt(abs(x - (y+47))))"},
		{"levi13", nil, "sin(3*pi*x)^2 + (x-1)^2*(1 + sin(3*pi*y)^2) + (y-1)^2*(1 + sin(2*pi*y)^2)"},
		{"matyas", nil, "0.26*(x^2+y^2) - 0.48*x*y"},
		{"mccormick", nil, "sin(x+y) + (x-y)^2 - 1.5*x + 2.5*y + 1"},
		{"rastrigin", sdk.Params{"dim": 3}, "30 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y) + z^2 - 10*cos(2*pi*z)"},
		{"rosenbrock", sdk.Params{"dim": 4}, "100*(x2-x1^2)^2 + (1-x1)^2 + 100*(x3-x2^2)^2 + (1-x2)^2 + 100*(x4-x3^2)^2 + (1-x3)^2"},
		{"ackley", nil, "-20*exp(-0.2*sqrt((x^2+y^2)/2)) - exp((cos(2*pi*x)+cos(2*pi*y))/2) + 20 + e"},
		{"styblinski-tang", sdk.Params{"dim": 3}, "(x^4 - 16*x^2 + 5*x + y^4 - 16*y^2 + 5*y + z^4 - 16*z^2 + 5*z)/2"},
		{"bowl", sdk.Params{"dim": 1}, "0.5*t^2"},
	}
	for _, c := range cases {
		t.Run(c.surface, func(t *testing.T) {
			base, ok := funcs.ByName(c.surface)
			if !ok {
				t.Fatalf("no surface %s", c.surface)
			}
			gs, err := sdk.Configure(base, c.p)
			if err != nil {
				t.Fatal(err)
			}
			ref := gs.(sdk.SurfaceWithGradient)
			info := ref.Info()
			var dom []string
			s := compileT(t, c.f, "", "")
			for i, iv := range info.Domain {
				dom = append(dom, fmt.Sprintf("%s:%v:%v", s.names[i], iv.Lo, iv.Hi))
			}
			s = compileT(t, c.f, "", strings.Join(dom, " "))
			if s.Info().Dim != info.Dim || !reflect.DeepEqual(s.Info().Domain, info.Domain) {
				t.Fatalf("dim %d domain %v, want %d %v", s.Info().Dim, s.Info().Domain, info.Dim, info.Domain)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			x := make([]float64, info.Dim)
			g, gw := make([]float64, info.Dim), make([]float64, info.Dim)
			refH, hasH := gs.(sdk.SurfaceWithHessian)
			if !hasH {
				t.Fatalf("%s has no Hessian", c.surface)
			}
			h, hw := make([]float64, info.Dim*info.Dim), make([]float64, info.Dim*info.Dim)
			for range 1000 {
				for i, iv := range info.Domain {
					x[i] = iv.Lo + rng.Float64()*(iv.Hi-iv.Lo)
				}
				got, want := s.Loss(x), ref.Loss(x)
				if !close(got, want, 1e-12) {
					t.Fatalf("at %v: Loss %v, Go %v", x, got, want)
				}
				s.Grad(g, x)
				ref.Grad(gw, x)
				for i := range g {
					if !close(g[i], gw[i], 1e-10) {
						t.Fatalf("at %v: ∂/∂%s = %v, Go %v", x, s.names[i], g[i], gw[i])
					}
				}
				s.Hessian(h, x)
				refH.Hessian(hw, x)
				for k := range h {
					if !close(h[k], hw[k], 1e-9) {
						t.Fatalf("at %v: Hessian[%d][%d] = %v, Go %v", x, k/info.Dim, k%info.Dim, h[k], hw[k])
					}
				}
			}
		})
	}
}

// close reports whether a and b agree to rel·(1 + |b|), or are both NaN.
func close(a, b, rel float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= rel*(1+math.Abs(b))
}

// TestAgainstReferences: every formula's Loss equals a direct evaluation of
// the parser's tree, bit for bit (simplification is exact), and its Grad
// agrees with forward-mode dual numbers.
func TestAgainstReferences(t *testing.T) {
	for _, c := range formulas {
		t.Run(c.name, func(t *testing.T) {
			s := compileT(t, c.f, c.vars, c.domain)
			checkReferences(t, s, c.f, 300, 1)
		})
	}
}

// checkReferences compares s with the references at n random points of
// its domain (and at a few points around it).
func checkReferences(t *testing.T, s *Surface, f string, n int, seed uint64) {
	t.Helper()
	tree, err := refTree(f)
	if err != nil {
		t.Fatalf("%q: %v", f, err)
	}
	dim := len(s.names)
	rng := rand.New(rand.NewPCG(seed, 3))
	x := make([]float64, dim)
	g := make([]float64, dim)
	special := []float64{0, 1, -1, 2, -0.5, 0.25}
	for k := range n {
		for i, iv := range s.dom {
			x[i] = iv.Lo + rng.Float64()*(iv.Hi-iv.Lo)
			if k%10 == 9 {
				x[i] = special[rng.IntN(len(special))]
			}
		}
		got := s.Loss(x)
		want := refEval(tree, s.names, x)
		if got != want.v && !(math.IsNaN(got) && math.IsNaN(want.v)) {
			t.Fatalf("%q at %v: Loss %v, the tree %v", f, x, got, want.v)
		}
		s.Grad(g, x)
		for i := range g {
			w := want.d[i]
			if math.IsNaN(w) || math.IsInf(w, 0) || math.IsNaN(want.v) || math.IsInf(want.v, 0) {
				continue // dual numbers lose structural zeros (0·Inf)
			}
			if !(math.Abs(g[i]-w) <= 1e-9*(1+math.Abs(w))+1e-12*want.m[i]) {
				t.Fatalf("%q at %v: ∂/∂%s = %v, dual numbers %v", f, x, s.names[i], g[i], w)
			}
		}
	}
}

// TestHessian: exact against the ripple's by hand. (TestAgainstGo compares
// Hessians with the testfuncs plugin's; the conformance checks compare them
// with differences of Grad.)
func TestHessian(t *testing.T) {
	s := compileT(t, "sin(4*x)*cos(4*y)+2*(x^2+y^2)", "", "-2:2")
	h := make([]float64, 4)
	rng := rand.New(rand.NewPCG(5, 6))
	for range 100 {
		x, y := 4*rng.Float64()-2, 4*rng.Float64()-2
		s.Hessian(h, []float64{x, y})
		sx, cx := math.Sincos(4 * x)
		sy, cy := math.Sincos(4 * y)
		want := []float64{-16*sx*cy + 4, -16 * cx * sy, -16 * cx * sy, -16*sx*cy + 4}
		for k := range h {
			if !close(h[k], want[k], 1e-13) {
				t.Fatalf("ripple at (%v, %v): Hessian %v, by hand %v", x, y, h, want)
			}
		}
	}
}

// TestUndefined: NaN where a formula is undefined, never another number;
// ±Inf as Go's arithmetic gives it; structural zeros stay exact.
func TestUndefined(t *testing.T) {
	inf := math.Inf(1)
	nan := math.NaN()
	cases := []struct {
		f    string
		x    float64
		want float64
	}{
		{"x^(1/3)", -8, nan},
		{"x^3", -2, -8},
		{"x^-1", 0, inf},
		{"x^0", nan, 1},
		{"x^0.5", -1, nan},
		{"sqrt(x)", -1, nan},
		{"log(x)", 0, math.Inf(-1)},
		{"log(x)", -1, nan},
		{"asin(x)", 1.5, nan},
		{"acos(x)", -1.5, nan},
		{"0*log(x)", -1, nan}, // not simplified to 0
		{"0*log(x)", 2, 0},
		{"x/x", 0, nan},
		{"1/x", 0, inf},
		{"max(x, 1)", nan, nan},
		{"exp(x)", 1000, inf},
		{"tanh(x)", 1000, 1},
		{"atan2(x, 0)", 0, 0},
	}
	for _, c := range cases {
		s := compileT(t, c.f, "x", "")
		if got := s.Loss([]float64{c.x}); !(got == c.want || math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("%s at %v = %v, want %v", c.f, c.x, got, c.want)
		}
	}
	// ∂/∂y of sqrt(x) + y is exactly 1, even where sqrt(x) is NaN; ∂/∂x
	// is NaN there.
	s := compileT(t, "sqrt(x) + y", "", "")
	g := make([]float64, 2)
	s.Grad(g, []float64{-1, 3})
	if !math.IsNaN(g[0]) || g[1] != 1 {
		t.Errorf("gradient of sqrt(x) + y at (-1, 3) = %v, want [NaN 1]", g)
	}
	// The kinks take the conventions of doc.go: abs'(0) = 0, ties of max
	// split the gradient.
	s = compileT(t, "abs(x) + max(x, y)", "", "")
	s.Grad(g, []float64{0, 0})
	if g[0] != 0.5 || g[1] != 0.5 {
		t.Errorf("gradient of abs(x) + max(x, y) at 0 = %v, want [0.5 0.5]", g)
	}
}

// TestErrors: bad formulas, variables and domains are refused with
// sdk.ErrBadParams, formulas with the column of the mistake.
func TestErrors(t *testing.T) {
	cases := []struct {
		f, vars, domain string
		col             int // 0: not a formula error
		want            string
	}{
		{"2*x + 3*sinn(x)", "", "", 9, `unknown function "sinn" (functions: abs, acos, asin, atan, atan2, cos, cosh, exp, log, log10, log2, max, min, pow, sin, sinh, sqrt, tan, tanh)`},
		{"sinn(x)", "", "", 1, `unknown function "sinn"`},
		{"x +", "", "", 4, "the formula ends too soon"},
		{"(x+1", "", "", 5, "the formula ends too soon"},
		{"x y", "", "", 3, `unexpected "y"`},
		{"x % 2", "", "", 3, `operator "%" is not supported (operators: + - * / ^ **)`},
		{"x == 2", "", "", 3, `operator "==" is not supported`},
		{"!x", "", "", 1, `operator "!" is not supported`},
		{"x + y.z", "", "", 7, `"y.z" is not part of a formula`},
		{"x ? 1 : 2", "", "", 9, "is not part of a formula"},
		{"sin + 1", "", "", 1, "sin is a function: write sin(...)"},
		{"sin(x, y)", "", "", 1, "sin takes 1 argument, not 2"},
		{"1 + atan2(x)", "", "", 5, "atan2 takes 2 arguments, not 1"},
		{"max(x)", "", "", 1, "max takes two or more arguments, not 1"},
		{"x + q", "x y", "", 5, `unknown variable "q" (variables: x, y)`},
		{"x − 2", "", "", 3, "unrecognized character: U+2212 '−'"},
		{"|x|", "", "", 1, `unexpected "|"`},
		{"θ + sum(θ)", "", "", 5, `unknown function "sum"`},
		{"", "", "", 0, "f is empty"},
		{"  ", "", "", 0, "f is empty"},
		{"2 + 3", "", "", 0, "f has no variables; name them with vars"},
		{"x", "x 1y", "", 0, `vars: "1y" is not a name`},
		{"x", "x x", "", 0, "vars: x is given twice"},
		{"x", "x pi", "", 0, `vars: "pi" is a constant`},
		{"x", "x cos", "", 0, `vars: "cos" is a function`},
		{"x", "x in", "", 0, `vars: "in" is a reserved word`},
		{"x", "", "3:1", 0, `domain: "3:1": want LO < HI`},
		{"x", "", "-1", 0, `domain: "-1": write LO:HI for every variable or NAME:LO:HI for one`},
		{"x", "", "a:b", 0, `domain: "a:b": "a" is not a finite number`},
		{"x", "", "0:inf", 0, `"inf" is not a finite number`},
		{"x", "", "q:0:1", 0, `domain: "q:0:1": "q" is not a variable (variables: x)`},
		{"x", "", "x:0:1 x:1:2", 0, "x's range is given twice"},
		{"x", "", "0:1 -1:1", 0, "a range for every variable is given twice"},
		{"x", "", "-1e308:1e308", 0, "a finite width"},
		{strings.Repeat("x+", 5001) + "x", "", "", 0, "at most 10000"},
	}
	for _, c := range cases {
		_, err := Compile(c.f, c.vars, c.domain)
		if err == nil {
			t.Errorf("Compile(%q, %q, %q) succeeded", c.f, c.vars, c.domain)
			continue
		}
		if !errors.Is(err, sdk.ErrBadParams) {
			t.Errorf("Compile(%q): %v does not wrap sdk.ErrBadParams", c.f, err)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Compile(%q, %q, %q): %q, want it to say %q", c.f, c.vars, c.domain, err, c.want)
		}
		var fe *Error
		switch {
		case c.col == 0 && errors.As(err, &fe):
			t.Errorf("Compile(%q): a formula error %v", c.f, err)
		case c.col != 0 && !errors.As(err, &fe):
			t.Errorf("Compile(%q): %v has no column", c.f, err)
		case c.col != 0 && fe.Column != c.col:
			t.Errorf("Compile(%q): column %d, want %d (%v)", c.f, fe.Column, c.col, err)
		case c.col != 0 && !strings.HasPrefix(err.Error(), fmt.Sprintf("f: column %d: ", c.col)):
			t.Errorf("Compile(%q): %q does not start with the column", c.f, err)
		}
	}
	// Through the SDK, as the plugin configures it.
	_, err := sdk.ConfigureTexts(New(), nil, sdk.Texts{"f": "2*x + 3*sinn(x)"})
	if !errors.Is(err, sdk.ErrBadParams) || !strings.Contains(err.Error(), "f: column 9:") {
		t.Errorf("ConfigureTexts: %v", err)
	}
}

// TestVariables: the default order, declared order, and the dimension.
func TestVariables(t *testing.T) {
	cases := []struct {
		f, vars string
		want    []string
	}{
		{"(t-2)^2", "", []string{"t"}},
		{"b + a + y + x", "", []string{"x", "y", "a", "b"}},
		{"z*w + y - x", "", []string{"x", "y", "z", "w"}},
		{"x10 + x2 + x1 + x", "", []string{"x", "x1", "x2", "x10"}},
		{"a02 + a1 + a3", "", []string{"a1", "a02", "a3"}},
		{"θ + φ + x", "", []string{"x", "θ", "φ"}},
		{"pi*x + e", "", []string{"x"}},
		{"x + y", "y x", []string{"y", "x"}},
		{"a*b", "a,b", []string{"a", "b"}},
		{"a*b", "b; a", []string{"b", "a"}},
		{"a", "a b c", []string{"a", "b", "c"}},
		{"2", "u", []string{"u"}},
	}
	for _, c := range cases {
		s := compileT(t, c.f, c.vars, "")
		if got := s.Vars(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q vars %q: %v, want %v", c.f, c.vars, got, c.want)
		}
		if s.Info().Dim != len(c.want) {
			t.Errorf("%q: Dim %d", c.f, s.Info().Dim)
		}
		// The parameters are named by the variables, for labels.
		if i := s.Info(); !reflect.DeepEqual(i.ParamNames, c.want) || i.Validate() != nil {
			t.Errorf("%q: parameter names %v (%v), want %v", c.f, i.ParamNames, i.Validate(), c.want)
		}
	}
	// Parameter i is variable i: f = 10a + b with vars b a.
	s := compileT(t, "10*a + b", "b a", "")
	if v := s.Loss([]float64{1, 2}); v != 21 {
		t.Errorf("10a+b at b=1, a=2: %v", v)
	}
}

// TestDomain: LO:HI for all, NAME:LO:HI for one.
func TestDomain(t *testing.T) {
	cases := []struct {
		domain string
		want   []sdk.Interval
	}{
		{"", []sdk.Interval{{Lo: -10, Hi: 10}, {Lo: -10, Hi: 10}}},
		{"-3:3", []sdk.Interval{{Lo: -3, Hi: 3}, {Lo: -3, Hi: 3}}},
		{"y:0:1", []sdk.Interval{{Lo: -10, Hi: 10}, {Lo: 0, Hi: 1}}},
		{"y:0:1 -2:2", []sdk.Interval{{Lo: -2, Hi: 2}, {Lo: 0, Hi: 1}}},
		{"x:1e-3:2.5e1,y:-1:0", []sdk.Interval{{Lo: 1e-3, Hi: 25}, {Lo: -1, Hi: 0}}},
	}
	for _, c := range cases {
		s := compileT(t, "x + y", "", c.domain)
		if got := s.Info().Domain; !reflect.DeepEqual(got, c.want) {
			t.Errorf("domain %q: %v, want %v", c.domain, got, c.want)
		}
	}
}

// TestConfigure: configuring keeps what is not given; Info reports the
// configured texts.
func TestConfigure(t *testing.T) {
	cs, err := sdk.ConfigureTexts(New(), nil, sdk.Texts{"f": "(t-2)^2"})
	if err != nil {
		t.Fatal(err)
	}
	info := cs.Info()
	if info.Dim != 1 || info.Summary != "f(t) = (t-2)^2" || info.Hyperparameters[0].DefaultText != "(t-2)^2" {
		t.Errorf("Info = %+v", info)
	}
	cs2, err := sdk.ConfigureTexts(cs, nil, sdk.Texts{"domain": "0:5"})
	if err != nil {
		t.Fatal(err)
	}
	if i := cs2.Info(); i.Dim != 1 || i.Domain[0] != (sdk.Interval{Lo: 0, Hi: 5}) || cs2.Loss([]float64{4}) != 4 {
		t.Errorf("configured again: %+v", i)
	}
	// A number given for f (f=3 on the command line) is a formula too.
	if _, err := sdk.ConfigureTexts(New(), sdk.Params{"f": 3}, nil); err == nil || !strings.Contains(err.Error(), "no variables") {
		t.Errorf("f=3: %v", err)
	}
	long := compileT(t, strings.Repeat("x + ", 40)+"x", "", "")
	if sum := long.Info().Summary; len([]rune(sum)) > 100 || strings.ContainsAny(sum, "\n") {
		t.Errorf("summary %q", sum)
	}
}

// BenchmarkLoss is the ripple's loss through the compiled program.
func BenchmarkLoss(b *testing.B) {
	s := compileT(b, "sin(4*x)*cos(4*y)+2*(x^2+y^2)", "", "-2:2")
	x := []float64{0.3, -0.7}
	for b.Loop() {
		s.Loss(x)
	}
}

// BenchmarkGrad is the ripple's gradient through the compiled program.
func BenchmarkGrad(b *testing.B) {
	s := compileT(b, "sin(4*x)*cos(4*y)+2*(x^2+y^2)", "", "-2:2")
	x := []float64{0.3, -0.7}
	g := make([]float64, 2)
	for b.Loop() {
		s.Grad(g, x)
	}
}
