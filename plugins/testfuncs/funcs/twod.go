package funcs

import (
	"math"

	"github.com/landscape-go/landscape/sdk"
)

// The two-dimensional surfaces. Each is an empty struct: no state, no
// hyperparameters.

var (
	_ sdk.SurfaceWithGradient = Ripple{}
	_ sdk.SurfaceWithGradient = Saddle{}
	_ sdk.SurfaceWithGradient = Himmelblau{}
	_ sdk.SurfaceWithGradient = Beale{}
	_ sdk.SurfaceWithGradient = Booth{}
	_ sdk.SurfaceWithGradient = GoldsteinPrice{}
	_ sdk.SurfaceWithGradient = SixHumpCamel{}
	_ sdk.SurfaceWithGradient = Eggholder{}
	_ sdk.SurfaceWithGradient = Levi13{}
	_ sdk.SurfaceWithGradient = Matyas{}
	_ sdk.SurfaceWithGradient = McCormick{}

	_ sdk.SurfaceWithGLSL = Ripple{}
	_ sdk.SurfaceWithGLSL = Saddle{}
	_ sdk.SurfaceWithGLSL = Himmelblau{}
	_ sdk.SurfaceWithGLSL = Beale{}
	_ sdk.SurfaceWithGLSL = Booth{}
	_ sdk.SurfaceWithGLSL = GoldsteinPrice{}
	_ sdk.SurfaceWithGLSL = SixHumpCamel{}
	_ sdk.SurfaceWithGLSL = Eggholder{}
	_ sdk.SurfaceWithGLSL = Levi13{}
	_ sdk.SurfaceWithGLSL = Matyas{}
	_ sdk.SurfaceWithGLSL = McCormick{}
)

func info2(name, summary string, x, y sdk.Interval, minima ...sdk.Minimum) sdk.Info {
	return sdk.Info{
		Name:    name,
		Summary: summary,
		Dim:     2,
		Domain:  []sdk.Interval{x, y},
		Minima:  minima,
	}
}

func iv(lo, hi float64) sdk.Interval { return sdk.Interval{Lo: lo, Hi: hi} }

func min2(x, y, v float64) sdk.Minimum {
	return sdk.Minimum{Location: []float64{x, y}, Value: v}
}

func local2(x, y, v float64) sdk.Minimum {
	return sdk.Minimum{Location: []float64{x, y}, Value: v, Local: true}
}

// Ripple is sin(4x)·cos(4y) + 2(x² + y²) on [-2, 2]²: a bowl with ripples,
// the project's demonstration surface. It is symmetric under y → −y only
// (sin is odd, so not under (x, y) → (−x, −y)); its one global minimum lies
// on the x axis, where sin(4x) ≈ −1 balances the bowl.
type Ripple struct{}

func (Ripple) Info() sdk.Info {
	return info2("ripple", "sin(4x)·cos(4y) + 2(x²+y²): a bowl with ripples",
		iv(-2, 2), iv(-2, 2),
		// Found by Newton's method on the analytic gradient (Hessian by
		// central differences of the gradient) from a 201×201 grid of starts
		// over the domain, keeping the converged points with a positive
		// definite Hessian, then confirmed with 40-digit arithmetic (mpmath
		// findroot). On y = 0 the minima solve cos(4x) = −x. The function is
		// symmetric under y → −y only, so the global minimum, on the x axis,
		// is unique; the local minima come as mirror pairs or on the axis.
		min2(rippleX, 0, rippleV),
		local2(0.2928689541448699036, 0.6059572626455170944, 0.2118982570396720539),
		local2(0.2928689541448699036, -0.6059572626455170944, 0.2118982570396720539),
		local2(0.898826216790386998, 0, 1.177471954615723236),
	)
}

const (
	rippleX = -0.3130883085006471908
	rippleV = -0.7536754405363791287
)

func (Ripple) Loss(t []float64) float64 {
	x, y := t[0], t[1]
	return math.Sin(4*x)*math.Cos(4*y) + 2*(x*x+y*y)
}

