package host

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/landscape-go/landscape/sdk"
	"github.com/landscape-go/landscape/sdk/client"
)

// Routed is a set of hyperparameter values (as users give them, to a
// surface and optimizers together) split by who takes them.
type Routed struct {
	// Surface holds the surface's values, for its plugin to check.
	Surface client.Settings
	// Optimizers holds each optimizer's values by its name, resolved:
	// every declared hyperparameter, defaults filled in, flags and choices
	// given by name turned into their numbers.
	Optimizers map[string]sdk.Params
	// OptimizerTexts holds, by optimizer, the text hyperparameters given
	// (see sdk.OptimizerWithTexts; a grid search's ranges); an optimizer
	// given none has no entry.
	OptimizerTexts map[string]sdk.Texts
}

// Route splits set between the surface (its name and declared
// hyperparameters) and the optimizers. A name goes to whoever declares it:
// "surface.NAME" to the surface, "OPT.NAME" to optimizer OPT alone,
// "opt.NAME" to every optimizer; a bare name that the surface and an
// optimizer both declare must be written one of those ways. A name nobody
// declares is an error that says what each of them takes.
func Route(set client.Settings, surface string, surf []sdk.Hyperparameter, opts []OptEntry) (Routed, error) {
	r := Routed{Surface: client.Settings{Params: sdk.Params{}, Texts: sdk.Texts{}}, Optimizers: map[string]sdk.Params{}, OptimizerTexts: map[string]sdk.Texts{}}
	optP, optT := map[string]sdk.Params{}, map[string]sdk.Texts{}
	for _, o := range opts {
		optP[o.Name], optT[o.Name] = sdk.Params{}, sdk.Texts{}
	}
	// put gives value v (a number, or text when isText) of name k to o.
	put := func(o, k string, v float64, t string, isText bool) {
		if isText {
			optT[o][k] = t
		} else {
			optP[o][k] = v
		}
	}
	// The more specific a key, the later it is applied, so that it wins:
	// bare names, then opt.NAME, then OPT.NAME and surface.NAME.
	rank := func(k string) int {
		o, _, dotted := strings.Cut(k, ".")
		switch {
		case !dotted:
			return 0
		case o == "opt":
			return 1
		}
		return 2
	}
	keys := append(slices.Collect(maps.Keys(set.Params)), slices.Collect(maps.Keys(set.Texts))...)
	slices.SortFunc(keys, func(a, b string) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	for _, key := range keys {
		t, isText := set.Texts[key]
		v := set.Params[key]
		toSurface := func(k string) {
			if isText {
				r.Surface.Texts[k] = t
			} else {
				r.Surface.Params[k] = v
			}
		}
		owner, k, dotted := strings.Cut(key, ".")
		switch {
		case dotted && k == "":
			return r, badInput("settings", "%s: no hyperparameter named after the dot (write %sNAME=VALUE)", key, key)
		case dotted && owner == "surface":
			toSurface(k)
			continue
		case dotted && owner == "opt":
			n := 0
			for _, o := range opts {
				if Declares(o.Hyperparameters, k) {
					put(o.Name, k, v, t, isText)
					n++
				}
			}
			if n == 0 {
				return r, badInput("settings", "%s: no optimizer here takes %s (%s)", key, k, takes(opts))
			}
			continue
		case dotted:
			if _, ok := optP[owner]; !ok {
				return r, badInput("settings", "%s: %s is not one of the optimizers here (%s)", key, owner, strings.Join(slices.Sorted(maps.Keys(optP)), ", "))
			}
			put(owner, k, v, t, isText)
			continue
		}
		var takers []string
		for _, o := range opts {
			if Declares(o.Hyperparameters, key) {
				takers = append(takers, o.Name)
			}
		}
		switch {
		case Declares(surf, key) && len(takers) > 0:
			return r, badInput("settings", "%s: both the surface %s and %s take %s; write surface.%s or %s.%s", key, surface, optimizerWord(takers), key, key, takers[0], key)
		case Declares(surf, key):
			toSurface(key)
		case len(takers) > 0:
			for _, o := range takers {
				put(o, key, v, t, isText)
			}
		default:
			return r, badInput("settings", "%s: neither the surface %s (%s) nor %s takes %q", key, surface, takesList(surf), takes(opts), key)
		}
	}
	for _, o := range opts {
		p, t, err := sdk.ResolveTexts(o.Hyperparameters, optP[o.Name], optT[o.Name])
		if err != nil {
			return r, fmt.Errorf("%s: %w", o.Name, err)
		}
		r.Optimizers[o.Name] = p
		given := sdk.Texts{}
		for _, h := range o.Hyperparameters {
			_, inP := optP[o.Name][h.Name]
			_, inT := optT[o.Name][h.Name]
			if h.Text && (inP || inT) {
				given[h.Name] = t[h.Name]
			}
		}
		if len(given) > 0 {
			r.OptimizerTexts[o.Name] = given
		}
	}
	return r, nil
}

// optimizerWord names optimizers: "the optimizer adam", "the optimizers
// adam and sgd".
func optimizerWord(names []string) string {
	if len(names) == 1 {
		return "the optimizer " + names[0]
	}
	return "the optimizers " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// takes says what each optimizer takes: "the optimizer adam (lr, beta1, ...)".
func takes(opts []OptEntry) string {
	if len(opts) == 0 {
		return "any optimizer"
	}
	parts := make([]string, len(opts))
	for i, o := range opts {
		parts[i] = optimizerWord([]string{o.Name}) + " (" + takesList(o.Hyperparameters) + ")"
	}
	return strings.Join(parts, ", ")
}

// takesList lists hs's names, or says there are none.
func takesList(hs []sdk.Hyperparameter) string {
	if len(hs) == 0 {
		return "no hyperparameters"
	}
	names := make([]string, len(hs))
	for i, h := range hs {
		names[i] = h.Name
	}
	return "takes " + strings.Join(names, ", ")
}
