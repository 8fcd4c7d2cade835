package host

import (
	"errors"
	"fmt"
)

// ErrBadInput: a value given to the host is malformed, or does not fit the
// surface it is for.
var ErrBadInput = errors.New("host: bad value")

// InputError is a mistake in one input of a spec: Input names the input
// ("point", "axes", "settings", ...), and Msg says what is wrong with it,
// phrased to follow its name ("point has 2 values; rosenbrock has 3
// parameters"). A caller that knows the input under another name (the
// CLI: its flag) sets Name, and the message uses it. It matches
// ErrBadInput, and Err when set.
type InputError struct {
	Input, Name, Msg string
	Err              error
}

// Error implements error.
func (e *InputError) Error() string {
	n := e.Name
	if n == "" {
		n = e.Input
	}
	return n + " " + e.Msg
}

// Unwrap matches ErrBadInput and the cause.
func (e *InputError) Unwrap() []error {
	if e.Err != nil {
		return []error{ErrBadInput, e.Err}
	}
	return []error{ErrBadInput}
}

// badInput is an InputError for input; the message follows the input's
// name.
func badInput(input, format string, a ...any) error {
	return &InputError{Input: input, Msg: fmt.Sprintf(format, a...)}
}

// NameInputs renames the inputs err concerns, for the messages: name maps
// an input to the name its user knows it by (the CLI: a flag), "" to keep
// it. It returns err.
func NameInputs(err error, name func(input string) string) error {
	var e *InputError
	for x := err; errors.As(x, &e); x = e.Err {
		if n := name(e.Input); n != "" {
			e.Name = n
		}
		if e.Err == nil {
			break
		}
	}
	return err
}