func (Ripple) Grad(g, t []float64) {
	x, y := t[0], t[1]
	sx, cx := math.Sincos(4 * x)
	sy, cy := math.Sincos(4 * y)
	g[0] = 4*cx*cy + 4*x
	g[1] = -4*sx*sy + 4*y
}

const rippleGLSL = `float loss() {
	float x = P(0);
	float y = P(1);
	return sin(4.0 * x) * cos(4.0 * y) + 2.0 * (x * x + y * y);
}
`

func (Ripple) GLSL() string { return rippleGLSL }

// Saddle is x² − y² on [-2, 2]²: the textbook saddle point at the origin,
// with no minimum.
type Saddle struct{}

func (Saddle) Info() sdk.Info {
	return info2("saddle", "x² − y²: a saddle point at the origin, no minimum", iv(-2, 2), iv(-2, 2))
}

func (Saddle) Loss(t []float64) float64 { return t[0]*t[0] - t[1]*t[1] }

func (Saddle) Grad(g, t []float64) {
	g[0] = 2 * t[0]
	g[1] = -2 * t[1]
}

const saddleGLSL = `float loss() {
	float x = P(0);
	float y = P(1);
	return x * x - y * y;
}
`

func (Saddle) GLSL() string { return saddleGLSL }

// Himmelblau is (x²+y−11)² + (x+y²−7)² on [-5, 5]², with four global minima
// of value 0.
type Himmelblau struct{}

func (Himmelblau) Info() sdk.Info {
	return info2("himmelblau", "Himmelblau's function: four global minima of value 0",
		iv(-5, 5), iv(-5, 5),
		min2(3, 2, 0),
		// Roots of x²+y−11 = x+y²−7 = 0, to 20 digits (mpmath findroot).
		min2(-2.8051180869527448531, 3.1313125182505729658, 0),
		min2(-3.7793102533777468919, -3.2831859912861694123, 0),
		min2(3.5844283403304917449, -1.8481265269644035535, 0),
	)
}

func (Himmelblau) Loss(t []float64) float64 {
	x, y := t[0], t[1]
	a := x*x + y - 11
	b := x + y*y - 7
	return a*a + b*b
}

func (Himmelblau) Grad(g, t []float64) {
	x, y := t[0], t[1]
	a := x*x + y - 11
	b := x + y*y - 7
	g[0] = 4*x*a + 2*b
	g[1] = 2*a + 4*y*b
}

const himmelblauGLSL = `float loss() {
	float x = P(0);
	float y = P(1);
	float a = x * x + y - 11.0;
	float b = x + y * y - 7.0;
	return a * a + b * b;
}
`

func (Himmelblau) GLSL() string { return himmelblauGLSL }

// Beale is (1.5−x+xy)² + (2.25−x+xy²)² + (2.625−x+xy³)² on [-4.5, 4.5]²,
// minimum 0 at (3, 0.5).
type Beale struct{}

func (Beale) Info() sdk.Info {
	return info2("beale", "Beale's function: sharp ridges, minimum 0 at (3, 0.5)",
		iv(-4.5, 4.5), iv(-4.5, 4.5), min2(3, 0.5, 0))
}

func (Beale) Loss(t []float64) float64 {
	x, y := t[0], t[1]
	y2 := y * y
	a := 1.5 - x + x*y
	b := 2.25 - x + x*y2
	c := 2.625 - x + x*y2*y
	return a*a + b*b + c*c
}

func (Beale) Grad(g, t []float64) {
	x, y := t[0], t[1]
	y2 := y * y
	y3 := y2 * y
	a := 1.5 - x + x*y
	b := 2.25 - x + x*y2
	c := 2.625 - x + x*y3
	g[0] = 2 * (a*(y-1) + b*(y2-1) + c*(y3-1))
	g[1] = 2 * x * (a + 2*b*y + 3*c*y2)
}

const bealeGLSL = `float loss() {
	float x = P(0);
	float y = P(1);
	float y2 = y * y;
	float a = 1.5 - x + x * y;
	float b = 2.25 - x + x * y2;
	float c = 2.625 - x + x * y2 * y;
	return a * a + b * b + c * c;
}
`

func (Beale) GLSL() string { return bealeGLSL }

