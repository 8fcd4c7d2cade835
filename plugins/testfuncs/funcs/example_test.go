package funcs_test

import (
	"fmt"

	"github.com/landscape-go/landscape/plugins/testfuncs/funcs"
	"github.com/landscape-go/landscape/sdk"
)

func Example() {
	s, _ := funcs.ByName("himmelblau")
	info := s.Info()
	fmt.Println(info.Name, "-", info.Summary)
	for _, m := range info.Minima {
		fmt.Printf("minimum at (%.4f, %.4f): %.4f\n", m.Location[0], m.Location[1], s.Loss(m.Location))
	}

	r, _ := funcs.ByName("rastrigin")
	r5, err := sdk.Configure(r, sdk.Params{"dim": 5})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("rastrigin dim", r5.Info().Dim, "at (1,1,1,1,1):", r5.Loss([]float64{1, 1, 1, 1, 1}))

	_, err = sdk.Configure(r, sdk.Params{"A": -1})
	fmt.Println(err)
	// Output:
	// himmelblau - Himmelblau's function: four global minima of value 0
	// minimum at (3.0000, 2.0000): 0.0000
	// minimum at (-2.8051, 3.1313): 0.0000
	// minimum at (-3.7793, -3.2832): 0.0000
	// minimum at (3.5844, -1.8481): 0.0000
	// rastrigin dim 5 at (1,1,1,1,1): 5
	// sdk: bad hyperparameter: A=-1 is out of bounds [0, 100]
}
