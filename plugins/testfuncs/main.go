// Command testfuncs is the landscape plugin that serves the analytic test
// functions of package funcs (ripple, rastrigin, rosenbrock, …).
package main

import (
	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk"
)

func main() { sdk.Serve(sdk.WithSurfaces(funcs.All()...)) }
