package formula

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"

	"github.com/landscape-go/landscape/sdk"
)

// Formulas are parsed by expr-lang's parser (github.com/expr-lang/expr/parser),
// whose grammar has the precedence of arithmetic: ^ and ** (power) bind
// tighter than unary minus and are right-associative (-x^2 = −(x²),
// 2^3^2 = 2⁹), then * and /, then + and −. Its AST is checked here against
// the subset a formula may use (numbers, variables, the constants, + − * /
// ^ **, and the functions below) and built into a graph.
//
// Go's own go/parser was not used: Go's ^ is exclusive or, at the
// precedence of + and below unary minus, so x^2+y^2 would parse as
// ((x^2)+y)^2 and -x^2 as (−x)², and Go has no power operator.

// function is a function a formula may call.
type function struct {
	op    opcode
	arity int // 0: two or more
	doc   string
}

var functions = map[string]function{
	"sqrt":  {opSqrt, 1, "x ≥ 0"},
	"exp":   {opExp, 1, ""},
	"log":   {opLog, 1, "natural; x ≥ 0 (−Inf at 0)"},
	"log2":  {opLog2, 1, "x ≥ 0"},
	"log10": {opLog10, 1, "x ≥ 0"},
	"sin":   {opSin, 1, ""},
	"cos":   {opCos, 1, ""},
	"tan":   {opTan, 1, ""},
	"asin":  {opAsin, 1, "−1 ≤ x ≤ 1"},
	"acos":  {opAcos, 1, "−1 ≤ x ≤ 1"},
	"atan":  {opAtan, 1, ""},
	"atan2": {opAtan2, 2, "atan2(y, x), the angle of (x, y)"},
	"sinh":  {opSinh, 1, ""},
	"cosh":  {opCosh, 1, ""},
	"tanh":  {opTanh, 1, ""},
	"abs":   {opAbs, 1, ""},
	"pow":   {opPow, 2, "pow(a, b) = a^b"},
	"min":   {opMin, 0, "two or more arguments"},
	"max":   {opMax, 0, "two or more arguments"},
}

// constants are the names a formula may use for numbers.
var constants = map[string]float64{"pi": math.Pi, "e": math.E}

