// Package testkit holds what the packages' tests share.
package testkit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Logger records the log lines of the COC client, the credential chain or the credential check,
// each as its message and fields, for tests to look for what they must or must not show.
type Logger struct {
	mu    sync.Mutex
	lines []string
	// unmaskable lists the fields whose values are neither strings nor numbers: tflog masks
	// secrets in string fields only, so a map or a slice could carry one into the log.
	unmaskable []string
}

// Debug records a line.
func (l *Logger) Debug(_ context.Context, msg string, fields map[string]any) { l.log(msg, fields) }

// Warn records a line.
func (l *Logger) Warn(_ context.Context, msg string, fields map[string]any) { l.log(msg, fields) }

func (l *Logger) log(msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
	for name, v := range fields {
		switch v.(type) {
		case string, int, int64, bool:
		default:
			l.unmaskable = append(l.unmaskable, fmt.Sprintf("%s: %s (%T)", msg, name, v))
		}
	}
}

// Unmaskable lists the fields recorded so far that a logger could not mask, as
// "message: field (type)".
func (l *Logger) Unmaskable() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.unmaskable...)
}

// Text is the lines recorded so far, one a line.
func (l *Logger) Text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// Count is how many of the lines recorded so far start with prefix.
func (l *Logger) Count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.HasPrefix(line, prefix) {
			n++
		}
	}
	return n
}

// Clock is a settable clock that the code under test reads while the test moves it on.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock set to 2026-01-02 03:04:05 UTC.
func NewClock() *Clock { return &Clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// GoldenDir is where a package keeps its golden files, relative to the package's directory (where
// its tests run).
const GoldenDir = "testdata/golden"

// Golden returns the golden file name in dir without the white space around it, failing the
// test if it cannot be read.
func Golden(t testing.TB, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(data)
}
