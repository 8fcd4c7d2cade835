// Command models is the landscape plugin that serves data-driven surfaces:
// the losses of linear regression, logistic and softmax regression, a small
// perceptron and the rosette's line angle on generated or CSV datasets
// (package model).
package main
