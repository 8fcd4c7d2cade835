// Package suggest finds the closest names to a misspelt one.
package suggest
