// Command coc-conformance checks an endpoint against the COC mobile-app API contract
// (internal/coc/CONTRACT.md), call by call, and prints one line per check and a summary.
//
//	go run ./internal/conformance/cmd/coc-conformance
//
// Without HW_COC_ENDPOINT and HW_REGION_NAME it checks a simulator of its own, writes included.
// Otherwise it takes the provider's credentials from the same HW_* variables and only reads,
// unless CONFORMANCE_WRITE=1; CONFORMANCE_APPS names a file of real apps to bind. It exits 0
// when the endpoint conforms, 1 when it differs and 2 when it could not run.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/cocops/terraform-provider-coc/internal/conformance"
)

func main() {
	// The first SIGINT or SIGTERM stops the checks, and the kit unbinds what it bound; a second
	// one ends the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(conformance.Main(ctx, os.Getenv, os.Stdout))
}
