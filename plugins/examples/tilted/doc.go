// Command landscape-plugin-tilted is the smallest complete landscape plugin:
// one surface with a hyperparameter and an analytic gradient. Copy it to
// start your own; plugins/examples/tilted/main_test.go shows how to run the
// SDK's conformance checks on it.
package main
