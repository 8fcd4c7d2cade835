package main

import (
	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk"
)

func main() { sdk.Serve(sdk.WithSurfaces(funcs.All()...)) }
