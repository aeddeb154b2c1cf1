// Command coc-demo walks through the provider's user journeys with the real terraform: bind an
// app of every platform, rotate a key, change an identifier, change a key on the console, import a binding
// made by hand, bind an app in another account through an agency, and destroy. It checks that every step does what it narrates and exits non-zero
// when one does not.
//
//	go run ./internal/demo/cmd/coc-demo [-v]    (make demo)
//
// It builds the provider, points terraform at it with dev_overrides (no terraform init, no
// network) and runs against the COC simulator on a free loopback port. With HW_ACCESS_KEY and
// HW_SECRET_KEY set it runs against the real COC those variables (and HW_REGION_NAME or
// HW_COC_ENDPOINT) name instead, and skips the steps only the simulator can stage.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/demo"
)

func main() {
	verbose := flag.Bool("v", false, "show terraform's full output instead of the lines that matter")
	flag.Parse()

	// A closed stdout (| head) must not kill the demo before it cleans up.
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	err := demo.Run(ctx, demo.Options{Out: os.Stdout, Verbose: *verbose})
	took := time.Since(start).Round(100 * time.Millisecond)
	if err != nil {
		fmt.Fprintf(os.Stderr, "\ndemo FAILED after %s: %v\n", took, err)
		os.Exit(1)
	}
	fmt.Printf("\nDemo complete in %s: every step behaved as narrated.\n", took)
}
