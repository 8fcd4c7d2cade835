package funcs

import (
	"math"

	"github.com/landscape-go/landscape/sdk"
)

// The N-dimensional surfaces. Each holds its hyperparameters as fields; the
// zero value is not useful, use the New functions (the default
// configuration) or Configure.

var (
	_ sdk.SurfaceWithConfigure = Bowl{}
	_ sdk.SurfaceWithGradient  = Bowl{}
	_ sdk.SurfaceWithConfigure = Rastrigin{}
	_ sdk.SurfaceWithGradient  = Rastrigin{}
	_ sdk.SurfaceWithConfigure = Ackley{}
	_ sdk.SurfaceWithGradient  = Ackley{}
	_ sdk.SurfaceWithConfigure = Rosenbrock{}
	_ sdk.SurfaceWithGradient  = Rosenbrock{}
	_ sdk.SurfaceWithConfigure = StyblinskiTang{}
	_ sdk.SurfaceWithGradient  = StyblinskiTang{}
	_ sdk.SurfaceWithGLSL      = Bowl{}
	_ sdk.SurfaceWithGLSL      = Rastrigin{}
	_ sdk.SurfaceWithGLSL      = Ackley{}
	_ sdk.SurfaceWithGLSL      = Rosenbrock{}
	_ sdk.SurfaceWithGLSL      = StyblinskiTang{}
)

// resolve checks p against the surface's declared hyperparameters (whose
// defaults are its current values) so that Configure is safe even when
// called directly rather than through sdk.Configure.
func resolve(s sdk.Surface, p sdk.Params) (sdk.Params, error) {
	return sdk.Resolve(s.Info().Hyperparameters, p)
}

// ---- bowl ----

// Bowl is the convex quadratic ½·Σ c_i θ_i² on [-2, 2]^dim, with c spaced
// log-uniformly from 1 to cond: its Hessian is diag(c), whose condition
// number is cond. Minimum 0 at the origin.
type Bowl struct {
	dim  int
	cond float64
	c    []float64 // read only once built
}

// NewBowl returns the bowl in its default configuration (dim 2, cond 10).
func NewBowl() Bowl { return newBowl(2, 10) }

func newBowl(dim int, cond float64) Bowl {
	c := make([]float64, dim)
	for i := range c {
		if dim == 1 {
			c[i] = 1
		} else {
			c[i] = math.Pow(cond, float64(i)/float64(dim-1))
		}
	}
	return Bowl{dim: dim, cond: cond, c: c}
}

func (b Bowl) Info() sdk.Info {
	return sdk.Info{
		Name:    "bowl",
		Summary: "convex quadratic ½·Σ c_i θ_i² with a chosen condition number",
		Dim:     b.dim,
		Domain:  square(b.dim, -2, 2),
		Hyperparameters: []sdk.Hyperparameter{
			dimParam(float64(b.dim), 1),
			{Name: "cond", Doc: "condition number of the Hessian (largest over smallest curvature)", Default: b.cond, Min: 1, Max: 1e6},
		},
		Minima: []sdk.Minimum{{Location: make([]float64, b.dim), Value: 0}},
	}
}

func (b Bowl) Configure(p sdk.Params) (sdk.Surface, error) {
	p, err := resolve(b, p)
	if err != nil {
		return nil, err
	}
	return newBowl(int(p["dim"]), p["cond"]), nil
}

func (b Bowl) Loss(t []float64) float64 {
	c := b.c[:len(t)]
	var s float64
	for i, x := range t {
		s += c[i] * x * x
	}
	return 0.5 * s
}

func (b Bowl) Grad(g, t []float64) {
	c := b.c[:len(t)]
	g = g[:len(t)]
	for i, x := range t {
		g[i] = c[i] * x
	}
}

// bowlGLSL computes the coefficients as newBowl does.
const bowlGLSL = `float loss() {
	float s = 0.0;
	for (int i = 0; i < DIM; i++) {
		float ci = DIM == 1 ? 1.0 : pow(cond, float(i) / float(DIM - 1));
		float x = P(i);
		s += ci * x * x;
	}
	return 0.5 * s;
}
`

func (Bowl) GLSL() string { return bowlGLSL }

// ---- rastrigin ----

// Rastrigin is A·n + Σ (θ_i² − A·cos 2πθ_i) on [-5.12, 5.12]^dim: a bowl
// covered in a regular lattice of local minima. Minimum 0 at the origin.
type Rastrigin struct {
	dim int
	a   float64
}

// NewRastrigin returns Rastrigin's function in its default configuration
// (dim 2, A 10).
func NewRastrigin() Rastrigin { return Rastrigin{dim: 2, a: 10} }

func (r Rastrigin) Info() sdk.Info {
	return sdk.Info{
		Name:    "rastrigin",
		Summary: "Rastrigin's function: a lattice of local minima, minimum 0 at the origin",
		Dim:     r.dim,
		Domain:  square(r.dim, -5.12, 5.12),
		Hyperparameters: []sdk.Hyperparameter{
			dimParam(float64(r.dim), 1),
			{Name: "A", Doc: "amplitude of the cosine ripples", Default: r.a, Min: 0, Max: 100},
		},
		Minima: []sdk.Minimum{{Location: make([]float64, r.dim), Value: 0}},
	}
}

