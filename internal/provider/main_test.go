package provider

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/cocops/terraform-provider-coc/internal/compat"
)

// buildRoot holds what the package's tests build once and share (the provider binary for the
// CLI tests); TestMain removes it when they are done.
var buildRoot string

func TestMain(m *testing.M) {
	// A huaweicloud pipeline may export HW_MAX_RETRIES; the tests count retries with their own.
	if err := errors.Join(os.Unsetenv(envMaxRetries), serveTestProviderWhereTheCLILooks()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
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

// serveTestProviderWhereTheCLILooks makes terraform-plugin-testing serve the in-process provider
// as <the CLI's registry>/hashicorp/coc, the address that a configuration without
// required_providers means to the CLI under test. By default it serves registry.terraform.io
// only, and also the namespace "-" (for Terraform 0.12), which OpenTofu refuses.
func serveTestProviderWhereTheCLILooks() error {
	if os.Getenv(resource.EnvTfAcc) == "" {
		return nil
	}
	cli, err := compat.UnderTest()
	if err != nil {
		return err
	}
	return errors.Join(
		os.Setenv(resource.EnvTfAccProviderHost, cli.RegistryHost()),
		os.Setenv(resource.EnvTfAccProviderNamespace, "hashicorp"),
	)
}
