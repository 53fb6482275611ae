package classify

import (
	"math"
)

// Example is a letter whose type a clerk confirmed.
type Example struct {
	Type string
	Text string
}

// Model is a multinomial naive Bayes model of document types over words.
type Model struct {
	docs   map[string]int            // examples by type
	words  map[string]map[string]int // word counts by type
	totals map[string]int            // all word counts by type
	vocab  map[string]bool
	n      int
}

// Train learns a model from examples.
func Train(examples []Example) *Model {
	m := &Model{docs: map[string]int{}, words: map[string]map[string]int{}, totals: map[string]int{}, vocab: map[string]bool{}}
	for _, e := range examples {
		m.Add(e)
	}
	return m
}

// Add learns one more example.
func (m *Model) Add(e Example) {
	m.n++
	m.docs[e.Type]++
	if m.words[e.Type] == nil {
		m.words[e.Type] = map[string]int{}
	}
	for _, w := range Tokens(e.Text) {
		if len(w) < 3 {
			continue
		}
		m.words[e.Type][w]++
		m.totals[e.Type]++
		m.vocab[w] = true
	}
}

// Examples gives how many examples the model learnt from.
func (m *Model) Examples() int { return m.n }

// Probabilities gives the posterior of each type for a text, with
// Laplace smoothing; types without examples get the smallest prior.
func (m *Model) Probabilities(text string, types []string) map[string]float64 {
	logp := map[string]float64{}
	v := float64(len(m.vocab) + 1)
	toks := Tokens(text)
	maxLog := math.Inf(-1)
	for _, t := range types {
		lp := math.Log((float64(m.docs[t]) + 0.5) / (float64(m.n) + 0.5*float64(len(types))))
		for _, w := range toks {
			if len(w) < 3 || !m.vocab[w] {
				continue
			}
			lp += math.Log((float64(m.words[t][w]) + 1) / (float64(m.totals[t]) + v))
		}
		logp[t] = lp
		maxLog = math.Max(maxLog, lp)
	}
	var sum float64
	for t, lp := range logp {
		logp[t] = math.Exp(lp - maxLog)
		sum += logp[t]
	}
	for t := range logp {
		logp[t] /= sum
	}
	return logp
}