// Booth is (x+2y−7)² + (2x+y−5)² on [-10, 10]², minimum 0 at (1, 3).
type Booth struct{}

func (Booth) Info() sdk.Info {
	return info2("booth", "Booth's function: a tilted quadratic, minimum 0 at (1, 3)",
		iv(-10, 10), iv(-10, 10), min2(1, 3, 0))
}

func (Booth) Loss(t []float64) float64 {
	x, y := t[0], t[1]
	a := x + 2*y - 7
	b := 2*x + y - 5
	return a*a + b*b
}

func (Booth) Grad(g, t []float64) {
	x, y := t[0], t[1]
	a := x + 2*y - 7
	b := 2*x + y - 5
	g[0] = 2*a + 4*b
	g[1] = 4*a + 2*b
}

const boothGLSL = `float loss() {
	float x = P(0);
	float y = P(1);
	float a = x + 2.0 * y - 7.0;
	float b = 2.0 * x + y - 5.0;
	return a * a + b * b;
}
`

func (Booth) GLSL() string { return boothGLSL }

// GoldsteinPrice is the Goldstein–Price function on [-2, 2]², minimum 3 at
// (0, −1), with three local minima.
type GoldsteinPrice struct{}

func (GoldsteinPrice) Info() sdk.Info {
	return info2("goldstein-price", "Goldstein–Price function: minimum 3 at (0, −1), values up to 1e6",
		iv(-2, 2), iv(-2, 2),
		min2(0, -1, 3),
		local2(-0.6, -0.4, 30),
		local2(1.8, 0.2, 84),
		local2(1.2, 0.8, 840),
	)
}

func (GoldsteinPrice) Loss(t []float64) float64 {
	x, y := t[0], t[1]
	u := x + y + 1
	a := 19 - 14*x + 3*x*x - 14*y + 6*x*y + 3*y*y
	w := 2*x - 3*y
	b := 18 - 32*x + 12*x*x + 48*y - 36*x*y + 27*y*y
	return (1 + u*u*a) * (30 + w*w*b)
}

func (GoldsteinPrice) Grad(g, t []float64) {
	x, y := t[0], t[1]
	u := x + y + 1
	a := 19 - 14*x + 3*x*x - 14*y + 6*x*y + 3*y*y
	da := -14 + 6*x + 6*y // ∂a/∂x = ∂a/∂y
	w := 2*x - 3*y
	b := 18 - 32*x + 12*x*x + 48*y - 36*x*y + 27*y*y
	p := 1 + u*u*a
	q := 30 + w*w*b
	dp := 2*u*a + u*u*da // ∂p/∂x = ∂p/∂y
	dqx := 4*w*b + w*w*(-32+24*x-36*y)
	dqy := -6*w*b + w*w*(48-36*x+54*y)
	g[0] = dp*q + p*dqx
	g[1] = dp*q + p*dqy
}

const goldsteinPriceGLSL = `float loss() {
	float x = P(0);
	float y = P(1);
	float u = x + y + 1.0;
	float a = 19.0 - 14.0 * x + 3.0 * x * x - 14.0 * y + 6.0 * x * y + 3.0 * y * y;
	float w = 2.0 * x - 3.0 * y;
	float b = 18.0 - 32.0 * x + 12.0 * x * x + 48.0 * y - 36.0 * x * y + 27.0 * y * y;
	return (1.0 + u * u * a) * (30.0 + w * w * b);
}
`

func (GoldsteinPrice) GLSL() string { return goldsteinPriceGLSL }

// SixHumpCamel is (4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y² on
// [-3, 3]×[-2, 2]: two global minima, four local ones.
type SixHumpCamel struct{}

func (SixHumpCamel) Info() sdk.Info {
	return info2("six-hump-camel", "six-hump camel function: two global minima of value −1.0316",
		iv(-3, 3), iv(-2, 2),
		// Refined by Newton's method from the literature's values, to 20
		// digits (mpmath findroot); the function is symmetric under
		// (x, y) → (−x, −y).
		min2(0.089842013100318062422, -0.7126564030207396334, -1.0316284534898773504),
		min2(-0.089842013100318062422, 0.7126564030207396334, -1.0316284534898773504),
		local2(-1.7036067149699808488, 0.79608356867262511903, -0.21546382438371763758),
		local2(1.7036067149699808488, -0.79608356867262511903, -0.21546382438371763758),
		local2(-1.6071047529201972298, -0.56865145488413137139, 2.1042503103112582746),
		local2(1.6071047529201972298, 0.56865145488413137139, 2.1042503103112582746),
	)
}

