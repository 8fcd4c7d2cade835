package main

import (
	"github.com/landscape-go/landscape/plugins/optimizers/opt"
	"github.com/landscape-go/landscape/sdk"
)

func main() { sdk.Serve(sdk.WithOptimizers(opt.All()...)) }