func (r Rastrigin) Configure(p sdk.Params) (sdk.Surface, error) {
	p, err := resolve(r, p)
	if err != nil {
		return nil, err
	}
	return Rastrigin{dim: int(p["dim"]), a: p["A"]}, nil
}

func (r Rastrigin) Loss(t []float64) float64 {
	s := r.a * float64(len(t))
	for _, x := range t {
		s += x*x - r.a*math.Cos(2*math.Pi*x)
	}
	return s
}

func (r Rastrigin) Grad(g, t []float64) {
	g = g[:len(t)]
	for i, x := range t {
		g[i] = 2*x + 2*math.Pi*r.a*math.Sin(2*math.Pi*x)
	}
}

// rastriginGLSL spreads A·n over the terms and writes A·(1 − cos 2πθ_i) as
// 2A·sin²(πθ_i): the same function, without float32 cancellation near the
// lattice points.
const rastriginGLSL = `const float PI = 3.14159265358979323846;

float loss() {
	float s = 0.0;
	for (int i = 0; i < DIM; i++) {
		float x = P(i);
		float r = sin(PI * x);
		s += x * x + 2.0 * A * r * r;
	}
	return s;
}
`

func (Rastrigin) GLSL() string { return rastriginGLSL }

// ---- ackley ----

// Ackley is −a·exp(−b·√(Σθ_i²/n)) − exp(Σcos(cθ_i)/n) + a + e on [-5, 5]^dim
// (the common plotting domain; [-32.768, 32.768] is the other convention):
// a nearly flat, rippled plateau around a deep cone at the origin, where the
// minimum is 0. The cone's tip is not differentiable; Grad takes 0 there.
type Ackley struct {
	dim     int
	a, b, c float64
}

// NewAckley returns Ackley's function in its default configuration (dim 2,
// a 20, b 0.2, c 2π).
func NewAckley() Ackley { return Ackley{dim: 2, a: 20, b: 0.2, c: 2 * math.Pi} }

func (f Ackley) Info() sdk.Info {
	return sdk.Info{
		Name:    "ackley",
		Summary: "Ackley's function: a rippled plateau around a deep cone, minimum 0 at the origin",
		Dim:     f.dim,
		Domain:  square(f.dim, -5, 5),
		Hyperparameters: []sdk.Hyperparameter{
			dimParam(float64(f.dim), 1),
			{Name: "a", Doc: "depth of the cone", Default: f.a, Min: 0, Max: 100},
			{Name: "b", Doc: "steepness of the cone", Default: f.b, Min: 0, Max: 10},
			{Name: "c", Doc: "angular frequency of the ripples", Default: f.c, Min: 0, Max: 100},
		},
		Minima: []sdk.Minimum{{Location: make([]float64, f.dim), Value: 0}},
	}
}

func (f Ackley) Configure(p sdk.Params) (sdk.Surface, error) {
	p, err := resolve(f, p)
	if err != nil {
		return nil, err
	}
	return Ackley{dim: int(p["dim"]), a: p["a"], b: p["b"], c: p["c"]}, nil
}

func (f Ackley) Loss(t []float64) float64 {
	var s2, sc float64
	for _, x := range t {
		s2 += x * x
		sc += math.Cos(f.c * x)
	}
	n := float64(len(t))
	return -f.a*math.Exp(-f.b*math.Sqrt(s2/n)) - math.Exp(sc/n) + f.a + math.E
}

func (f Ackley) Grad(g, t []float64) {
	var s2, sc float64
	for _, x := range t {
		s2 += x * x
		sc += math.Cos(f.c * x)
	}
	n := float64(len(t))
	r := math.Sqrt(s2 / n)
	// ∂/∂θ_i of −a·exp(−b·r) is a·b·exp(−b·r)·θ_i/(n·r); 0 at the tip.
	var k1 float64
	if r > 0 {
		k1 = f.a * f.b * math.Exp(-f.b*r) / (n * r)
	}
	k2 := math.Exp(sc/n) * f.c / n
	g = g[:len(t)]
	for i, x := range t {
		g[i] = k1*x + k2*math.Sin(f.c*x)
	}
}

// ackleyGLSL groups the terms as a·(1 − exp(…)) + (e − exp(…)), which
// vanish separately at the origin.
const ackleyGLSL = `const float E = 2.71828182845904523536;

float loss() {
	float s2 = 0.0;
	float sc = 0.0;
	for (int i = 0; i < DIM; i++) {
		float x = P(i);
		s2 += x * x;
		sc += cos(c * x);
	}
	float n = float(DIM);
	return a * (1.0 - exp(-b * sqrt(s2 / n))) + (E - exp(sc / n));
}
`

func (Ackley) GLSL() string { return ackleyGLSL }

// ---- rosenbrock ----

