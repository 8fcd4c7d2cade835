package host

import (
	"fmt"
	"sort"
	"strings"

	"github.com/landscape-go/landscape/host/internal/suggest"
	"github.com/landscape-go/landscape/sdk/client"
)

// named is what the catalog's entries share.
type named interface{ name() (name, plugin string) }

func (e Entry) name() (string, string)    { return e.Name, e.Plugin }
func (e OptEntry) name() (string, string) { return e.Name, e.Plugin }

// find picks the one item called name, or "plugin:name" when several
// plugins serve the same name. An unknown name is answered with the closest
// names and where to list them; sentinel is what the error matches.
func find[T named](kind, list, name string, items []T, sentinel error, failed []error) (T, error) {
	var zero T
	plug, bare := "", name
	if i := strings.IndexByte(name, ':'); i >= 0 {
		plug, bare = name[:i], name[i+1:]
	}
	var hits []string
	var hit T
	for _, it := range items {
		n, p := it.name()
		if n == bare && (plug == "" || p == plug) {
			hits = append(hits, p+":"+n)
			hit = it
		}
	}
	switch {
	case len(hits) == 1:
		return hit, nil
	case len(hits) > 1:
		return zero, fmt.Errorf("host: %s %q is served by several plugins; name one of %s", kind, bare, strings.Join(hits, ", "))
	}
	why := ""
	if len(failed) > 0 {
		why = fmt.Sprintf(" (%d plugin(s) failed to start: %v)", len(failed), failed[0])
	}
	return zero, fmt.Errorf("%w %q%s%s (`landscape %s` lists them)", sentinel, name, why, suggest.Hint(bare, names(items)), list)
}

// names lists the items' names, sorted, each once.
func names[T named](items []T) []string {
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		if n, _ := it.name(); !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Lookup finds a surface by name (see find) and starts the plugin that
// serves it.
func (c *Catalog) Lookup(name string) (Entry, error) {
	e, err := find("surface", "surfaces", name, c.Entries, client.ErrUnknownSurface, c.Failed)
	if err == nil {
		err = c.connect(&e)
	}
	return e, err
}

// LookupOptimizer finds an optimizer by name (see find) and starts the
// plugin that serves it.
func (c *Catalog) LookupOptimizer(name string) (OptEntry, error) {
	o, err := find("optimizer", "optimizers", name, c.Optimizers, client.ErrUnknownOptimizer, c.Failed)
	if err == nil {
		err = c.connectOpt(&o)
	}
	return o, err
}
