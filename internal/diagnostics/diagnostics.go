// Package diagnostics is the catalog of every diagnostic the provider emits: each message is
// declared once, with its summary as the diagnostics guide lists it, and builds the diagnostics.
package diagnostics

import (
	"regexp"
	"slices"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// Message is one diagnostic of the catalog (catalog.go). Its summary names what varies in
// braces ("{Platform} App Already Bound"), as templates/guides/diagnostics.md.tmpl lists it.
type Message struct {
	Summary string
}

var (
	mu       sync.Mutex
	declared []*Message
)

// declare adds a message to the catalog; catalog.go declares each once, as a package variable.
func declare(summary string) *Message {
	m := &Message{Summary: summary}
	mu.Lock()
	defer mu.Unlock()
	declared = append(declared, m)
	return m
}

// Catalog returns the summary of every message, sorted.
func Catalog() []string {
	mu.Lock()
	defer mu.Unlock()
	out := make([]string, len(declared))
	for i, m := range declared {
		out[i] = m.Summary
	}
	slices.Sort(out)
	return out
}

var placeholder = regexp.MustCompile(`\{[^}]+\}`)

// Title is the summary with its placeholders filled, in order, by values.
func (m *Message) Title(values ...string) string {
	i := 0
	return placeholder.ReplaceAllStringFunc(m.Summary, func(p string) string {
		if i >= len(values) {
			return p
		}
		i++
		return values[i-1]
	})
}

// Error and Warning are the message as an error or a warning about the whole configuration,
// with the summary's placeholders filled by values.
func (m *Message) Error(detail string, values ...string) diag.Diagnostic {
	return diag.NewErrorDiagnostic(m.Title(values...), detail)
}

func (m *Message) Warning(detail string, values ...string) diag.Diagnostic {
	return diag.NewWarningDiagnostic(m.Title(values...), detail)
}

// ErrorAt and WarningAt are the message as an error or a warning about the attribute at p, so
// that Terraform points at its line.
func (m *Message) ErrorAt(p path.Path, detail string, values ...string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, m.Title(values...), detail)
}

func (m *Message) WarningAt(p path.Path, detail string, values ...string) diag.Diagnostic {
	return diag.NewAttributeWarningDiagnostic(p, m.Title(values...), detail)
}
