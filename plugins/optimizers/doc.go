// Command optimizers is the landscape plugin that serves the optimizers of
// package opt (gd, sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw,
// anneal, grid-search, random-restarts).
package main