func (SixHumpCamel) Loss(t []float64) float64 {
	x, y := t[0], t[1]
	x2, y2 := x*x, y*y
	return (4-2.1*x2+x2*x2/3)*x2 + x*y + (-4+4*y2)*y2
}

func (SixHumpCamel) Grad(g, t []float64) {
	x, y := t[0], t[1]
	x2 := x * x
	g[0] = 8*x - 8.4*x2*x + 2*x2*x2*x + y
	g[1] = x - 8*y + 16*y*y*y
}

const sixHumpCamelGLSL = `float loss() {
	float x = P(0);
	float y = P(1);
	float x2 = x * x;
	float y2 = y * y;
	return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2;
}
`

func (SixHumpCamel) GLSL() string { return sixHumpCamelGLSL }

// Eggholder is −(y+47)·sin√|x/2+y+47| − x·sin√|x−(y+47)| on [-512, 512]²:
// deep, irregular wells; the global minimum lies on the boundary x = 512.
type Eggholder struct{}

func (Eggholder) Info() sdk.Info {
	return info2("eggholder", "Eggholder function: irregular wells, minimum −959.6407 on the edge x = 512",
		iv(-512, 512), iv(-512, 512),
		// On the edge x = 512 (∂f/∂x = −3.39 there: the minimum of the box,
		// not a stationary point); y solves ∂f/∂y = 0, to 20 digits (mpmath).
		min2(512, 404.23180511375781093, -959.64066272085080283),
	)
}

func (Eggholder) Loss(t []float64) float64 {
	x, y := t[0], t[1]
	s := y + 47
	return -s*math.Sin(math.Sqrt(math.Abs(x/2+s))) - x*math.Sin(math.Sqrt(math.Abs(x-s)))
}

func (Eggholder) Grad(g, t []float64) {
	x, y := t[0], t[1]
	s := y + 47
	a := x/2 + s
	b := x - s
	ra := math.Sqrt(math.Abs(a))
	rb := math.Sqrt(math.Abs(b))
	sa, ca := math.Sincos(ra)
	sb, cb := math.Sincos(rb)
	// d/du sin√|u| = cos√|u|·sign(u)/(2√|u|), taken as 0 at the cusp u = 0.
	var da, db float64
	if ra > 0 {
		da = ca * sign(a) / (2 * ra)
	}
	if rb > 0 {
		db = cb * sign(b) / (2 * rb)
	}
	g[0] = -s*da/2 - sb - x*db
	g[1] = -sa - s*da + x*db
}

// eggholderGLSL adds the 47 last under the square roots. Near the cusps,
// where a or b vanishes, x/2 + y and x − y are near ∓47 and round at that
// scale, and adding ±47 is exact (Sterbenz); rounding s = y + 47 first
// would err at the scale of s, up to 559, magnified by the square root.
// precise keeps the compiler from reassociating the sums.
const eggholderGLSL = `float loss() {
	float x = P(0);
	float y = P(1);
	float s = y + 47.0;
	precise float a = x / 2.0 + y + 47.0;
	precise float b = x - y - 47.0;
	return -s * sin(sqrt(abs(a))) - x * sin(sqrt(abs(b)));
}
`

func (Eggholder) GLSL() string { return eggholderGLSL }

// Levi13 is Lévy function N.13, sin²(3πx) + (x−1)²(1+sin²(3πy)) +
// (y−1)²(1+sin²(2πy)) on [-10, 10]², minimum 0 at (1, 1).
type Levi13 struct{}

func (Levi13) Info() sdk.Info {
	return info2("levi13", "Lévi function N.13: many local minima, minimum 0 at (1, 1)",
		iv(-10, 10), iv(-10, 10), min2(1, 1, 0))
}

