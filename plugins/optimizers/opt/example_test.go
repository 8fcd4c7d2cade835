package opt_test

import (
	"fmt"

	"github.com/landscape-go/landscape/plugins/optimizers/opt"
	"github.com/landscape-go/landscape/sdk"
)

// Example drives a run as the host does: Ask for points, evaluate them,
// Tell the results, record Step.X.
func Example() {
	o, _ := opt.ByName("nesterov")
	fmt.Println(o.Info().Name, "-", o.Info().Summary)
	r, err := o.Start(sdk.Params{"lr": 0.1}, []float64{1, -2}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	// f(x) = ½(2x₀² + ½x₁²)
	for t := 1; t <= 3; t++ {
		pts, _ := r.Ask()
		x := pts[0]
		loss := 0.5 * (2*x[0]*x[0] + 0.5*x[1]*x[1])
		st := r.Tell([]float64{loss}, [][]float64{{2 * x[0], 0.5 * x[1]}})
		fmt.Printf("x%d = (%.5f, %.5f), lr %g\n", t, st.X[0], st.X[1], st.LR)
	}

	_, err = o.Start(sdk.Params{"momentum": 0}, []float64{1, -2}, 1)
	fmt.Println(err)
	// Output:
	// nesterov - SGD with Nesterov momentum 0.9 (torch.optim.SGD, nesterov=True)
	// x1 = (0.62000, -1.81000), lr 0.1
	// x2 = (0.22240, -1.55705), lr 0.1
	// x3 = (-0.10835, -1.26293), lr 0.1
	// sdk: bad hyperparameter: nesterov=1 needs momentum > 0 and dampening = 0 (got momentum=0, dampening=0)
}
