// Package formula is the surface expr: a formula typed by the user, such as
// f=sin(4*x)*cos(4*y)+2*(x^2+y^2) or f=(t-2)^2, as a loss surface whose
// parameters are the formula's variables. The expr plugin serves it.
//
// # Hyperparameters (all text)
//
//   - f: the formula (default x^2 + y^2).
//   - vars: the variables in order, separated by spaces, commas or
//     semicolons (vars=a b c, vars=a,b). Empty (the default): the names the
//     formula uses, x, y and z first, then the others in natural order (x2
//     before x10). A declared variable the formula does not use is a flat
//     direction; a name the formula uses that vars does not declare is an
//     error. The dimension is the number of variables, 1 to MaxVars.
//   - domain: the default range of the variables: LO:HI for every variable,
//     NAME:LO:HI for one (which wins), items separated by spaces or commas:
//     domain=-3:3, domain=x:0.1:5 y:-1:1, domain=-2:2 t:0:10. Empty or by
//     default, -10:10.
//
// # Syntax
//
// Numbers (2, 0.5, 1e-3), variables (letters, digits and _, not starting
// with a digit; Unicode letters such as θ too), the constants pi and e, the
// operators + - * / and ^ or ** (power), parentheses, and these functions:
//
//	sqrt(x)            x ≥ 0
//	exp(x)
//	log(x)             natural logarithm, x ≥ 0 (−Inf at 0); log2, log10 alike
//	sin cos tan        radians
//	asin(x) acos(x)    −1 ≤ x ≤ 1
//	atan(x) atan2(y, x)
//	sinh cosh tanh
//	abs(x)
//	pow(a, b)          a^b
//	min(a, b, ...)     max(a, b, ...)
//
// Precedence is arithmetic's: ^ binds tighter than unary minus and is
// right-associative (-x^2 = −(x²), 2^3^2 = 2⁹), then * and /, then + and −.
// The parser is expr-lang's (github.com/expr-lang/expr/parser); Go's own
// go/parser is not used because Go's ^ is exclusive or at the precedence of
// + (x^2+y^2 would be ((x^2)+y)^2). A mistake is an *Error that names its
// column: `f: column 9: unknown function "sinn" (functions: abs, acos, ...)`.
//
// # Values where a formula is undefined
//
// A formula is NaN where it is undefined: the square root or logarithm of
// a negative number, asin or acos outside [−1, 1], a negative base to a
// fractional power ((-8)^(1/3) is NaN; (-2)^3 is −8), 0/0. Division by zero
// and overflow give ±Inf, as Go's float64 arithmetic (math.Pow, math.Log,
// ...) does; the host stores NaN and ±Inf as NaN.
//
// # Derivatives
//
// Grad and Hessian (sdk.SurfaceWithHessian) are exact: the formula is
// differentiated symbolically (the chain rule on a graph of its operations,
// with common subexpressions shared and only exact simplifications), once,
// and the derivatives are evaluated in float64. At kinks they follow
// torch's conventions: abs'(0) = 0 (torch.abs); at a tie of max(a, b) or
// min(a, b) each argument takes half the gradient (torch.maximum and
// torch.minimum); the second derivative of abs at 0 is 0, and at a tie of
// max or min the average of the two pieces'. Elsewhere a derivative that
// does not exist is what float64 arithmetic gives for the chain rule:
// sqrt(x)'s at x = 0 is +Inf, the Hessian of sqrt(x^2+y^2) at the origin
// is NaN. A derivative along a variable that a part of the formula does
// not depend on is exact even where that part is undefined: ∂/∂y of
// sqrt(x) + y is 1 at x = −1.
//
// # The GPU
//
// GLSL returns loss() and grad() (`void grad(out float g[DIM])`, the same
// symbolic gradient), generated from the same graph, in float32.
// Operations whose GLSL built-in is undefined somewhere (sqrt and log of
// negatives, pow with a negative base, asin and acos outside [−1, 1],
// atan2(0, 0), min and max of NaN) call helpers that give what Go gives:
// NaN where undefined, never another number. Whole constant exponents
// (x^2, x^-3) are computed by repeated multiplication, as Go's Pow does;
// asin and acos through atan(y, x), as Mesa's built-ins are off by up to
// 3e-4. float32 has about 7 significant digits and overflows past 3.4e38
// (exp(89) is +Inf on the GPU), so a formula whose values or intermediate
// results leave that range is NaN on the GPU where Go has a number; tanh
// is clamped to ±10, where it is ±1 in float32.
//
// # Minima
//
// A formula declares no known minima: none can be found for every formula
// honestly.
//
// The Surface is immutable once compiled: Loss, Grad and Hessian are safe
// for concurrent use.
package formula
