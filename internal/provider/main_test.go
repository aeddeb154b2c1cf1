package provider

import (
	"fmt"
	"os"
	"testing"
)

// buildRoot holds what the package's tests build once and share (the provider binary for the
// CLI tests); TestMain removes it when they are done.
var buildRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "coc-provider-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	buildRoot = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}
