// Command landscape evaluates, analyses and renders loss surfaces.
package main
