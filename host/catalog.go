package host

import (
	"fmt"
	"sort"
	"strings"

	"github.com/landscape-go/landscape/host/internal/suggest"
	"github.com/landscape-go/landscape/sdk"
)

// Lookup finds a surface by name, or by "plugin:name" when several plugins
// serve the same name. An unknown name is answered with the closest names.
func (c *Catalog) Lookup(name string) (Entry, error) {
	plug, bare := "", name
	if i := strings.IndexByte(name, ':'); i >= 0 {
		plug, bare = name[:i], name[i+1:]
	}
	var hits []Entry
	for _, e := range c.Entries {
		if e.Name == bare && (plug == "" || e.Plugin == plug) {
			hits = append(hits, e)
		}
	}
	switch {
	case len(hits) == 1:
		return hits[0], nil
	case len(hits) > 1:
		q := make([]string, len(hits))
		for i, h := range hits {
			q[i] = h.Plugin + ":" + h.Name
		}
		return Entry{}, fmt.Errorf("host: surface %q is served by several plugins; name one of %s", bare, strings.Join(q, ", "))
	}
	msg := fmt.Sprintf("%v %q", sdk.ErrUnknownSurface, name)
	if len(c.Failed) > 0 {
		msg += fmt.Sprintf(" (%d plugin(s) failed to start: %v)", len(c.Failed), c.Failed[0])
	}
	return Entry{}, fmt.Errorf("%w%s", errUnknown{msg}, suggest.Hint(bare, c.Names())+" (`landscape surfaces` lists them)")
}

// errUnknown carries the message and still matches sdk.ErrUnknownSurface.
type errUnknown struct{ msg string }

func (e errUnknown) Error() string        { return strings.TrimPrefix(e.msg, "sdk: ") }
func (e errUnknown) Is(target error) bool { return target == sdk.ErrUnknownSurface }

// Names lists the surface names, sorted, each once.
func (c *Catalog) Names() []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range c.Entries {
		if !seen[e.Name] {
			seen[e.Name] = true
			out = append(out, e.Name)
		}
	}
	sort.Strings(out)
	return out
}

// LookupOptimizer finds an optimizer by name, or by "plugin:name"; an
// unknown name is answered with the closest names.
func (c *Catalog) LookupOptimizer(name string) (OptEntry, error) {
	plug, bare := "", name
	if i := strings.IndexByte(name, ':'); i >= 0 {
		plug, bare = name[:i], name[i+1:]
	}
	var hits []OptEntry
	var names []string
	for _, e := range c.Optimizers {
		names = append(names, e.Name)
		if e.Name == bare && (plug == "" || e.Plugin == plug) {
			hits = append(hits, e)
		}
	}
	switch {
	case len(hits) == 1:
		return hits[0], nil
	case len(hits) > 1:
		q := make([]string, len(hits))
		for i, h := range hits {
			q[i] = h.Plugin + ":" + h.Name
		}
		return OptEntry{}, fmt.Errorf("host: optimizer %q is served by several plugins; name one of %s", bare, strings.Join(q, ", "))
	}
	return OptEntry{}, fmt.Errorf("%w %q%s (`landscape optimizers` lists them)", sdk.ErrUnknownOptimizer, name, suggest.Hint(bare, names))
}