// Rosenbrock is Σ_{i<n−1} 100(θ_{i+1} − θ_i²)² + (1 − θ_i)²: a curved,
// narrow valley with minimum 0 at (1, …, 1). Domain: θ_0 ∈ [-2, 2], the
// others in [-1, 3] (the classic [-2, 2]×[-1, 3] picture in 2D).
type Rosenbrock struct {
	dim int
}

// NewRosenbrock returns Rosenbrock's function in its default configuration
// (dim 2).
func NewRosenbrock() Rosenbrock { return Rosenbrock{dim: 2} }

func (r Rosenbrock) Info() sdk.Info {
	dom := square(r.dim, -1, 3)
	dom[0] = sdk.Interval{Lo: -2, Hi: 2}
	return sdk.Info{
		Name:            "rosenbrock",
		Summary:         "Rosenbrock's banana valley, minimum 0 at (1, …, 1)",
		Dim:             r.dim,
		Domain:          dom,
		Hyperparameters: []sdk.Hyperparameter{dimParam(float64(r.dim), 2)},
		Minima:          []sdk.Minimum{{Location: repeat(r.dim, 1), Value: 0}},
	}
}

func (r Rosenbrock) Configure(p sdk.Params) (sdk.Surface, error) {
	p, err := resolve(r, p)
	if err != nil {
		return nil, err
	}
	return Rosenbrock{dim: int(p["dim"])}, nil
}

func (Rosenbrock) Loss(t []float64) float64 {
	var s float64
	for i := 0; i+1 < len(t); i++ {
		x, y := t[i], t[i+1]
		a := y - x*x
		b := 1 - x
		s += 100*a*a + b*b
	}
	return s
}

func (Rosenbrock) Grad(g, t []float64) {
	g = g[:len(t)]
	for i := range g {
		g[i] = 0
	}
	for i := 0; i+1 < len(t); i++ {
		x, y := t[i], t[i+1]
		a := y - x*x
		g[i] += -400*x*a - 2*(1-x)
		g[i+1] += 200 * a
	}
}

// rosenbrockGLSL's loop reads i < DIM - 1, not i + 1 < DIM: with the
// bound a constant of i alone, compilers see its trip count and unroll it
// (llvmpipe otherwise runs a loop over indexed uniforms at every point:
// about 1.6 times the CPU time of a 2048² grid).
const rosenbrockGLSL = `float loss() {
	float s = 0.0;
	for (int i = 0; i < DIM - 1; i++) {
		float x = P(i);
		float y = P(i + 1);
		float u = y - x * x;
		float v = 1.0 - x;
		s += 100.0 * u * u + v * v;
	}
	return s;
}
`

func (Rosenbrock) GLSL() string { return rosenbrockGLSL }

// ---- styblinski-tang ----

// StyblinskiTang is ½·Σ (θ_i⁴ − 16θ_i² + 5θ_i) on [-5, 5]^dim: 2^dim local
// minima, the global one at θ_i = −2.903534… with value −39.166166…·dim.
type StyblinskiTang struct {
	dim int
}

// NewStyblinskiTang returns the Styblinski–Tang function in its default
// configuration (dim 2).
func NewStyblinskiTang() StyblinskiTang { return StyblinskiTang{dim: 2} }

// The smallest root of 2x³ − 16x + 2.5 = 0, and ½(x⁴ − 16x² + 5x) there, to
// 22 digits (mpmath findroot).
const (
	stX = -2.903534027771177095119
	stV = -39.16616570377141546389
)

func (s StyblinskiTang) Info() sdk.Info {
	return sdk.Info{
		Name:            "styblinski-tang",
		Summary:         "Styblinski–Tang function: 2^n local minima, minimum −39.166·n at θ_i = −2.9035",
		Dim:             s.dim,
		Domain:          square(s.dim, -5, 5),
		Hyperparameters: []sdk.Hyperparameter{dimParam(float64(s.dim), 1)},
		Minima:          []sdk.Minimum{{Location: repeat(s.dim, stX), Value: stV * float64(s.dim)}},
	}
}

func (s StyblinskiTang) Configure(p sdk.Params) (sdk.Surface, error) {
	p, err := resolve(s, p)
	if err != nil {
		return nil, err
	}
	return StyblinskiTang{dim: int(p["dim"])}, nil
}

func (StyblinskiTang) Loss(t []float64) float64 {
	var s float64
	for _, x := range t {
		x2 := x * x
		s += x2*x2 - 16*x2 + 5*x
	}
	return 0.5 * s
}

func (StyblinskiTang) Grad(g, t []float64) {
	g = g[:len(t)]
	for i, x := range t {
		g[i] = 2*x*x*x - 16*x + 2.5
	}
}

const styblinskiTangGLSL = `float loss() {
	float s = 0.0;
	for (int i = 0; i < DIM; i++) {
		float x = P(i);
		float x2 = x * x;
		s += x2 * x2 - 16.0 * x2 + 5.0 * x;
	}
	return 0.5 * s;
}
`

func (StyblinskiTang) GLSL() string { return styblinskiTangGLSL }
