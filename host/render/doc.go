// Package render draws a compute.Field as a PNG: a heatmap of the surface
// with contour lines over it, a colourbar, axes in parameter units, a title,
// markers for known minima and optimizer paths (PNG). ComparePNG sets that
// beside the paths' loss curves, and BasinsPNG draws a basins-of-attraction
// map. All drawing goes through gonum/plot (plotter.HeatMap,
// plotter.Contour, plotter.ColorBar on a vgimg canvas); each image is
// rendered in memory and written only once it is complete.
package render
