package formula

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/expr-lang/expr/file"

	"github.com/landscape-go/landscape/sdk"
)

// Name is the surface's name.
const Name = "expr"

const (
	// DefaultFormula is f's default.
	DefaultFormula = "x^2 + y^2"
	// DefaultDomain is domain's default: every variable in [-10, 10].
	DefaultDomain = "-10:10"
)

// Surface is a formula as a loss surface: its variables are the
// parameters, in order. It is immutable once compiled: Loss, Grad and
// Hessian are safe for concurrent use.
type Surface struct {
	f, vars, domain string // the hyperparameters as given
	names           []string
	dom             []sdk.Interval
	g               *graph
	root            id
	grads           []id
	loss, grad      program
	glsl            string
	hess            *hessian
}

// hessian is the Hessian's program, built on first use (for n variables
// it has up to n(n+1)/2 outputs).
type hessian struct {
	once sync.Once
	p    program
}

var (
	_ sdk.SurfaceWithGradient  = (*Surface)(nil)
	_ sdk.SurfaceWithHessian   = (*Surface)(nil)
	_ sdk.SurfaceWithGLSL      = (*Surface)(nil)
	_ sdk.SurfaceWithTexts     = (*Surface)(nil)
	_ sdk.SurfaceWithConfigure = (*Surface)(nil)
)

// New is the surface with the default hyperparameters, as the plugin
// serves it: DefaultFormula, x^2 + y^2, built directly (Compile gives the
// same surface from the text; TestDefaults checks that).
func New() *Surface {
	names := []string{"x", "y"}
	return assemble(DefaultFormula, "", DefaultDomain, names, []sdk.Interval{{Lo: -10, Hi: 10}, {Lo: -10, Hi: 10}},
		func(g *graph) id { // in the order build adds the parsed formula's nodes
			x := g.variable(0)
			x2 := g.bin(opPow, x, g.konst(2))
			y := g.variable(1)
			y2 := g.bin(opPow, y, g.konst(2))
			return g.bin(opAdd, x2, y2)
		})
}

// Compile builds the surface of the formula f in the variables vars
// (names separated by spaces, commas or semicolons; empty: those f uses,
// in the default order) over domain (see the package doc). Errors wrap
// sdk.ErrBadParams; a mistake in f is an *Error with its column.
func Compile(f, vars, domain string) (*Surface, error) {
	tree, err := parse(f)
	if err != nil {
		return nil, err
	}
	seen := map[string]file.Location{}
	var used []string
	if err := check(tree, seen, &used); err != nil {
		return nil, err
	}
	names, err := variables(vars, used, seen)
	if err != nil {
		return nil, err
	}
	dom, err := parseDomain(domain, names)
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	return assemble(f, vars, domain, names, dom, func(g *graph) id { return build(g, tree, index) }), nil
}

// assemble is the surface whose formula root builds into a graph: its
// gradient, programs and GLSL.
func assemble(f, vars, domain string, names []string, dom []sdk.Interval, root func(*graph) id) *Surface {
	s := &Surface{f: f, vars: vars, domain: domain, names: names, dom: dom, g: newGraph(len(names)), hess: &hessian{}}
	s.root = root(s.g)
	s.grads = make([]id, len(names))
	for i := range names {
		s.grads[i] = s.g.deriv(s.root, i)
	}
	s.loss = s.g.compile([]id{s.root})
	s.grad = s.g.compile(s.grads)
	s.glsl = glslSource(s.loss, s.grad)
	return s
}

// variables are the surface's variable names: those declared in vars, or
// else those the formula uses (used, in order of first use) in the
// default order.
func variables(vars string, used []string, seen map[string]file.Location) ([]string, error) {
	declared := splitList(vars)
	if len(declared) == 0 {
		if len(used) == 0 {
			return nil, fmt.Errorf("%w: f has no variables; name them with vars (for example vars=x)", sdk.ErrBadParams)
		}
		if len(used) > MaxVars {
			return nil, fmt.Errorf("%w: f has %d variables; at most %d are allowed", sdk.ErrBadParams, len(used), MaxVars)
		}
		return inferOrder(used), nil
	}
	if len(declared) > MaxVars {
		return nil, fmt.Errorf("%w: vars has %d names; at most %d are allowed", sdk.ErrBadParams, len(declared), MaxVars)
	}
	set := map[string]bool{}
	for _, n := range declared {
		if err := validName(n); err != nil {
			return nil, fmt.Errorf("%w: vars: %v", sdk.ErrBadParams, err)
		}
		if set[n] {
			return nil, fmt.Errorf("%w: vars: %s is given twice", sdk.ErrBadParams, n)
		}
		set[n] = true
	}
	for _, n := range used {
		if !set[n] {
			return nil, errAt(seen[n], "unknown variable %q (variables: %s)", n, strings.Join(declared, ", "))
		}
	}
	return declared, nil
}

// splitList splits a list on spaces, commas and semicolons.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == ';' })
}

