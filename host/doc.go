// Package host is the landscape application, between the CLI and the
// engine: plugin discovery, verification and lifecycle (Manager), the
// catalog of surfaces and optimizers, surfaces configured for use
// (Surface), typed specs resolved against them (SceneSpec and LineSpec
// into Scene and LineScene, side by side in resolve.go), the routing of
// hyperparameters between a surface and optimizers (Route), the backend
// decision (Evaluate: gl, cpu, or auto with a notice), optimizer runs wired
// to the engine (Optimize, RunPaths, Basins), benchmarks, and outputs (npy,
// npz, csv, vts, json; written atomically). It receives typed values, never
// command-line strings, and its errors name inputs (InputError), never
// flags; UserMessage is the one place an error becomes a user's line.
package host
