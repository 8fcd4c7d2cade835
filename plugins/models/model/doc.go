// Package model holds landscape's data-driven surfaces: the loss of a small
// model on a dataset, as a function of the model's parameters.
//
// # Surfaces
//
//   - linreg: linear regression z = w·x + b; parameters w (one per feature),
//     then b.
//   - logreg: binary logistic regression, logit z = w·x + b, loss bce.
//   - softmax: softmax regression with k classes, z = W·x + b; parameters W
//     (k×d, row-major: class by class), then b (k); loss ce.
//   - mlp: a perceptron with 1 or 2 hidden layers (tanh or relu), k logits
//     with ce (or one logit with bce) on a classification dataset, one output
//     with a regression loss on a regression dataset. Each layer is W
//     (out×in, row-major), then b, layer after layer.
//   - line-angle: a line through the origin at angle φ, one parameter. Each
//     sample is a point (x, y), its one feature and its target, and the
//     residual is its signed distance from the line, r = −x·sin φ + y·cos φ.
//
// Every surface has an analytic gradient (backpropagation), exact
// Hessian-vector products (sdk.SurfaceWithHVP and SurfaceWithBatchHVP:
// closed forms for the linear models and line-angle, Pearlmutter's
// R-operator for the MLP, the L2 term included; see hvp.go), mini-batches
// (sdk.SurfaceWithBatches), a GLSL snippet generated for its configuration
// (sizes baked in as constants) with its gradient, and a data buffer
// (sdk.SurfaceWithData): per sample its features, then its target (a class
// index as a float for classification), so NDATA = samples·(features+1).
// Parameter groups (for filter-normalized directions) are one group per
// row of each weight matrix, named as "w0", "w1", … ("l1.w0", … "l2.b" for
// the MLP's layers), and one per bias vector ("b"); line-angle's one group
// is "phi".
//
// # GLSL
//
// The snippet bakes in the sizes (NS samples, NF features, NOUT outputs,
// NH hidden units), the loss and the L2 strength, and defines loss() and
// grad(). It renames its loss() with a macro (#define loss mdl_loss),
// because the host declares the hyperparameter loss as a constant before
// the snippet and GLSL keeps functions and variables in one namespace.
// Sums over samples run in blocks of 256 to bound float32's rounding.
//
// Mesa's llvmpipe stops a shader invocation's loops after 65535 iterations
// in all (LP_MAX_TGSI_LOOP_ITERATIONS, shared by every loop), silently: a
// point's loss() iterates about NS times (linear models and line-angle;
// their short inner loops are unrolled) or NS·NH·(NF+NH+NOUT) times (the
// MLP), and beyond that llvmpipe's value is wrong. Hardware GPUs have no
// such limit.
//
// # Hyperparameters
//
// Every surface has these (choices are given by name or by index):
//
//   - dataset (choice): line, rosette, blobs, moons, spirals, csv;
//   - n: samples generated (1..10000000; not used by csv);
//   - noise: noise of the generated data (0..10; not used by csv);
//   - k: classes of blobs, arms of spirals, lines of rosette (1..16 or
//     2..16; moons always has 2 classes; csv counts its own);
//   - seed: seed of the generated data and of the train/test split;
//   - split: fraction of the samples held out as the test set (0..0.9);
//   - subset (choice): train or test, the samples the loss is over;
//   - loss (choice): mse, mae, huber, bce, ce, sublinear (each surface
//     accepts the ones that fit its outputs, and says which);
//   - delta: the Huber loss's threshold;
//   - l2: the strength of the L2 penalty;
//   - csv (text): the path of a CSV file (dataset=csv);
//   - target (text): the CSV column to predict ("" is the last one).
//
// The MLP also has layers (1..2), hidden (width, 1..64) and activation
// (choice: tanh, relu). A surface with split > 0 offers its test set to the
// host (sdk.SurfaceWithTestSet: TestSet is the same surface with
// subset=test); a configuration with subset=test and an empty test set is
// refused with an error wrapping sdk.ErrBadParams that says "no test set
// (split=0)".
//
// # Losses
//
// With residual r = prediction − target (line-angle: the distance above):
// mse = mean r²; mae = mean |r|; huber = mean of ½r² where |r| < δ, else
// δ·(|r| − ½δ) (torch.nn.HuberLoss); sublinear = mean |r|^(1/4), whose
// derivative sign(r)·|r|^(−3/4)/4 is taken as 0 at r = 0. On logits z:
// bce = mean max(z,0) − z·y + log(1+e^(−|z|)) (y ∈ {0,1}); ce = mean
// logsumexp(z) − z_y.
//
// The objective is the data loss plus ½·l2·‖θ‖², over every parameter
// (biases included), on the train subset only: the test subset's loss is
// the data loss alone, so that train and test losses compare models, not
// penalties.
//
// # Datasets
//
// All are generated from seed, deterministically, and stored as float32
// (the values the GPU sees are the values Loss uses). Sample i of a
// generated dataset with k groups belongs to group i mod k, so groups
// differ in size by at most one.
//
//   - line: x ~ U(−1,1), y = 2x − 0.5 + noise·N(0,1); regression, 1 feature.
//   - rosette: k lines through the origin at angles θ_j = (j+½)·π/k − π/2
//     (symmetric about 0, inside (−π/2, π/2)); point t·(cos θ_j, sin θ_j) +
//     noise·N(0,I) with t ~ U(−1,1); regression with feature x and target y.
//   - blobs: k Gaussian clusters centred on a circle of radius 2 (centre j
//     at angle 2πj/k), standard deviation 0.5·(1+noise); class j.
//   - moons: sklearn's make_moons (⌊n/2⌋ points on the outer moon, class 0,
//     the rest on the inner one, class 1) plus noise·N(0,I).
//   - spirals: k interleaved arms; arm j at t ~ U(0,1) is radius 2t at
//     angle 2πj/k + 3πt, plus noise·N(0,I); class j.
//   - csv: the file named by the csv hyperparameter (see ParseCSV): the
//     target column, the others are features. With a classification loss
//     (bce, ce) its values must be whole numbers 0..k−1, and k is their
//     maximum plus one (at most 16).
//
// The split shuffles the samples with seed and holds out ⌊split·n⌋ of them
// as the test set; each subset keeps the samples' original order.
//
// # Known minima
//
// linreg with mse has its closed-form minimum (the least-squares solution,
// ridge when l2 > 0); its domain, [−3, 3] per parameter, widens to hold it.
// line-angle with mse (l2 = 0) has exactly one minimum: its loss is
// c + A·cos 2φ + B·sin 2φ, minimal at the direction of the points' largest
// second moment. line-angle with sublinear on a noiseless rosette has a
// minimum at each line's angle, a cusp (one-sided derivatives ±∞, so the
// gradient does not vanish there); they are listed by loss value, the
// lowest global and the others Local, since the lines' random t differ
// (Value ties within 1e-12 are all global).
package model