// FunctionNames lists the functions a formula may call, sorted.
func FunctionNames() []string {
	var out []string
	for n := range functions {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

const (
	// MaxLength bounds a formula's length in bytes.
	MaxLength = 10000
	// MaxVars bounds the number of variables.
	MaxVars = 1024
)

// Error is a mistake in a formula at a column (1-based, in characters). It
// wraps sdk.ErrBadParams.
type Error struct {
	Column int
	Msg    string
}

func (e *Error) Error() string { return fmt.Sprintf("f: column %d: %s", e.Column, e.Msg) }

func (e *Error) Unwrap() error { return sdk.ErrBadParams }

func errAt(loc file.Location, format string, args ...any) *Error {
	return &Error{Column: loc.From + 1, Msg: fmt.Sprintf(format, args...)}
}

// tokenRE finds the parser's description of a token, `Operator("|")`.
var tokenRE = regexp.MustCompile(`token \w+\(("(?:[^"\\]|\\.)*")\)`)

// parse parses src. It returns the parsed tree, or an Error.
func parse(src string) (ast.Node, error) {
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("%w: f is empty; write a formula such as f=x^2+y^2", sdk.ErrBadParams)
	}
	if len(src) > MaxLength {
		return nil, fmt.Errorf("%w: f has %d bytes; a formula may have at most %d", sdk.ErrBadParams, len(src), MaxLength)
	}
	if !utf8.ValidString(src) {
		return nil, fmt.Errorf("%w: f is not valid UTF-8", sdk.ErrBadParams)
	}
	tree, err := parser.Parse(src)
	if err != nil {
		var fe *file.Error
		if !errors.As(err, &fe) {
			return nil, fmt.Errorf("%w: f: %v", sdk.ErrBadParams, err)
		}
		msg := fe.Message
		col := fe.Column + 1
		if msg == "unexpected token EOF" {
			msg, col = "the formula ends too soon", utf8.RuneCountInString(src)+1
		}
		return nil, &Error{Column: col, Msg: tokenRE.ReplaceAllString(msg, "$1")}
	}
	return tree.Node, nil
}

// operators are the binary operators a formula may use.
var operators = map[string]opcode{"+": opAdd, "-": opSub, "*": opMul, "/": opDiv, "^": opPow, "**": opPow}

// check walks the tree and returns the variables it names, in order of
// first use, with where each is first named. It refuses what a formula may
// not contain.
func check(n ast.Node, seen map[string]file.Location, order *[]string) error {
	switch n := n.(type) {
	case *ast.IntegerNode, *ast.FloatNode:
		return nil
	case *ast.IdentifierNode:
		if _, ok := constants[n.Value]; ok {
			return nil
		}
		if _, ok := functions[n.Value]; ok {
			return errAt(n.Location(), "%s is a function: write %s(...)", n.Value, n.Value)
		}
		if _, ok := seen[n.Value]; !ok {
			seen[n.Value] = n.Location()
			*order = append(*order, n.Value)
		}
		return nil
	case *ast.UnaryNode:
		if n.Operator != "-" && n.Operator != "+" {
			return errAt(n.Location(), "operator %q is not supported (operators: + - * / ^ **)", n.Operator)
		}
		return check(n.Node, seen, order)
	case *ast.BinaryNode:
		if _, ok := operators[n.Operator]; !ok {
			return errAt(n.Location(), "operator %q is not supported (operators: + - * / ^ **)", n.Operator)
		}
		if err := check(n.Left, seen, order); err != nil {
			return err
		}
		return check(n.Right, seen, order)
	case *ast.CallNode, *ast.BuiltinNode:
		name, args := call(n)
		f, ok := functions[name]
		if !ok {
			return errAt(n.Location(), "unknown function %q (functions: %s)", name, strings.Join(FunctionNames(), ", "))
		}
		switch {
		case f.arity == 1 && len(args) != 1:
			return errAt(n.Location(), "%s takes 1 argument, not %d", name, len(args))
		case f.arity == 2 && len(args) != 2:
			return errAt(n.Location(), "%s takes 2 arguments, not %d", name, len(args))
		case f.arity == 0 && len(args) < 2:
			return errAt(n.Location(), "%s takes two or more arguments, not %d", name, len(args))
		}
		for _, a := range args {
			if err := check(a, seen, order); err != nil {
				return err
			}
		}
		return nil
	case nil:
		return &Error{Column: 1, Msg: "empty formula"}
	}
	text := n.String()
	if r := []rune(text); len(r) > 40 {
		text = string(r[:40]) + "…"
	}
	return errAt(n.Location(), "%q is not part of a formula (numbers, variables, pi, e, + - * / ^ ** and functions)", text)
}

// call is the name and arguments of a call node.
func call(n ast.Node) (string, []ast.Node) {
	switch n := n.(type) {
	case *ast.BuiltinNode:
		return n.Name, n.Arguments
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok {
			return id.Value, n.Arguments
		}
		return n.Callee.String(), n.Arguments
	}
	return "", nil
}

// build adds the checked tree n to g; index maps variable names to
// indices.
func build(g *graph, n ast.Node, index map[string]int) id {
	switch n := n.(type) {
	case *ast.IntegerNode:
		return g.konst(float64(n.Value))
	case *ast.FloatNode:
		return g.konst(n.Value)
	case *ast.IdentifierNode:
		if c, ok := constants[n.Value]; ok {
			return g.konst(c)
		}
		return g.variable(index[n.Value])
	case *ast.UnaryNode:
		a := build(g, n.Node, index)
		if n.Operator == "-" {
			return g.un(opNeg, a)
		}
		return a
	case *ast.BinaryNode:
		return g.bin(operators[n.Operator], build(g, n.Left, index), build(g, n.Right, index))
	}
	name, args := call(n)
	f := functions[name]
	x := build(g, args[0], index)
	if f.arity == 1 {
		return g.un(f.op, x)
	}
	for _, a := range args[1:] {
		x = g.bin(f.op, x, build(g, a, index))
	}
	return x
}

// validName reports whether s can name a variable: a letter or '_', then
// letters, digits and '_', and not a function, a constant or a word of the
// parser's grammar.
func validName(s string) error {
	for i, r := range s {
		if !(unicode.IsLetter(r) || r == '_' || i > 0 && unicode.IsDigit(r)) {
			return fmt.Errorf("%q is not a name (a letter or _, then letters, digits and _)", s)
		}
	}
	if _, ok := functions[s]; ok {
		return fmt.Errorf("%q is a function", s)
	}
	if _, ok := constants[s]; ok {
		return fmt.Errorf("%q is a constant", s)
	}
	if reserved[s] {
		return fmt.Errorf("%q is a reserved word", s)
	}
	return nil
}

// reserved are words the parser reads as operators or literals.
var reserved = map[string]bool{
	"and": true, "or": true, "not": true, "in": true, "matches": true, "contains": true,
	"startsWith": true, "endsWith": true, "let": true, "if": true, "else": true,
	"nil": true, "true": true, "false": true,
}

// natLess orders names naturally: runs of digits by their value, so that
// x2 comes before x10.
func natLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		ra, sa := utf8.DecodeRuneInString(a)
		rb, sb := utf8.DecodeRuneInString(b)
		if ra != rb {
			return ra < rb
		}
		a, b = a[sa:], b[sb:]
	}
	return len(a) < len(b)
}

// digits is the length of s's leading run of ASCII digits.
func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// inferOrder is the default order of a formula's variables: x, y, z
// first, then the others in natural order.
func inferOrder(names []string) []string {
	out := slices.Clone(names)
	rank := func(s string) int {
		switch s {
		case "x":
			return 0
		case "y":
			return 1
		case "z":
			return 2
		}
		return 3
	}
	slices.SortFunc(out, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		switch {
		case natLess(a, b):
			return -1
		case natLess(b, a):
			return 1
		}
		return strings.Compare(a, b)
	})
	return out
}
