package main

import (
	"cmp"
	"slices"
)

// median is the run with the median rate (the lower middle of an even
// count); the run's other figures, its latencies, go with it.
func median[T any](runs []T, rate func(T) float64) T {
	runs = slices.Clone(runs)
	slices.SortFunc(runs, func(a, b T) int { return cmp.Compare(rate(a), rate(b)) })
	return runs[(len(runs)-1)/2]
}
