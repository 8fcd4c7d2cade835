package suggest

import (
	"sort"
	"strings"
)

// Closest returns up to n candidates nearest to name by edit distance
// (case-insensitive), nearest first, keeping only plausible ones: distance at
// most a third of the longer name plus one, or a shared prefix of three.
func Closest(name string, candidates []string, n int) []string {
	type scored struct {
		s string
		d int
	}
	var out []scored
	ln := strings.ToLower(name)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := Distance(ln, lc)
		limit := max(len(ln), len(lc))/3 + 1
		if d <= limit || (len(ln) >= 3 && strings.HasPrefix(lc, ln[:3])) || strings.Contains(lc, ln) && len(ln) >= 3 {
			out = append(out, scored{c, d})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].d != out[j].d {
			return out[i].d < out[j].d
		}
		return out[i].s < out[j].s
	})
	res := make([]string, 0, n)
	for i := 0; i < len(out) && i < n; i++ {
		res = append(res, out[i].s)
	}
	return res
}

// Hint formats a suggestion clause: "; did you mean x or y?" or "".
func Hint(name string, candidates []string) string {
	c := Closest(name, candidates, 3)
	switch len(c) {
	case 0:
		return ""
	case 1:
		return "; did you mean " + c[0] + "?"
	}
	return "; did you mean " + strings.Join(c[:len(c)-1], ", ") + " or " + c[len(c)-1] + "?"
}

// Distance is the Damerau (optimal string alignment) edit distance of a and b
// in bytes: insertions, deletions, substitutions and transpositions.
func Distance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
