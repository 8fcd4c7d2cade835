package optimize

import (
	"fmt"
	"strconv"
)

// Status is how a run ended.
type Status int

const (
	// NotTerminated is the zero Status: a run not judged yet.
	NotTerminated Status = iota
	// Converged: the Converger judged the run converged.
	Converged
	// Plateau: the run did not converge but stalled (see PlateauRule).
	Plateau
	// MaxSteps: the run took every step (or its method finished it)
	// without converging.
	MaxSteps
	// Diverged: a parameter or the loss became NaN or infinite, or a
	// parameter went far outside the problem's domain.
	Diverged
	// Failed: the method returned no valid point for the run.
	Failed
)

var statusNames = [...]string{
	NotTerminated: "not terminated",
	Converged:     "converged",
	Plateau:       "stalled on a plateau",
	MaxSteps:      "max steps",
	Diverged:      "diverged",
	Failed:        "failed",
}

// String describes the status in words ("converged", "max steps", ...).
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "Status(" + strconv.Itoa(int(s)) + ")"
	}
	return statusNames[s]
}

// MarshalText writes the status as String does (JSON reports carry words).
func (s Status) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(statusNames) {
		return nil, fmt.Errorf("%w: status %d", ErrInvalid, int(s))
	}
	return []byte(statusNames[s]), nil
}

// UnmarshalText reads what MarshalText wrote.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("%w: unknown status %q", ErrInvalid, b)
}
