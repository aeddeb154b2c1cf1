package compat

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"
)

// EnvTerraformPath names the CLI the tests drive, as terraform-plugin-testing reads it: make
// test sets it to the terraform on PATH, testacc-compat to each CLI in turn.
const EnvTerraformPath = "TF_ACC_TERRAFORM_PATH"

// UnderTest is the CLI the tests drive, asked what it is once for all the tests of a package.
var UnderTest = sync.OnceValues(func() (CLI, error) {
	path := os.Getenv(EnvTerraformPath)
	if path == "" {
		return CLI{}, errors.New(EnvTerraformPath + " must name the terraform binary (make test sets it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return Detect(ctx, path, nil)
})

// IsolatedEnv is the environment a test runs the CLI in: its own CLI config, and HOME in the
// test's workspace so that the CLI reads nothing of the user's; no checkpoint calls; the PATH.
func IsolatedEnv(home, cliConfig string) []string {
	return []string{"TF_CLI_CONFIG_FILE=" + cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "HOME=" + home, "PATH=" + os.Getenv("PATH")}
}
