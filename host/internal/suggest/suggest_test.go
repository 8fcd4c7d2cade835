package suggest

import (
	"reflect"
	"testing"
)

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "", 3}, {"ripple", "ripple", 0}, {"ripple", "riple", 1},
		{"rastrigin", "rastirgin", 1}, {"kitten", "sitting", 3}, {"viridis", "virdis", 1},
	} {
		if got := Distance(c.a, c.b); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestClosest(t *testing.T) {
	names := []string{"ripple", "rastrigin", "rosenbrock", "bowl", "booth", "beale"}
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"riple", []string{"ripple"}},
		{"rastrigen", []string{"rastrigin"}},
		{"Rosenbrok", []string{"rosenbrock"}},
		{"zzzzzz", []string{}},
		{"boot", []string{"booth", "bowl"}},
	} {
		if got := Closest(c.in, names, 2); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Closest(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if h := Hint("riple", names); h != "; did you mean ripple?" {
		t.Errorf("Hint = %q", h)
	}
}