func (Levi13) Loss(t []float64) float64 {
	x, y := t[0], t[1]
	a := math.Sin(3 * math.Pi * x)
	b := math.Sin(3 * math.Pi * y)
	c := math.Sin(2 * math.Pi * y)
	return a*a + (x-1)*(x-1)*(1+b*b) + (y-1)*(y-1)*(1+c*c)
}

func (Levi13) Grad(g, t []float64) {
	x, y := t[0], t[1]
	b := math.Sin(3 * math.Pi * y)
	c := math.Sin(2 * math.Pi * y)
	g[0] = 3*math.Pi*math.Sin(6*math.Pi*x) + 2*(x-1)*(1+b*b)
	g[1] = (x-1)*(x-1)*3*math.Pi*math.Sin(6*math.Pi*y) +
		2*(y-1)*(1+c*c) + (y-1)*(y-1)*2*math.Pi*math.Sin(4*math.Pi*y)
}

const levi13GLSL = `const float PI = 3.14159265358979323846;

float loss() {
	float x = P(0);
	float y = P(1);
	float a = sin(3.0 * PI * x);
	float b = sin(3.0 * PI * y);
	float c = sin(2.0 * PI * y);
	return a * a + (x - 1.0) * (x - 1.0) * (1.0 + b * b) + (y - 1.0) * (y - 1.0) * (1.0 + c * c);
}
`

func (Levi13) GLSL() string { return levi13GLSL }

// Matyas is 0.26(x²+y²) − 0.48xy on [-10, 10]², minimum 0 at the origin: a
// flat, badly conditioned valley.
type Matyas struct{}

func (Matyas) Info() sdk.Info {
	return info2("matyas", "Matyas function: a flat diagonal valley, minimum 0 at the origin",
		iv(-10, 10), iv(-10, 10), min2(0, 0, 0))
}

func (Matyas) Loss(t []float64) float64 {
	x, y := t[0], t[1]
	return 0.26*(x*x+y*y) - 0.48*x*y
}

func (Matyas) Grad(g, t []float64) {
	x, y := t[0], t[1]
	g[0] = 0.52*x - 0.48*y
	g[1] = 0.52*y - 0.48*x
}

const matyasGLSL = `float loss() {
	float x = P(0);
	float y = P(1);
	return 0.26 * (x * x + y * y) - 0.48 * x * y;
}
`

func (Matyas) GLSL() string { return matyasGLSL }

// McCormick is sin(x+y) + (x−y)² − 1.5x + 2.5y + 1 on [-1.5, 4]×[-3, 4].
// Its minima solve x − y = 1, cos(x+y) = −1/2 in closed form: the global one
// at (1/2 − π/3, −1/2 − π/3) with value −√3/2 − π/3, a local one at
// (1/2 + 2π/3, −1/2 + 2π/3) with value 2π/3 − √3/2.
type McCormick struct{}

func (McCormick) Info() sdk.Info {
	return info2("mccormick", "McCormick function: minimum −1.9133 at (−0.5472, −1.5472)",
		iv(-1.5, 4), iv(-3, 4),
		min2(0.5-math.Pi/3, -0.5-math.Pi/3, -math.Sqrt(3)/2-math.Pi/3),
		local2(0.5+2*math.Pi/3, -0.5+2*math.Pi/3, 2*math.Pi/3-math.Sqrt(3)/2),
	)
}

func (McCormick) Loss(t []float64) float64 {
	x, y := t[0], t[1]
	return math.Sin(x+y) + (x-y)*(x-y) - 1.5*x + 2.5*y + 1
}

func (McCormick) Grad(g, t []float64) {
	x, y := t[0], t[1]
	c := math.Cos(x + y)
	g[0] = c + 2*(x-y) - 1.5
	g[1] = c - 2*(x-y) + 2.5
}

const mcCormickGLSL = `float loss() {
	float x = P(0);
	float y = P(1);
	return sin(x + y) + (x - y) * (x - y) - 1.5 * x + 2.5 * y + 1.0;
}
`

func (McCormick) GLSL() string { return mcCormickGLSL }
