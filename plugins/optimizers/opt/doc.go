// Package opt holds the optimizers that the optimizers plugin serves.
//
// The first-order methods follow the update rules that torch.optim
// documents, hyperparameter names included, and the order of operations of
// its single-tensor (foreach=False) implementation, so that a trajectory
// agrees with PyTorch's in float64 up to rounding:
//
//   - gd: plain gradient descent;
//   - sgd, momentum, nesterov: torch.optim.SGD (three sets of defaults over
//     one method);
//   - adagrad, rmsprop, adam, adamw: torch.optim.Adagrad, RMSprop, Adam and
//     AdamW.
//
// Every first-order method also takes a learning-rate schedule (schedule,
// gamma, step_size, t_max, eta_min: constant, or torch's StepLR,
// ExponentialLR and CosineAnnealingLR in closed form), and the gd/sgd family
// takes noise, the standard deviation of Gaussian noise added to each
// gradient component: stochastic gradient descent on an analytic surface.
//
// The other methods use losses only or search globally:
//
//   - anneal: simulated annealing with Gaussian proposals;
//   - grid-search: one batch of every point of a grid around the start;
//   - random-restarts: gradient descent from the start and from random
//     points around it, all in one batch.
//
// All methods speak the reverse-communication protocol of sdk.Run. A
// first-order run asks for the gradient at its iterate x_t (one point) and
// its Tell returns x_{t+1}; t counts completed steps, from 0. Steps
// allocate nothing after Start: the slices Ask and Tell return are the
// run's own and stay valid until the next Tell (the driver copies Step.X).
// A Tell whose answer has the wrong shape (number of losses or gradients,
// gradient length) never panics: the run's iterate becomes NaN, which the
// host reports as a divergence, and a global method also reports Done.
// NaN and ±Inf gradients propagate into the iterate as they would in torch.
package opt