// parseDomain reads domain: an item LO:HI sets every variable's range,
// NAME:LO:HI one variable's (which wins); empty is DefaultDomain.
func parseDomain(domain string, names []string) ([]sdk.Interval, error) {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: domain: %s", sdk.ErrBadParams, fmt.Sprintf(format, args...))
	}
	items := splitList(domain)
	if len(items) == 0 {
		items = []string{DefaultDomain}
	}
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	var all *sdk.Interval
	one := map[int]sdk.Interval{}
	for _, it := range items {
		parts := strings.Split(it, ":")
		if len(parts) != 2 && len(parts) != 3 {
			return nil, bad("%q: write LO:HI for every variable or NAME:LO:HI for one (for example -3:3 or x:0:1)", it)
		}
		nums := parts[len(parts)-2:]
		var lh [2]float64
		for k, s := range nums {
			v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				return nil, bad("%q: %q is not a finite number", it, s)
			}
			lh[k] = v
		}
		if !(lh[0] < lh[1]) || math.IsInf(lh[1]-lh[0], 0) {
			return nil, bad("%q: want LO < HI, and a finite width", it)
		}
		iv := sdk.Interval{Lo: lh[0], Hi: lh[1]}
		if len(parts) == 2 {
			if all != nil {
				return nil, bad("%q: a range for every variable is given twice", it)
			}
			all = &iv
			continue
		}
		i, ok := index[parts[0]]
		if !ok {
			return nil, bad("%q: %q is not a variable (variables: %s)", it, parts[0], strings.Join(names, ", "))
		}
		if _, dup := one[i]; dup {
			return nil, bad("%q: %s's range is given twice", it, parts[0])
		}
		one[i] = iv
	}
	if all == nil {
		all = &sdk.Interval{Lo: -10, Hi: 10}
	}
	dom := make([]sdk.Interval, len(names))
	for i := range dom {
		dom[i] = *all
		if iv, ok := one[i]; ok {
			dom[i] = iv
		}
	}
	return dom, nil
}

// Vars are the variables in order: parameter i is Vars()[i].
func (s *Surface) Vars() []string { return slices.Clone(s.names) }

// Info describes the configured surface; its parameters are named by
// its variables (unless one is longer than sdk.Info allows).
func (s *Surface) Info() sdk.Info {
	i := sdk.Info{
		Name:            Name,
		Summary:         s.summary(),
		Dim:             len(s.names),
		Domain:          slices.Clone(s.dom),
		Hyperparameters: s.declare(),
		ParamNames:      slices.Clone(s.names),
	}
	for _, n := range s.names {
		if len(n) > 64 {
			i.ParamNames = nil
		}
	}
	return i
}

// summary is "f(x, y) = formula", shortened to one line of at most 100
// characters.
func (s *Surface) summary() string {
	line := fmt.Sprintf("f(%s) = %s", strings.Join(s.names, ", "), strings.Join(strings.Fields(s.f), " "))
	if r := []rune(line); len(r) > 100 {
		line = string(r[:99]) + "…"
	}
	return line
}

// declare is the hyperparameters, with this surface's values as defaults.
func (s *Surface) declare() []sdk.Hyperparameter {
	return []sdk.Hyperparameter{
		{Name: "f", Text: true, DefaultText: s.f,
			Doc: "the formula: numbers, variables, pi, e, + - * / ^ (or **), and " + strings.Join(FunctionNames(), " ")},
		{Name: "vars", Text: true, DefaultText: s.vars,
			Doc: "the variables in order, separated by spaces or commas (empty: those f uses, x y z first, then the others in natural order)"},
		{Name: "domain", Text: true, DefaultText: s.domain,
			Doc: "LO:HI for every variable, NAME:LO:HI for one, separated by spaces or commas (empty: " + DefaultDomain + ")"},
	}
}

// Configure returns the surface with p (it has no number
// hyperparameters; texts unchanged).
func (s *Surface) Configure(p sdk.Params) (sdk.Surface, error) { return s.ConfigureTexts(p, nil) }

// ConfigureTexts returns the surface with the texts t; what t leaves out
// keeps s's value.
func (s *Surface) ConfigureTexts(p sdk.Params, t sdk.Texts) (sdk.Surface, error) {
	_, texts, err := sdk.ResolveTexts(s.declare(), p, t)
	if err != nil {
		return nil, err
	}
	return Compile(texts["f"], texts["vars"], texts["domain"])
}

// Loss is the formula at theta, in float64; NaN where it is undefined.
func (s *Surface) Loss(theta []float64) float64 { return s.loss.eval1(theta) }

// Grad writes the exact gradient at theta into dst: the formula's
// symbolic derivatives, evaluated in float64.
func (s *Surface) Grad(dst, theta []float64) { s.grad.eval(dst, theta) }

// Hessian writes the exact Hessian at theta into dst (row-major, n×n):
// symbolic second derivatives, symmetric by construction.
func (s *Surface) Hessian(dst, theta []float64) {
	h := s.hess
	n := len(s.names)
	h.once.Do(func() {
		var outs []id
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				outs = append(outs, s.g.deriv(s.grads[i], j))
			}
		}
		h.p = s.g.compile(outs)
	})
	v := make([]float64, len(h.p.out))
	h.p.eval(v, theta)
	k := 0
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			dst[i*n+j], dst[j*n+i] = v[k], v[k]
			k++
		}
	}
}

// GLSL is the formula for the GPU, generated: loss() and grad(), in
// float32.
func (s *Surface) GLSL() string { return s.glsl }
